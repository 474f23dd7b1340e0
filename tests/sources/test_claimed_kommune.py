"""A quarantined item keeps the kommune its content states, read before validation in the
item's own shape (case JSON, NAV søknad, PDF form, Excel row); one whose kommune cannot be
read has none, and is never taken as the deployment's default kommune's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runner.casework.retry import retry_case
from runner.settings import CONTENT_ROOT, Settings
from runner.store import CaseState, Store, open_store

from .helpers import demo_module, run

DEMO_CASE = CONTENT_ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000107.json"
NAV = Path(__file__).parent / "fixtures" / "nav-soknad.json"
DIBK = Path(__file__).parent / "fixtures" / "dibk-tiltak-uten-ansvarsrett.xml"
BLANK_FORM = CONTENT_ROOT / "demo" / "forms" / "soknad-mindre-tiltak.pdf"


@pytest.fixture
def store(settings: Settings) -> Store:
    return open_store(settings.database_url)


def _quarantined(store: Store, reports: dict[str, Any]) -> dict[str, str | None]:
    """source_ref → kommunenummer of each quarantined case."""
    found = {}
    for ref, report in reports.items():
        case = store.get_case(report.case_id)
        if case.state == CaseState.quarantined:
            found[ref] = case.kommunenummer
    return found


def test_case_json_states_its_kommune(settings: Settings, store: Store, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = json.loads(DEMO_CASE.read_text(encoding="utf-8"))
    bergen = {**case, "kommunenummer": "4601", "received_at": "ikke en dato"}
    (inbox / "bergen.json").write_text(json.dumps(bergen), encoding="utf-8")
    not_served = {**case, "kommunenummer": "5001"}
    (inbox / "trondheim.json").write_text(json.dumps(not_served), encoding="utf-8")
    (inbox / "broken.json").write_text('{"case_type": "byggesak", "kommunenummer": "4601",')
    (inbox / "binary.json").write_bytes(b"\x00\xff\xfe" * 20)
    (inbox / "not-a-number.json").write_text(
        json.dumps({**case, "kommunenummer": "46O1"}), encoding="utf-8"
    )
    reports = run(settings, store, "byggesak-smatiltak", inbox)
    assert _quarantined(store, reports) == {
        "bergen.json": "4601",
        "trondheim.json": "5001",
        "broken.json": None,
        "binary.json": None,
        "not-a-number.json": None,
    }
    assert settings.kommune.kommunenummer == "4627"  # none of them became the default's


def test_nav_soknad_states_its_kommune(settings: Settings, store: Store, tmp_path: Path) -> None:
    document = json.loads(NAV.read_text(encoding="utf-8"))
    document["mottaker"]["kommunenummer"] = "0301"
    del document["data"]["personalia"]["navn"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "nav.json").write_text(json.dumps(document), encoding="utf-8")
    reports = run(settings, store, "sosialhjelp-nav", inbox)
    assert _quarantined(store, reports) == {"nav.json": "0301"}


def test_dibk_application_states_its_kommune(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """A DiBK application put aside belongs to the kommune of its first eiendomByggested, read
    from the XML without the XSD check; broken XML or another form belongs to none."""
    from runner.models.robot import FolderSourceConfig
    from runner.run import find_robot

    xml = DIBK.read_text(encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bad_number = xml.replace(
        "<kommunenummer>4627</kommunenummer>", "<kommunenummer>4601</kommunenummer>"
    )
    (inbox / "bergen.xml").write_text(bad_number.replace("<BRA>56.7</BRA>", "<BRA>femti</BRA>"))
    (inbox / "broken.xml").write_text(xml[: len(xml) // 2])
    (inbox / "other-form.xml").write_text(
        xml.replace("tiltakutenansvarsrett/3.0", "annetskjema/1.0"), encoding="utf-8"
    )
    robot = find_robot(settings, "byggesak-smatiltak")
    source = FolderSourceConfig(kind="folder", path="inbox", format="dibk-tiltak-uten-ansvarsrett")
    reports = run(settings, store, robot.model_copy(update={"source": source}), inbox)
    assert _quarantined(store, reports) == {
        "bergen.xml": "4601",
        "broken.xml": None,
        "other-form.xml": None,
    }


def test_excel_row_states_its_kommune(settings: Settings, store: Store, tmp_path: Path) -> None:
    make_excel = demo_module("make_excel")
    rows = make_excel.batch_rows(3, bad_row=1)
    column = list(make_excel.COLUMNS).index("Kommunenr")
    rows[1][column] = "4601"
    make_excel.write_batch(tmp_path / "inbox" / "saker.xlsx", rows)
    reports = run(settings, store, "byggesak-excel", tmp_path / "inbox")
    assert _quarantined(store, reports) == {"saker.xlsx!Saker:3": "4601"}


def test_pdf_form_states_its_kommune(settings: Settings, store: Store, tmp_path: Path) -> None:
    make_form = demo_module("make_form")
    values = make_form.form_values(make_form.demo_cases(1)[0])
    values.update(kommunenummer="0301", measure_built_area_m2="ca. førti")
    make_form.fill(BLANK_FORM, values, tmp_path / "inbox" / "skjema.pdf")
    reports = run(settings, store, "byggesak-skjema", tmp_path / "inbox")
    assert _quarantined(store, reports) == {"skjema.pdf": "0301"}


def test_a_retried_file_is_owned_by_the_kommune_it_now_states(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = json.loads(DEMO_CASE.read_text(encoding="utf-8"))
    bad = {**case, "kommunenummer": "4601", "received_at": "ikke en dato"}
    (inbox / "sak.json").write_text(json.dumps(bad), encoding="utf-8")
    (report,) = run(settings, store, "byggesak-smatiltak", inbox).values()
    assert store.get_case(report.case_id).kommunenummer == "4601"
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    (fixed / "sak.json").write_text(json.dumps({**bad, "kommunenummer": "0301"}))
    again = retry_case(settings, store, str(report.case_id), file=fixed / "sak.json").case
    assert (again.state, again.kommunenummer) == (CaseState.quarantined, "0301")
    (fixed / "sak.json").write_text('{"case_type": "byggesak", "kommunenummer": "0301",')
    again = retry_case(settings, store, str(report.case_id), file=fixed / "sak.json").case
    assert (again.state, again.kommunenummer) == (CaseState.quarantined, None)
