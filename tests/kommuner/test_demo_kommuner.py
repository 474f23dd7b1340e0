"""Each demo kommune's case gets its own letterhead, målform and fee; unknown ones are refused."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, Settings, load_settings
from runner.store import CaseRecord, Store, open_store

DEMO_SETTINGS = CONTENT_ROOT / "demo" / "saksrobot.toml"
DEMO_INBOX = CONTENT_ROOT / "demo" / "inbox" / "byggesak"
#: kommunenummer → (letterhead title, phone, målform, fee for innvilget, appeal body's place)
EXPECTED = {
    "4627": ("Askøy kommune", "56 15 80 00", None, 6400, "i Vestland"),
    "4601": ("Bergen kommune", "55 56 55 56", "nn", 7200, "i Vestland"),
    "0301": ("Oslo kommune", "21 80 21 80", "nb", 9800, "i Østfold"),
}
#: The appeal body's title in each målform.
STATSFORVALTER = {"nb": "Statsforvalteren", "nn": "Statsforvaltaren"}


def _all_automatic(settings: Settings) -> Settings:
    """Every demo kommune finalises clear byggesak cases, so each gets a PDF without review."""
    robots = ["byggesak-smatiltak"]
    kommuner = {
        number: kommune.model_copy(update={"auto_finalise": robots})
        for number, kommune in settings.kommuner.items()
    }
    return settings.model_copy(update={"kommuner": kommuner, "kommune": kommuner["4627"]})


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store]]:
    root = tmp_path_factory.mktemp("kommuner")
    inbox = root / "inbox"
    shutil.copytree(DEMO_INBOX, inbox)
    # Here every kommune verifies plan conformity (the demo gives only Askøy that), so each
    # kommune has granted cases whose letters show its letterhead.
    for path in inbox.glob("*.json"):
        case = json.loads(path.read_text(encoding="utf-8"))
        if case["plan"]["conforms"] is not None and not case.get("verified"):
            case["verified"] = [{"fact": "plan.conforms", "source": "kartdata"}]
            path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    unknown = json.loads(sorted(DEMO_INBOX.glob("*.json"))[0].read_text(encoding="utf-8"))
    unknown.update(kommunenummer="5001", reference="TRD-2026-000001")
    (inbox / "TRD-2026-000001.json").write_text(json.dumps(unknown), encoding="utf-8")
    settings = _all_automatic(load_settings(DEMO_SETTINGS, data_dir=root / "data"))
    robot = load_robots(settings.content_dir / "robots")["byggesak-smatiltak"]
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robot, inbox=inbox)
        yield settings, store


def _granted(store: Store, kommunenummer: str) -> CaseRecord:
    sent = [
        case
        for case in store.list_cases(state="sent", kommunenummer=kommunenummer, limit=500)
        if case.outcome == "innvilget"
    ]
    assert sent, f"no granted demo case for {kommunenummer}"
    return sent[0]


def test_demo_settings_serve_three_kommuner_one_of_them_nynorsk() -> None:
    settings = load_settings(DEMO_SETTINGS)
    assert set(settings.kommuner) == {"4627", "4601", "0301"}
    assert settings.kommune.kommunenummer == "4627"
    assert settings.kommune_for("4601").malform == "nn"


@pytest.mark.parametrize("kommunenummer", sorted(EXPECTED))
def test_each_kommune_gets_its_letterhead_malform_and_fee(
    demo_run: tuple[Settings, Store], kommunenummer: str
) -> None:
    _settings, store = demo_run
    title, phone, malform, fee, appeal = EXPECTED[kommunenummer]
    case = _granted(store, kommunenummer)
    letter = store.latest_letter(case.id)
    assert letter is not None and letter.pdf_path is not None
    if malform is not None:
        assert letter.malform == malform
    assert f"{fee:,}".replace(",", "\xa0") in letter.markdown.replace(" ", "\xa0")
    assert f"{STATSFORVALTER[letter.malform]} {appeal}" in letter.markdown
    text = "\n".join(
        page.extract_text() for page in PdfReader(BytesIO(Path(letter.pdf_path).read_bytes())).pages
    )
    assert title in text and phone in text
    for other, (other_title, *_rest) in EXPECTED.items():
        if other != kommunenummer:
            assert other_title not in text


def test_a_case_of_a_kommune_not_served_is_quarantined_with_that_reason(
    demo_run: tuple[Settings, Store],
) -> None:
    _settings, store = demo_run
    quarantined = store.list_cases(state="quarantined", limit=500)
    assert len(quarantined) == 1
    errors = json.dumps([error for case in quarantined for error in case.errors])
    assert "5001" in errors and "betjenes ikke" in errors
