"""Fillable PDF forms read with RPA.PDF: the demo form end to end, unfilled fields, scans."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fpdf import FPDF

from runner.settings import CONTENT_ROOT, Settings
from runner.sources.pdfform import PdfFormSource, read_form_fields
from runner.store import Store, open_store

from .helpers import demo_module, run

BLANK = CONTENT_ROOT / "demo" / "forms" / "soknad-mindre-tiltak.pdf"


@pytest.fixture
def store(settings: Settings) -> Store:
    return open_store(settings.database_url)


@pytest.fixture(scope="module")
def make_form() -> object:
    return demo_module("make_form")


def _filled(make_form: object, target: Path, **changes: str | bool) -> Path:
    case = make_form.demo_cases(1)[0]  # type: ignore[attr-defined]
    values = make_form.form_values(case)  # type: ignore[attr-defined]
    values.update(changes)
    make_form.fill(BLANK, values, target)  # type: ignore[attr-defined]
    return target


def test_the_committed_form_is_what_the_generator_makes(make_form: object) -> None:
    fields = read_form_fields("blank", BLANK.read_bytes())
    assert set(fields) == {field.name for field in make_form.FIELDS}  # type: ignore[attr-defined]


def test_filled_forms_become_cases(
    settings: Settings, store: Store, make_form: object, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    _filled(make_form, inbox / "a.pdf", applicant_name="Áilu Čávžo", measure_built_area_m2="14,5")
    reports = run(settings, store, "byggesak-skjema", inbox)
    report = reports["a.pdf"]
    assert report.state != "quarantined", report.errors
    case = store.get_case(report.case_id)
    assert case.data["applicant"]["name"] == "Áilu Čávžo"  # UTF-16 text survives
    assert case.data["measure"]["built_area_m2"] == 14.5  # comma decimal
    assert case.data["property"]["is_developed"] is True  # ticked checkbox
    assert case.data["dispensation_requested"] is False  # empty checkbox
    assert case.reference is not None and case.reference.startswith("BS-S-")
    assert store.raw_content(report.case_id) == (inbox / "a.pdf").read_bytes()  # PDF stored
    again = run(settings, store, "byggesak-skjema", inbox)
    assert again["a.pdf"].duplicate


def test_unfilled_and_unreadable_fields_are_named(
    settings: Settings, store: Store, make_form: object, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    _filled(make_form, inbox / "b.pdf", applicant_email="", measure_ridge_height_m="høy")
    _filled(make_form, inbox / "c.pdf", applicant_national_id="12345678901")
    reports = run(settings, store, "byggesak-skjema", inbox)
    assert {r.state for r in reports.values()} == {"quarantined"}
    fields = {error["field"]: error["reason"] for error in reports["b.pdf"].errors}
    assert fields["skjemafelt 'applicant_email'"] == "feltet er ikke fylt ut"
    assert "ikke et tall" in fields["skjemafelt 'measure_ridge_height_m'"]
    (error,) = reports["c.pdf"].errors  # the model's own check, named by the form field
    assert error["field"] == "skjemafelt 'applicant_national_id' → applicant.national_id"
    assert "kontrollsiffer" in error["reason"]


def test_a_scan_without_fields_is_quarantined_not_guessed(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    scan = FPDF()
    scan.add_page()
    scan.set_font("helvetica", size=12)
    scan.cell(0, 10, "Soknad om mindre tiltak - skannet")
    scan.output(str(inbox / "skannet.pdf"))
    (inbox / "ikke-pdf.pdf").write_bytes(b"GIF89a not a pdf")
    reports = run(settings, store, "byggesak-skjema", inbox)
    scanned = reports["skannet.pdf"]
    assert scanned.state == "quarantined"
    assert "ingen skjemafelt" in scanned.errors[0]["reason"]
    assert "utfyllbare skjema" in scanned.errors[0]["fix"]
    assert "ikke en PDF" in reports["ikke-pdf.pdf"].errors[0]["reason"]


def test_demo_inbox_forms_are_valid(settings: Settings, store: Store, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(CONTENT_ROOT / "demo" / "inbox" / "byggesak-skjema", inbox)
    source = PdfFormSource(inbox, max_bytes=settings.max_input_bytes)
    assert source.count() == 4
    reports = run(settings, store, "byggesak-skjema", inbox)
    assert [r.state for r in reports.values()].count("quarantined") == 0
