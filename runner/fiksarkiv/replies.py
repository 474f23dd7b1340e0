"""The archive's answers to an arkivmelding, read and put on the case.

The protocol (meldingstyper.json) lets the archive answer `...arkivmelding.opprett` with
`...opprett.mottatt` (taken in, no payload), `...opprett.kvittering` (filed: the file
`arkivmelding-kvittering.xml` with the archive's own ids) or an error message
(`...feilmelding.ugyldigforespoersel`, also spelt `no.ks.fik.…` in the specification,
`...serverfeil`, `...ikkefunnet`: feilId and feilmelding). A receipt is checked against the
official XSD. Each answer is found by the message it answers (`svar-til`) and becomes an event on
the case: `archive_received`, `archive_filed` (with the archive's ids, shown on the case page and
by `saksrobot explain`) or `archive_failed`, which also parks the case for a human.
"""

from __future__ import annotations

import io
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree

import xmlschema
from pydantic import Field

from runner.fiksarkiv.arkivmelding import ARKIVMELDING_TYPE, SCHEMAS
from runner.fiksio.receive import Delivery
from runner.logs import get_logger
from runner.models.common import FrozenModel
from runner.problems import problem
from runner.steps.context import ROBOT_ACTOR
from runner.store import CaseState, Store

__all__ = ["ArchiveReplies", "ArchiveReply", "is_archive_reply", "read_reply"]

log = get_logger("saksrobot.fiksarkiv")

RECEIVED_TYPE = f"{ARKIVMELDING_TYPE}.mottatt"
RECEIPT_TYPE = f"{ARKIVMELDING_TYPE}.kvittering"
RECEIPT_FILE = "arkivmelding-kvittering.xml"
ERROR_TYPES = {
    "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel": "ugyldig forespørsel",
    "no.ks.fik.arkiv.v1.feilmelding.ugyldigforespoersel": "ugyldig forespørsel",
    "no.ks.fiks.arkiv.v1.feilmelding.serverfeil": "feil i arkivet",
    "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet": "ikke funnet",
}
ERROR_SCHEMA = {
    "ugyldig forespørsel": "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel.xsd",
    "feil i arkivet": "no.ks.fiks.arkiv.v1.feilmelding.serverfeil.xsd",
    "ikke funnet": "no.ks.fiks.arkiv.v1.feilmelding.ikkefunnet.xsd",
}
#: The archive ids a receipt carries that a caseworker looks for (element: shown name).
RECEIPT_IDS = (
    "saksaar",
    "sakssekvensnummer",
    "journalaar",
    "journalsekvensnummer",
    "journalpostnummer",
)


class ArchiveReply(FrozenModel):
    """One answer from the archive, read."""

    answer: Literal["mottatt", "kvittering", "feil"]
    answers: uuid.UUID | None  # the arkivmelding's Fiks IO message id (svar-til)
    message_id: uuid.UUID
    ids: dict[str, str] = Field(default_factory=dict)
    error: str | None = None


def is_archive_reply(message_type: str) -> bool:
    return message_type in (RECEIVED_TYPE, RECEIPT_TYPE) or message_type in ERROR_TYPES


@cache
def _schema(name: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / name)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(content: bytes, schema: str) -> tuple[ElementTree.Element | None, str | None]:
    """The payload's root if it is valid against the XSD, else (None, the reason)."""
    try:
        resource = xmlschema.XMLResource(io.BytesIO(content), defuse="always", allow="none")
        errors = list(_schema(schema).iter_errors(resource))
    except (xmlschema.XMLResourceError, SyntaxError, ValueError) as error:
        return None, f"svaret kan ikke leses som XML ({error})"
    if errors:
        return None, f"svaret følger ikke Fiks Arkiv-skjemaet: {errors[0].path}: {errors[0].reason}"
    return ElementTree.fromstring(content), None


