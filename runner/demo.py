"""The demo's cases dated for the day `saksrobot demo` runs.

demo/inbox/ holds the generated demo cases with the fixed dates the tests rely on (received
through 2026). Run as they are, almost every case in the review queue would be past its
deadline. `dated_inbox` copies them for a given day: each case is received a few working
days before it (1–20 days), emergency help the same day, and a few cases are near or past
their deadline, as in a real day's queue. Every other date in a case moves with its received
date, so the time between them stays what the scenario needs (a neighbour notice sent weeks
before, a welfare period the month after, children's ages). The same day gives the same
inbox (seeded by the day). Each attachment a case lists gets a one-page PDF saying it is a
demo document, so the review page can open it.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["LATE_EVERY", "attachment_pdf", "dated_case", "dated_inbox", "days_ago"]

OSLO = ZoneInfo("Europe/Oslo")
SEED = 4627
#: Every LATE_EVERY-th case (in file order) is received about as long ago as its case
#: type's deadline: half of them just before it, half just after.
LATE_EVERY = 12
#: Days from receipt to the normal deadline, per case type (robots/*.yaml `deadline:`):
#: byggesak 12 weeks (pbl. § 21-7), sosialhjelp one month.
DEADLINE_DAYS = {"byggesak": 84, "sosialhjelp": 30}
#: How many days before the demo day an ordinary case is received.
RECENT = (1, 20)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
#: The spreadsheet column with each row's received time (robots/byggesak-excel.yaml).
RECEIVED_COLUMN = "Mottatt"


def days_ago(rng: random.Random, index: int, case_type: str, urgent_same_day: bool) -> int:
    """How many days before the demo day case number `index` is received."""
    if urgent_same_day:
        return 0  # emergency help is decided the day it comes in: it came in today
    deadline = DEADLINE_DAYS.get(case_type)
    if deadline is not None and index % LATE_EVERY == LATE_EVERY // 2:
        near = (index // LATE_EVERY) % 2 == 0
        return deadline - rng.randint(1, 4) if near else deadline + rng.randint(1, 6)
    return rng.randint(*RECENT)


def _received(rng: random.Random, today: date, ago: int) -> datetime:
    """A weekday office-hour time `ago` days before `today` (or the weekday before that);
    today (ago 0): just after midnight, so never in the future whenever the demo runs (the
    case model allows an hour ahead)."""
    if ago == 0:
        return datetime.combine(today, time(0, rng.randint(1, 59)), OSLO)
    day = today - timedelta(days=ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    minute = rng.randint(7 * 60 + 30, 16 * 60)
    return datetime.combine(day, time(minute // 60, minute % 60), OSLO)


def _months(month: str, shift: int) -> str:
    year, number = int(month[:4]), int(month[5:7]) - 1 + shift
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def _moved(value: Any, days: int, months: int) -> Any:
    """`value` with every date in it `days` later and every month (YYYY-MM) `months` later."""
    if isinstance(value, dict):
        return {key: _moved(item, days, months) for key, item in value.items()}
    if isinstance(value, list):
        return [_moved(item, days, months) for item in value]
    if isinstance(value, str) and _ISO_DATE.match(value):
        return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
    if isinstance(value, str) and _MONTH.match(value):
        return _months(value, months)
    return value


def dated_case(case: dict[str, Any], received: datetime) -> dict[str, Any]:
    """The case received at `received`, its other dates moved with it."""
    before = datetime.fromisoformat(str(case["received_at"])).astimezone(OSLO)
    days = (received.date() - before.date()).days
    months = (received.year - before.year) * 12 + received.month - before.month
    moved: dict[str, Any] = _moved(case, days, months)
    moved["received_at"] = received.isoformat()
    return moved


def attachment_pdf(reference: str, kind: str) -> bytes:
    """A one-page PDF standing in for an attachment of a demo case (the same bytes each time)."""
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=OSLO))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, f"Vedlegg: {kind}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0, 7, f"Sak {reference}. Demodokument laget av saksrobot demo, ikke et ekte vedlegg."
    )
    return bytes(pdf.output())


def _attachments(case: dict[str, Any], folder: Path) -> None:
    """A demo PDF for each attachment the case lists (inside `folder` only)."""
    root = folder.resolve()
    for attachment in case.get("attachments") or []:
        path = (root / str(attachment.get("file", ""))).resolve()
        if path.is_relative_to(root) and path != root and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(
                attachment_pdf(str(case.get("reference")), str(attachment.get("kind")))
            )


def _dated_json(path: Path, rng: random.Random, index: int, today: date) -> bytes:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    _attachments(case, path.parent)
    urgent = (case.get("request") or {}).get("kind") == "nodhjelp"
    ago = days_ago(rng, index, str(case.get("case_type")), urgent)
    dated = dated_case(case, _received(rng, today, ago))
    return (json.dumps(dated, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _dated_workbook(path: Path, rng: random.Random, today: date) -> None:
    """The workbook with each row's received time dated like a case file's."""
    import openpyxl  # type: ignore[import-untyped]  # no stubs installed

    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        header = [cell.value for cell in sheet[1]]
        if RECEIVED_COLUMN not in header:
            continue
        column = header.index(RECEIVED_COLUMN) + 1
        for index, row in enumerate(range(2, sheet.max_row + 1)):
            cell = sheet.cell(row=row, column=column)
            if isinstance(cell.value, datetime):
                received = _received(rng, today, days_ago(rng, index, "byggesak", False))
                cell.value = received.replace(tzinfo=None)
    workbook.save(path)


def dated_inbox(source: Path, target: Path, today: date) -> Path:
    """Copy the demo inbox `source` (one folder per robot) to `target`, every case dated for
    `today`; returns `target`. Files that are not cases (PDF forms, attachments) are copied
    as they are: a PDF form is received when it is taken in."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    for folder in sorted(p for p in target.iterdir() if p.is_dir()):
        rng = random.Random(f"{SEED}:{folder.name}:{today.isoformat()}")
        for index, path in enumerate(sorted(folder.glob("*.json"))):
            path.write_bytes(_dated_json(path, rng, index, today))
        for workbook in sorted(folder.glob("*.xlsx")):
            _dated_workbook(workbook, rng, today)
    return target
