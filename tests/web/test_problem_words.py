"""Why an item is in quarantine and why a case is parked, in the reader's målform: a case
file with a missing field and a NAV søknad with a bad field are shown in nynorsk to a
nynorsk reader (bokmål to a bokmål one), a parked case says why in nynorsk, and a record
made before problems had words shows its stored text."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update

from runner.errors import ChannelError
from runner.models.robot import RobotDefinition
from runner.run import find_robot
from runner.settings import Settings
from runner.steps.failures import park
from runner.store import CaseRecord, CaseState, Store
from runner.store.engine import transaction
from runner.store.schema import cases
from tests.sources.helpers import run
from tests.test_problems import BOKMAL_ONLY
from tests.web.conftest import DEMO_INBOX, HOME, answer_points, login, send_confirmed
from tests.web.test_no_english import english_in
from tests.web.test_words import _nynorsk, _text

NAV_FIXTURE = Path(__file__).resolve().parents[1] / "sources" / "fixtures" / "nav-soknad.json"
ROWS = re.compile(r'<section class="card" aria-labelledby="err-h">.*?</section>', re.S)


def _quarantine(settings: Settings, store: Store, tmp_path: Path) -> tuple[int, int]:
    """A byggesak case file without its applicant and a NAV søknad whose account number has
    three digits, both of HOME, quarantined: their case ids."""
    byggesak = tmp_path / "byggesak"
    byggesak.mkdir()
    case = json.loads(sorted(DEMO_INBOX.glob("*.json"))[0].read_text(encoding="utf-8"))
    del case["applicant"]
    case["reference"] = "Q-UTAN-SOKJAR"
    (byggesak / "uten-soker.json").write_text(json.dumps(case), encoding="utf-8")
    nav = tmp_path / "nav"
    nav.mkdir()
    document = json.loads(NAV_FIXTURE.read_text(encoding="utf-8"))
    document["data"]["personalia"]["kontonummer"]["verdi"] = "123"
    (nav / "nav-feil.json").write_text(json.dumps(document), encoding="utf-8")
    found = run(settings, store, "byggesak-smatiltak", byggesak)
    found |= run(settings, store, "sosialhjelp-nav", nav)
    ids = []
    for name in ("uten-soker.json", "nav-feil.json"):
        record = store.get_case(found[name].case_id)
        assert record.state == CaseState.quarantined and record.kommunenummer == HOME, name
        ids.append(record.id)
    return ids[0], ids[1]


def _errors(page: str) -> str:
    """The item page's table of problems, as read."""
    match = ROWS.search(page)
    assert match is not None
    return " ".join(_text(match.group(0)).split())


def test_quarantined_items_are_shown_in_the_readers_malform(
    client: TestClient, web_settings: Settings, web_store: Store, tmp_path: Path
) -> None:
    case_file, nav_file = _quarantine(web_settings, web_store, tmp_path)
    csrf = login(client, "kari")
    bokmal = _errors(client.get(f"/karantene/{case_file}").text)
    assert "applicant feltet mangler legg til feltet" in bokmal
    nav_bokmal = _errors(client.get(f"/karantene/{nav_file}").text)
    assert "data.personalia.kontonummer" in nav_bokmal  # the NAV path, beside the case's
    assert "kontonummeret må være 11 sifre" in nav_bokmal
    _nynorsk(client, csrf)
    nynorsk = _errors(client.get(f"/karantene/{case_file}").text)
    assert "applicant feltet manglar legg til feltet" in nynorsk
    nav_nynorsk = _errors(client.get(f"/karantene/{nav_file}").text)
    assert "kontonummeret må vere 11 siffer" in nav_nynorsk
    listing = " ".join(_text(client.get("/karantene").text).split())
    assert "feltet manglar" in listing and "kontonummeret må vere 11 siffer" in listing
    for seen in (nynorsk, nav_nynorsk):
        words = re.sub(r"\S*[._]\S*", " ", seen)  # field paths are the item's own names
        assert not BOKMAL_ONLY.findall(words), (BOKMAL_ONLY.findall(words), seen)
        assert not english_in(f"<p>{words}</p>"), seen


def _parked(client: TestClient, store: Store, robot: RobotDefinition, error: Exception) -> int:
    """A case of HOME sent, then parked by `error` as the pipeline parks it."""
    csrf = login(client, "kari")
    case = next(
        c
        for c in store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
        if store.latest_letter(c.id) is not None
    )
    answer_points(client, store, case.id, csrf)
    send_confirmed(client, store, case.id, csrf)
    record: CaseRecord = store.get_case(case.id)
    park(store, record, error, robot.source)
    assert store.get_case(case.id).state == CaseState.parked
    client.post("/logg-ut", data={"csrf": csrf})
    return case.id


def _why(page: str) -> str:
    match = re.search(r'<section aria-labelledby="parked-h".*?</section>', page, re.S)
    assert match is not None, "no reason on the parked case's page"
    return " ".join(_text(match.group(0)).split())


def test_a_parked_case_says_why_in_the_readers_malform(
    client: TestClient, web_settings: Settings, web_store: Store
) -> None:
    robot = find_robot(web_settings, "byggesak-smatiltak")
    channel = _parked(client, web_store, robot, ChannelError("Connection refused", fix="Retry."))
    bug = _parked(client, web_store, robot, KeyError("applicant"))
    csrf = login(client, "kari")
    why = _why(client.get(f"/saker/{channel}").text)
    assert "Hvorfor saken er stoppet" in why
    assert "brevet kunne ikke leveres gjennom kanalen" in why
    assert f"saksnummeret {channel}" in why and "Connection" not in why
    _nynorsk(client, csrf)
    why = _why(client.get(f"/saker/{channel}").text)
    assert "Kvifor saka er stoppa" in why
    assert "brevet kunne ikkje leverast gjennom kanalen" in why
    assert f"gi driftsansvarleg saksnummeret {channel}" in why
    internal = _why(client.get(f"/saker/{bug}").text)
    assert "uventa feil i roboten (KeyError) i tilstanden «Sendt»" in internal
    assert "applicant" not in internal  # the message may quote the case: not shown
    for seen in (why, internal):
        words = seen.replace("KeyError", " ")
        assert not BOKMAL_ONLY.findall(words), (BOKMAL_ONLY.findall(words), seen)
        assert not english_in(f"<p>{words}</p>"), seen
    assert web_store.get_case(bug).last_error is not None  # the operator's text, in bokmål
    assert "uventet feil i roboten (KeyError)" in str(web_store.get_case(bug).last_error)


def test_a_record_without_words_shows_its_stored_text(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    old = web_store.list_cases(state=CaseState.quarantined, kommunenummer=HOME)[0]
    stored = [{"field": "x", "reason": "lagret grunn", "fix": "lagret retting"}]
    with transaction(web_store.engine, write=True) as conn:  # a record of an earlier version
        conn.execute(update(cases).where(cases.c.id == old.id).values(errors=stored))
    _nynorsk(client, csrf)
    assert "lagret grunn lagret retting" in _errors(client.get(f"/karantene/{old.id}").text)
