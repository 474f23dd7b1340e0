"""A small demo archive on Fiks Arkiv: it reads its Fiks IO account's queue on the real
RabbitMQ, opens each arkivmelding (decrypted with its key, the sender's signature checked),
validates it against KS's official XSD and answers as the protocol says (meldingstyper.json):
`...opprett.mottatt`, then `...opprett.kvittering` with its own saksnummer and journalpostnummer,
or `...feilmelding.ugyldigforespoersel` when the arkivmelding breaks the XSD.

It stands in for the kommune's Noark 5 archive, which cannot run here; a real archive files the
case. Its answers are built as the official XSDs (runner/fiksarkiv/schemas/) describe them and
checked against them before they are sent.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import date
from xml.etree import ElementTree

import xmlschema

from runner.fiksarkiv.arkivmelding import (
    ARKIVMELDING_FILE,
    ARKIVMELDING_TYPE,
    SCHEMAS,
    ArkivmeldingError,
    validate_arkivmelding,
)
from runner.fiksarkiv.replies import ERROR_SCHEMA, RECEIPT_FILE, RECEIPT_TYPE, RECEIVED_TYPE
from runner.fiksio import (
    ContainerFile,
    Delivery,
    FiksIoClient,
    FiksIoReceiver,
    OutgoingMessage,
    client_message_id,
)

__all__ = ["DemoArchive", "Filed"]

RECEIPT_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
INVALID_NS = (
    "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1"
)
ERROR_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
INVALID_TYPE = "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel"


@dataclass(frozen=True)
class Filed:
    """One arkivmelding the archive took: whom it answered, and what it answered."""

    message_id: uuid.UUID
    sender: uuid.UUID
    files: tuple[str, ...]
    arkivmelding: bytes  # arkivmelding.xml as it came (empty when it was missing)
    problem: str | None  # why it breaks the XSD; None when it was valid and filed
    saksnummer: str | None = None
    journalpostnummer: str | None = None


@dataclass
class DemoArchive:
    """The archive's account: reads its queue and answers each arkivmelding over Fiks IO."""

    receiver: FiksIoReceiver
    client: FiksIoClient
    year: int = field(default_factory=lambda: date.today().year)
    #: the archive's last sequence numbers (saks- and journalsekvensnummer)
    case_number: int = 0
    record_number: int = 0

    def take(self) -> list[Filed]:
        """Every arkivmelding now waiting, validated and answered (anything else that comes to
        the account is taken off the queue unanswered: this archive only files)."""
        return [
            self.file(delivery)
            for delivery in self.receiver.messages()
            if delivery.metadata is not None
            and delivery.container is not None
            and delivery.metadata.message_type == ARKIVMELDING_TYPE
        ]

    def file(self, delivery: Delivery) -> Filed:
        """Validate one arkivmelding and answer it: received and filed, or refused."""
        assert delivery.metadata is not None and delivery.container is not None
        metadata = delivery.metadata
        answer = _Answer(self.client, metadata.sender_account, metadata.message_id)
        names = tuple(f.name for f in delivery.container.files)
        found = delivery.container.file(ARKIVMELDING_FILE)
        xml = found.content if found is not None else b""
        try:
            if found is None:
                raise ArkivmeldingError(f"{ARKIVMELDING_FILE} mangler i meldingen")
            validate_arkivmelding(xml)
        except ArkivmeldingError as error:
            answer.send(INVALID_TYPE, "feilmelding.xml", invalid_request(error.message))
            return Filed(metadata.message_id, metadata.sender_account, names, xml, error.message)
        answer.send(RECEIVED_TYPE)
        self.case_number += 1
        self.record_number += 1
        answer.send(RECEIPT_TYPE, RECEIPT_FILE, self.receipt())
        return Filed(
            metadata.message_id,
            metadata.sender_account,
            names,
            xml,
            None,
            saksnummer=f"{self.year}/{self.case_number}",
            journalpostnummer=str(self.record_number),
        )

    def receipt(self) -> bytes:
        """The kvittering for the saksmappe and journalpost just filed."""
        root = ElementTree.Element(f"{{{RECEIPT_NS}}}arkivmeldingKvittering")
        folder = _child(root, RECEIPT_NS, "mappeKvittering")
        folder.set(f"{{{XSI}}}type", "saksmappeKvittering")
        _child(folder, RECEIPT_NS, "systemID", str(uuid.uuid4()))
        _child(folder, RECEIPT_NS, "opprettetEllerEksisterende", "Opprettet")
        _child(folder, RECEIPT_NS, "saksaar", str(self.year))
        _child(folder, RECEIPT_NS, "sakssekvensnummer", str(self.case_number))
        record = _child(root, RECEIPT_NS, "registreringKvittering")
        record.set(f"{{{XSI}}}type", "journalpostKvittering")
        _child(record, RECEIPT_NS, "systemID", str(uuid.uuid4()))
        _child(record, RECEIPT_NS, "opprettetEllerEksisterende", "Opprettet")
        _child(record, RECEIPT_NS, "journalaar", str(self.year))
        _child(record, RECEIPT_NS, "journalsekvensnummer", str(self.record_number))
        _child(record, RECEIPT_NS, "journalpostnummer", str(self.record_number))
        # xsi:type names a type of the receipt's namespace: it is the default namespace
        return _checked(root, f"{RECEIPT_TYPE}.xsd", default_namespace=RECEIPT_NS)


def invalid_request(reason: str) -> bytes:
    """The error answer `ugyldigforespoersel` with the reason."""
    root = ElementTree.Element(f"{{{INVALID_NS}}}ugyldigforespoersel")
    _child(root, ERROR_NS, "feilId", str(uuid.uuid4()))
    _child(root, ERROR_NS, "feilmelding", reason)
    return _checked(root, ERROR_SCHEMA["ugyldig forespørsel"])


def _child(
    parent: ElementTree.Element, namespace: str, name: str, text: str | None = None
) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{namespace}}}{name}")
    element.text = text
    return element


def _checked(root: ElementTree.Element, schema: str, default_namespace: str | None = None) -> bytes:
    """The XML of `root`, valid against the official XSD `schema` (else it raises)."""
    xml: bytes = ElementTree.tostring(
        root, encoding="utf-8", xml_declaration=True, default_namespace=default_namespace
    )
    xmlschema.XMLSchema(SCHEMAS / schema).validate(io.BytesIO(xml))
    return xml


@dataclass(frozen=True)
class _Answer:
    """Answers one message over Fiks IO (svarPaMelding = the message answered)."""

    client: FiksIoClient
    receiver: uuid.UUID
    answers: uuid.UUID

    def send(self, message_type: str, name: str | None = None, content: bytes = b"") -> None:
        files = (ContainerFile(name, content, "application/xml"),) if name else ()
        key = client_message_id(f"arkiv:{self.answers}:{message_type}")
        self.client.send(OutgoingMessage(self.receiver, message_type, files, key, self.answers))
