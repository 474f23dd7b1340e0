"""Filing a sent letter in the kommune's archive: the arkivmelding and the letter PDF as one
Fiks IO message of type `no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett` to the archive's
account ([kommune.fiks_arkiv] account), from the kommune's own ([kommune.fiks_io]).

Exactly once: the message's klientMeldingId is derived from the letter's outbox key (uuid5 of
"fiksarkiv:<key>"), so a letter filed again after a crash is the same message to Fiks IO and to
the archive, as the Fiks IO letter channel does (runner/channels/fiksio.py). Each message id
Fiks IO gives is kept in `data_dir/fiksarkiv/sent/<message id>.json` with its case, so the
archive's answers (svar-til) find it (runner/fiksarkiv/replies.py).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from runner.fiksarkiv.arkivmelding import (
    ARKIVMELDING_FILE,
    ARKIVMELDING_TYPE,
    ArchiveEntry,
    build_arkivmelding,
)
from runner.fiksio.asice import ContainerFile
from runner.fiksio.client import FiksIoClient, OutgoingMessage
from runner.fiksio.message import client_message_id
from runner.files import write_atomic
from runner.kommuner.settings import KommuneSettings
from runner.models.robot import RobotDefinition
from runner.store.records import CaseRecord, LetterRecord

__all__ = ["Archiver", "archive_entry", "archiver_for", "sent_folder"]


def sent_folder(data_dir: Path) -> Path:
    """Where the ids of the arkivmeldinger sent are kept (message id → case)."""
    return data_dir / "fiksarkiv" / "sent"


def archive_entry(
    *,
    case: CaseRecord,
    letter: LetterRecord,
    robot: RobotDefinition,
    kommune: KommuneSettings,
    key: str,
    pdf: bytes,
    pdf_name: str,
    sent: datetime,
) -> ArchiveEntry:
    """What the archive gets for a letter, from the case as stored."""
    data: dict[str, Any] = case.data
    applicant = data.get("applicant") or {}
    address = applicant.get("address") or {}
    title = robot.title.nn if letter.malform == "nn" else robot.title.nb
    where = (data.get("property") or {}).get("address") or ""
    prop = data.get("property") or {}
    received = str(data.get("received_at") or "")[:10]
    number = (
        (int(prop["gnr"]), int(prop["bnr"]), int(prop.get("fnr", 0)), int(prop.get("snr", 0)))
        if "gnr" in prop and "bnr" in prop
        else None
    )
    organisation = applicant.get("organisation_number")
    return ArchiveEntry(
        key=key,
        case_key=f"sak:{case.id}",
        case_title=f"{title} – {where}".rstrip(" –") + f" ({case.reference or case.id})",
        letter_title=f"Vedtak – {title}",
        received=date.fromisoformat(received) if received else None,
        document_date=(letter.approved_at or letter.created_at).date(),
        sent=sent,
        administrative_unit=(
            kommune.letterhead.department_for(case.case_type, letter.malform) or kommune.name
        ),
        kommunenummer=case.kommunenummer,
        property=number,
        recipient_name=str(applicant.get("name") or "Ukjent"),
        recipient_national_id=applicant.get("national_id"),
        recipient_organisation=organisation,
        recipient_street=address.get("street"),
        recipient_postal_code=address.get("postal_code"),
        recipient_city=address.get("city"),
        recipient_email=applicant.get("email"),
        pdf_name=pdf_name,
        pdf=pdf,
        letter_version=letter.version,
        archive_part=kommune.fiks_arkiv.archive_part if kommune.fiks_arkiv else None,
    )


class Archiver:
    """Sends arkivmeldinger to one archive account through a Fiks IO client."""

    def __init__(
        self, connect: Callable[[], FiksIoClient], *, archive: uuid.UUID, data_dir: Path
    ) -> None:
        self.connect = connect
        self.archive = archive
        self.folder = sent_folder(data_dir)

    def file(self, entry: ArchiveEntry, case_id: int) -> uuid.UUID:
        """Send the arkivmelding with the PDF; the Fiks IO message id. The same entry key again
        is the same message (klientMeldingId)."""
        xml = build_arkivmelding(entry)
        message = OutgoingMessage(
            receiver=self.archive,
            message_type=ARKIVMELDING_TYPE,
            files=(
                ContainerFile(ARKIVMELDING_FILE, xml, "application/xml"),
                ContainerFile(entry.pdf_name, entry.pdf, "application/pdf"),
            ),
            client_message_id=client_message_id(f"fiksarkiv:{entry.key}"),
        )
        with self.connect() as client:
            sent = client.send(message)
        record = {"case_id": case_id, "key": entry.key, "archive": str(self.archive)}
        write_atomic(self.folder / f"{sent.meldingId}.json", json.dumps(record).encode())
        return sent.meldingId


def archiver_for(kommune: KommuneSettings, data_dir: Path) -> Archiver | None:
    """The kommune's archiver, if it files decisions over Fiks Arkiv ([fiks_arkiv])."""
    if kommune.fiks_arkiv is None:
        return None
    account = kommune.fiks_io
    if account is None:
        from runner.errors import ConfigurationError

        raise ConfigurationError(
            f"{kommune.name} arkiverer over Fiks Arkiv, men har ingen Fiks IO-konto",
            fix="Legg til [fiks_io] i kommunefila (docs/national-components.md).",
        )
    from runner.fiksio.setup import fiks_io_client

    return Archiver(
        lambda: fiks_io_client(account, kommune.maskinporten),
        archive=kommune.fiks_arkiv.account,
        data_dir=data_dir,
    )
