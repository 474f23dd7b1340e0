"""A case's letter as a PDF file: rendered with its kommune's letterhead, stored privately."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from runner.kommuner.settings import KommuneSettings
from runner.letters import PdfRenderer
from runner.models.robot import RobotDefinition
from runner.redaction import personal_data_scope
from runner.store import CaseRecord
from runner.store.records import LetterRecord

_OSLO = ZoneInfo("Europe/Oslo")


def today_in_norway(now: datetime) -> date:
    """The calendar date in Norway for a timestamp (letters are dated in local time)."""
    return now.astimezone(_OSLO).date()


def safe_name(text: str) -> str:
    """A file-name-safe form of a case reference."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:80]


def letters_dir(data_dir: Path) -> Path:
    """The folder under which every case's letters are kept, one subfolder per case."""
    return data_dir / "letters"


def letter_path(data_dir: Path, record: CaseRecord, key: str) -> Path:
    """Where the PDF of the letter with this outbox key is kept."""
    return letters_dir(data_dir) / safe_name(record.reference or str(record.id)) / f"{key}.pdf"


def render_letter_pdf(
    pdf: PdfRenderer,
    *,
    record: CaseRecord,
    letter: LetterRecord,
    kommune: KommuneSettings,
    robot: RobotDefinition,
    case_model: type[BaseModel],
) -> bytes:
    """The letter as PDF bytes, addressed to the applicant, under the kommune's letterhead."""
    applicant = record.data.get("applicant", {})
    address = applicant.get("address", {})
    with personal_data_scope(record.data, case_model):
        return pdf.render(
            letter.markdown,
            letterhead=kommune.letterhead,
            case_type=record.case_type,
            malform=letter.malform,
            title=robot.title.nb if letter.malform == "nb" else robot.title.nn,
            reference=record.reference or str(record.id),
            letter_date=today_in_norway(letter.created_at),
            recipient=[
                applicant.get("name", ""),
                address.get("street", ""),
                f"{address.get('postal_code', '')} {address.get('city', '')}".strip(),
            ],
        )
