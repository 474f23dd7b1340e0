"""The arkivmelding and the archive's answers against KS's official Fiks Arkiv XSDs."""

from __future__ import annotations

import io
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import xmlschema

from demo.standins.keys import make_key_pair
from runner.fiksarkiv.arkivmelding import (
    ARKIVMELDING_TYPE,
    SCHEMAS,
    ArchiveEntry,
    ArkivmeldingError,
    build_arkivmelding,
    validate_arkivmelding,
)
from runner.fiksarkiv.replies import RECEIPT_TYPE, read_reply
from runner.fiksio.asice import ContainerFile, SignedContainer
from runner.fiksio.message import MessageMetadata
from runner.fiksio.receive import Delivery

ENTRY = ArchiveEntry(
    key="byggesak-smatiltak-1-v1",
    case_key="sak:1",
    case_title="Byggesak – Storgata 1 (BS-1)",
    letter_title="Vedtak – Byggesak",
    received=date(2026, 9, 21),
    document_date=date(2026, 9, 22),
    sent=datetime(2026, 9, 22, 10, 0, tzinfo=UTC),
    administrative_unit="Plan og bygg",
    kommunenummer="4627",
    property=(12, 34, 0, 0),
    recipient_name="Kari Nordmann",
    recipient_national_id="01017012345",
    recipient_organisation=None,
    recipient_street="Storgata 1",
    recipient_postal_code="5300",
    recipient_city="Kleppestø",
    recipient_email="kari@example.no",
    pdf_name="BS-1.pdf",
    pdf=b"%PDF-1.7 vedtak",
    letter_version=1,
    archive_part="BYGG",
)


def test_the_arkivmelding_is_valid_against_the_official_xsd() -> None:
    xml = build_arkivmelding(ENTRY)
    schema = xmlschema.XMLSchema(SCHEMAS / f"{ARKIVMELDING_TYPE}.xsd")
    schema.validate(io.BytesIO(xml))  # checked on its own, not through our validator
    assert b"<n5mdk:kode>U</n5mdk:kode>" in xml  # journalposttype U: utgående dokument
    assert b"<n5mdk:kode>EM</n5mdk:kode>" in xml  # korrespondanseparttype EM: mottaker


def test_an_organisation_is_the_recipient_by_its_number() -> None:
    xml = build_arkivmelding(replace(ENTRY, recipient_organisation="974760673"))
    assert b"<organisasjonid>974760673</organisasjonid>" in xml and b"personid" not in xml


def test_what_breaks_the_xsd_is_refused_before_it_is_sent() -> None:
    with pytest.raises(ArkivmeldingError, match="tittel"):
        build_arkivmelding(replace(ENTRY, letter_title=""))  # tittel: at least one character
    broken = build_arkivmelding(ENTRY).replace(b"<antallFiler>1", b"<antallFiler>en")
    with pytest.raises(ArkivmeldingError, match="antallFiler"):
        validate_arkivmelding(broken)


def _delivery(message_type: str, files: tuple[ContainerFile, ...]) -> Delivery:
    metadata = MessageMetadata(
        message_id=uuid.uuid4(),
        message_type=message_type,
        sender_account=uuid.uuid4(),
        receiver_account=uuid.uuid4(),
        reply_to=uuid.uuid4(),
    )
    container = SignedContainer(files=files, signer=make_key_pair("Arkiv").certificate)
    return Delivery(b"", str(metadata.message_id), metadata, container, None)


def test_a_receipt_that_breaks_the_xsd_is_an_error_not_a_filing() -> None:
    bad = ContainerFile("arkivmelding-kvittering.xml", b"<arkivmeldingKvittering/>", "text/xml")
    reply = read_reply(_delivery(RECEIPT_TYPE, (bad,)))
    assert reply.answer == "feil" and reply.error is not None
    assert "skjemaet" in reply.error
