"""Hostile items for the sources that are not the JSON folder: PDF forms, workbooks, NAV søknader.

Each builder starts from a valid item (the demo files, the NAV fixture) and breaks one thing
the way a careless or hostile sender would; `run_twice` runs a robot over an inbox twice on
the same store, as the issue's poisoned-store case does.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, PdfObject

from runner.run import CaseReport, find_robot, run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import Store

DEMO = CONTENT_ROOT / "demo"
FORMS = DEMO / "inbox" / "byggesak-skjema"
NAV_FIXTURE = CONTENT_ROOT / "tests" / "sources" / "fixtures" / "nav-soknad.json"
SHEET_XML = "xl/worksheets/sheet1.xml"


def run_once(settings: Settings, store: Store, robot: str, inbox: Path) -> dict[str, CaseReport]:
    """One run of a robot over an inbox; its case reports by source_ref."""
    reports: dict[str, CaseReport] = {}
    run_robot(
        settings,
        store,
        find_robot(settings, robot),
        inbox=inbox,
        on_case=lambda r: reports.update({r.source_ref: r}),
    )
    return reports


def run_twice(
    settings: Settings, store: Store, robot: str, inbox: Path
) -> tuple[dict[str, CaseReport], dict[str, CaseReport]]:
    """Two runs over the same inbox and store; the second must find nothing new to do."""
    first = run_once(settings, store, robot, inbox)
    second = run_once(settings, store, robot, inbox)
    assert set(second) == set(first), (sorted(first), sorted(second))
    assert all(report.duplicate for report in second.values()), second
    for ref, report in second.items():
        assert store.get_case(report.case_id).state == first[ref].state, ref
    return first, second


def processed(report: CaseReport) -> bool:
    """The case went through (sent or waiting for review), not quarantined or parked."""
    return report.state in {"sent", "pending_review"}


# -- PDF forms -------------------------------------------------------------------------------


def valid_form(number: int = 1) -> bytes:
    """One of the demo's filled forms (1–4), all valid."""
    return (FORMS / f"skjema-{number:02d}.pdf").read_bytes()


def form_with_value(field: str, value: PdfObject, base: int = 1) -> bytes:
    """A demo form with the raw PDF value of one field replaced (pypdf's public objects)."""
    import io

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(valid_form(base))))
    found = False
    for ref in writer.root_object["/AcroForm"]["/Fields"]:
        node: Any = ref.get_object()
        if node.get("/T") == field:
            node[NameObject("/V")] = value
            found = True
    assert found, field
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- workbooks -------------------------------------------------------------------------------


@cache
def _make_excel() -> Any:
    from tests.sources.helpers import demo_module

    return demo_module("make_excel")


def valid_workbook(target: Path, count: int = 2, *, seed: int = 4629) -> Path:
    """A valid batch of `count` rows, written with RPA.Excel.Files like the demo's."""
    make_excel = _make_excel()
    make_excel.write_batch(target, make_excel.batch_rows(count, seed=seed, bad_row=None))
    return target


def header_cells() -> list[str]:
    return list(_make_excel().COLUMNS)


def with_sheet(source: Path, target: Path, sheet: Callable[[bytes], bytes]) -> Path:
    """A copy of a workbook whose first sheet's XML is changed by `sheet`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, sheet(data) if info.filename == SHEET_XML else data)
    return target


def without_dimension(xml: bytes) -> bytes:
    return re.sub(rb"<dimension[^>]*/>", b"", xml)


def streamed_sheet(source: Path, target: Path, rows: Iterator[bytes]) -> Path:
    """A copy of a workbook whose first sheet is the given <row> elements, written as a
    stream (a sheet far larger than memory allows is cheap to make)."""
    with zipfile.ZipFile(source) as old:
        head, _, _ = old.read(SHEET_XML).partition(b"<sheetData>")
        others = [(info.filename, old.read(info.filename)) for info in old.infolist()]
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in others:
            if name != SHEET_XML:
                new.writestr(name, data)
        with new.open(SHEET_XML, "w") as sheet:
            sheet.write(without_dimension(head) + b"<sheetData>")
            for row in rows:
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return target


def text_row(number: int, *texts: str) -> bytes:
    cells = b"".join(
        b'<c t="inlineStr"><is><t>' + text.encode("utf-8") + b"</t></is></c>" for text in texts
    )
    return b'<row r="%d">' % number + cells + b"</row>"


# -- NAV søknader ----------------------------------------------------------------------------


def nav_document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(NAV_FIXTURE.read_text(encoding="utf-8"))
    return data


def nav_with_raw(path: tuple[str | int, ...], raw: str) -> bytes:
    """The NAV fixture with the JSON value at `path` replaced by raw JSON text (NaN, 1e999 …)."""
    document = nav_document()
    node: Any = document
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = "@@RAW@@"
    return json.dumps(document, ensure_ascii=False).replace('"@@RAW@@"', raw).encode("utf-8")
