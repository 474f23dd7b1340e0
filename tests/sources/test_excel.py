"""Excel batches read with RPA.Excel.Files: one case per row; a bad row is quarantined alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.settings import Settings
from runner.sources.excel import ExcelSource
from runner.store import Store, open_store

from .helpers import demo_module, run


@pytest.fixture
def store(settings: Settings) -> Store:
    return open_store(settings.database_url)


@pytest.fixture(scope="module")
def make_excel() -> object:
    return demo_module("make_excel")


def _batch(make_excel: object, folder: Path, count: int, bad_row: int | None) -> Path:
    target = folder / "saker.xlsx"
    rows = make_excel.batch_rows(count, bad_row=bad_row)  # type: ignore[attr-defined]
    make_excel.write_batch(target, rows)  # type: ignore[attr-defined]
    return target


def test_each_row_is_a_case_and_a_bad_row_names_sheet_row_and_column(
    settings: Settings, store: Store, make_excel: object, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    _batch(make_excel, inbox, 6, bad_row=2)
    reports = run(settings, store, "byggesak-excel", inbox)
    assert len(reports) == 6
    bad = reports["saker.xlsx!Saker:4"]  # header is row 1, so the third row is row 4
    assert bad.state == "quarantined"
    assert bad.errors == [
        {
            "field": "ark 'Saker', rad 4, kolonne R ('BYA m2')",
            "reason": "'ca. førti' er ikke et tall",
            "fix": "skriv et tall, f.eks. 14,5",
            # its words, for the reader's målform; the cell's content stays a value
            "text": "value_not_number_number",
            "values": {"value": "ca. førti"},
        }
    ]
    others = [r for ref, r in reports.items() if ref != "saker.xlsx!Saker:4"]
    assert all(r.state != "quarantined" for r in others), [r.errors for r in others]
    first = store.get_case(reports["saker.xlsx!Saker:2"].case_id)
    assert first.reference == "BS-X-00001"
    assert first.data["received_at"].endswith("+01:00")  # a naive Excel time is Oslo time


def test_rows_are_idempotent_by_content(
    settings: Settings, store: Store, make_excel: object, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    _batch(make_excel, inbox, 3, bad_row=None)
    run(settings, store, "byggesak-excel", inbox)
    (inbox / "saker.xlsx").rename(inbox / "sendt-igjen.xlsx")
    again = run(settings, store, "byggesak-excel", inbox)
    assert [r.duplicate for r in again.values()] == [True, True, True]


def test_a_model_error_names_the_cell(
    settings: Settings, store: Store, make_excel: object, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    rows = make_excel.batch_rows(1, bad_row=None)  # type: ignore[attr-defined]
    columns = list(make_excel.COLUMNS)  # type: ignore[attr-defined]
    rows[0][columns.index("Postnr")] = "53"
    make_excel.write_batch(inbox / "saker.xlsx", rows)  # type: ignore[attr-defined]
    (report,) = run(settings, store, "byggesak-excel", inbox).values()
    (error,) = report.errors
    assert (
        error["field"] == "ark 'Saker', rad 2, kolonne H ('Postnr') → applicant.address.postal_code"
    )


def test_a_damaged_workbook_and_a_missing_sheet_are_quarantined(
    settings: Settings, store: Store, make_excel: object, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "odelagt.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    source = ExcelSource(inbox, max_bytes=1_000_000, sheet="Saker")
    (item,) = list(source.items())
    assert item.problem is not None and "kan ikke åpnes" in item.problem
    _batch(make_excel, tmp_path / "other", 1, bad_row=None)
    other = ExcelSource(tmp_path / "other", max_bytes=1_000_000, sheet="Ark9")
    (item,) = list(other.items())
    assert item.problem == "arket 'Ark9' finnes ikke (arkene er: Saker)"
