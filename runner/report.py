"""The report workbook: cases by state, outcome, robot and kommune, and how long each waited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner.errors import ApplicationError
from runner.store import CaseRecord, Store
from runner.store.states import TERMINAL, CaseState

PAGE = 500
#: A case stops waiting when it rests with a human or is done; these states count as open.
OPEN_STATES = frozenset(
    {CaseState.received, CaseState.validated, CaseState.evaluated, CaseState.pending_review,
     CaseState.approved, CaseState.finalised, CaseState.parked, CaseState.returned}
)  # fmt: skip
CASE_COLUMNS = [
    "Sak-ID", "Saksnummer", "Robot", "Kommune", "Tilstand", "Utfall", "Rute",
    "Mottatt (UTC)", "Sist endret (UTC)", "Ventet (timer)", "Frist", "Åpen",
]  # fmt: skip


@dataclass
class Report:
    """Every case as a row, and the counts per state, outcome and kommune."""

    created_at: datetime
    rows: list[list[Any]] = field(default_factory=list)
    by_state: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_outcome: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_kommune: Counter[tuple[str, str]] = field(default_factory=Counter)


def waited_hours(case: CaseRecord, now: datetime) -> float:
    """Hours from intake until the case came to rest (sent, rejected…), or until now if open."""
    end = case.updated_at if CaseState(case.state) in TERMINAL else now
    return round(max((end - case.created_at).total_seconds(), 0.0) / 3600, 1)


def build_report(store: Store, *, now: datetime | None = None) -> Report:
    """Read every case (page by page) into a Report."""
    report = Report(created_at=now or datetime.now(UTC))
    offset = 0
    while True:
        page = store.list_cases(limit=PAGE, offset=offset)
        for case in page:
            kommune = case.kommunenummer or "(ukjent)"
            outcome = case.outcome or "(ikke avgjort)"
            report.by_state[(case.robot_id, case.state)] += 1
            report.by_outcome[(case.robot_id, outcome)] += 1
            report.by_kommune[(kommune, case.state)] += 1
            report.rows.append(
                [
                    case.id,
                    case.reference or "",
                    case.robot_id,
                    kommune,
                    case.state,
                    case.outcome or "",
                    case.route or "",
                    _naive_utc(case.created_at),
                    _naive_utc(case.updated_at),
                    waited_hours(case, report.created_at),
                    case.deadline,
                    "ja" if CaseState(case.state) in OPEN_STATES else "nei",
                ]
            )
        if len(page) < PAGE:
            return report
        offset += PAGE


def _naive_utc(moment: datetime) -> datetime:
    """Excel has no time zones: write UTC without an offset (the header says UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None)


def _pivot(counts: Counter[tuple[str, str]], first: str) -> list[list[Any]]:
    rows_keys = sorted({row for row, _ in counts})
    columns = sorted({column for _, column in counts})
    table: list[list[Any]] = [[first, *columns, "Sum"]]
    for key in rows_keys:
        values = [counts.get((key, column), 0) for column in columns]
        table.append([key, *values, sum(values)])
    return table


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report with RPA.Excel.Files: a sheet of cases and three summary sheets."""
    from RPA.Excel.Files import Files

    sheets = {
        "Saker": [CASE_COLUMNS, *report.rows],
        "Per tilstand": _pivot(report.by_state, "Robot"),
        "Per utfall": _pivot(report.by_outcome, "Robot"),
        "Per kommune": _pivot(report.by_kommune, "Kommune"),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    library = Files()
    try:
        library.create_workbook(str(path), fmt="xlsx", sheet_name="Saker")
        for name, rows in sheets.items():
            if name != "Saker":
                library.create_worksheet(name)
            library.append_rows_to_worksheet(rows, name=name)
        library.save_workbook()
    except OSError as error:
        raise ApplicationError(
            f"Cannot write the report to {path}: {error.strerror}",
            fix="Choose a folder you may write to, and close the file if Excel has it open.",
        ) from error
    finally:
        library.close_workbook()
    return path