def read_reply(delivery: Delivery) -> ArchiveReply:
    """The archive's answer in a delivery of an archive reply type (is_archive_reply)."""
    assert delivery.metadata is not None
    metadata = delivery.metadata
    files = {f.name: f.content for f in delivery.container.files} if delivery.container else {}
    base = {"answers": metadata.reply_to, "message_id": metadata.message_id}
    kind = metadata.message_type
    if kind == RECEIVED_TYPE:  # no payload (a body that is no container is no matter)
        return ArchiveReply(answer="mottatt", **base)
    if delivery.error is not None:  # an answer we cannot open: a human looks at the archive
        reason = "; ".join(str(problem) for problem in delivery.error.problems)
        return ArchiveReply(answer="feil", error=f"svaret kan ikke åpnes: {reason}", **base)
    if kind in ERROR_TYPES:
        what = ERROR_TYPES[kind]
        text = what
        for content in files.values():
            root, problem = _parse(content, ERROR_SCHEMA[what])
            if root is not None:
                values = {_local(e.tag): (e.text or "") for e in root}
                text = (
                    f"{what}: {values.get('feilmelding', '')} (feilId {values.get('feilId', '')})"
                )
            elif problem:
                text = f"{what} ({problem})"
        return ArchiveReply(answer="feil", error=text, **base)
    content = files.get(RECEIPT_FILE) or next(iter(files.values()), b"")
    name = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd"
    root, problem = _parse(content, name)
    if root is None:
        return ArchiveReply(answer="feil", error=f"kvitteringen kan ikke brukes: {problem}", **base)
    ids: dict[str, str] = {}
    failures: list[str] = []
    for part in root:
        part_name = _local(part.tag)
        values = {_local(e.tag): (e.text or "") for e in part}
        if part_name.endswith("Feilet"):
            failures.append(f"{part_name}: {values.get('feilmelding', '')}")
            continue
        prefix = "mappe" if part_name == "mappeKvittering" else "journalpost"
        ids[f"{prefix}_systemID"] = values.get("systemID", "")
        ids.update({name: values[name] for name in RECEIPT_IDS if values.get(name)})
    if failures:
        return ArchiveReply(answer="feil", ids=ids, error="; ".join(failures), **base)
    if "saksaar" in ids and "sakssekvensnummer" in ids:
        ids["saksnummer"] = f"{ids['saksaar']}/{ids['sakssekvensnummer']}"
    return ArchiveReply(answer="kvittering", ids=ids, **base)


class ArchiveReplies:
    """Puts the archive's answers on their cases: found by the arkivmelding's message id, kept
    in `<folder>/<message id>.json` when it was sent (runner/fiksarkiv/archiver.py)."""

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder

    def __call__(self, delivery: Delivery) -> bool:
        """Handle the delivery if it is an archive answer (then True: it is on record)."""
        if delivery.metadata is None or not is_archive_reply(delivery.metadata.message_type):
            return False
        reply = read_reply(delivery)
        case_id = self.case_of(reply.answers)
        if case_id is None:
            log.warning("archive_reply_unmatched", message_id=str(reply.message_id))
            return True  # nothing to put it on: kept in the log, not a case of its own
        self.record(case_id, reply)
        return True

    def case_of(self, message_id: uuid.UUID | None) -> int | None:
        if message_id is None:
            return None
        try:
            sent = json.loads((self.folder / f"{message_id}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return int(sent["case_id"])

    def record(self, case_id: int, reply: ArchiveReply) -> None:
        """The answer as an event on the case; an error parks the case for a human."""
        data = {"message_id": str(reply.message_id), "ids": reply.ids}
        if reply.answer == "mottatt":
            self.store.record_event(case_id, actor="arkiv", kind="archive_received", data=data)
        elif reply.answer == "kvittering":
            self.store.record_event(case_id, actor="arkiv", kind="archive_filed", data=data)
        else:
            error = reply.error or "ukjent feil"
            with self.store.unit():
                self.store.record_event(
                    case_id, actor="arkiv", kind="archive_failed", data={**data, "error": error}
                )
                if self.store.get_case(case_id).state == CaseState.sent:
                    self.store.transition(
                        case_id,
                        CaseState.parked,
                        actor=ROBOT_ACTOR,
                        event="parked",
                        data={
                            "error": f"arkivet avviste arkivmeldingen: {error}",
                            "kind": "arkiv",
                            "problem": problem(
                                "parked_archive", error=error, case=case_id
                            ).as_dict(),
                        },
                        last_error=(
                            f"arkivet avviste arkivmeldingen ({error}); arkiver brevet for hånd "
                            f"eller rett feilen og kjør saksrobot cases retry {case_id}"
                        ),
                    )
        log.info("archive_reply", case_id=case_id, kind=reply.answer)
