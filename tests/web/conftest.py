"""Web fixtures: a real SQLite store filled by the byggesak robot (two kommuner), users, clients."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from runner.models.robot import load_robots
from runner.points import open_points
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, Settings, load_settings
from runner.store import Store, open_store
from runner.web.accounts import create_user
from runner.web.app import create_app

DEMO_SETTINGS = CONTENT_ROOT / "demo" / "saksrobot.toml"
DEMO_INBOX = CONTENT_ROOT / "demo" / "inbox" / "byggesak"
HOME, OTHER = "4627", "0301"
PASSWORD = "riktig-hest-batteri-stift"
#: username → (role, kommuner)
USERS = {
    "kari": ("caseworker", [HOME]),
    "leder": ("lead", [HOME]),
    "admin": ("admin", [HOME]),
    "ola": ("caseworker", [OTHER]),
    "drift": ("deployment_admin", [HOME]),
}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def review_settings(data_dir: Path, kommunenummer: str = HOME) -> Settings:
    """The demo kommune with every decision sent to review (no automatic finalising)."""
    settings = load_settings(DEMO_SETTINGS, data_dir=data_dir)
    kommune = settings.kommune.model_copy(
        update={"auto_finalise": [], "kommunenummer": kommunenummer}
    )
    return settings.model_copy(update={"kommune": kommune})


def _other_kommune_inbox(target: Path, count: int) -> Path:
    target.mkdir(parents=True)
    for path in sorted(DEMO_INBOX.glob("*.json"))[:count]:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["kommunenummer"] = OTHER
        data["reference"] = "OSLO-" + data["reference"]
        (target / ("oslo-" + path.name)).write_text(json.dumps(data), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the demo cases of kommune 4627, some of 0301, and four users; built once."""
    root = tmp_path_factory.mktemp("web-template")
    settings = review_settings(root / "data")
    robot = load_robots(settings.content_dir / "robots")["byggesak-smatiltak"]
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robot, inbox=DEMO_INBOX)
        other = review_settings(root / "data", OTHER)
        run_robot(other, store, robot, inbox=_other_kommune_inbox(root / "oslo", 8))
        bad = root / "bad"
        bad.mkdir()
        (bad / "broken.json").write_text('{"case_type": "byggesak", <script>alert(1)</script>')
        run_robot(settings, store, robot, inbox=bad)
        for username, (role, kommuner) in USERS.items():
            create_user(
                store,
                username=username,
                full_name=username.title(),
                role=role,
                kommuner=kommuner,
                password=PASSWORD,
            )
    return root / "data"


@pytest.fixture
def web_settings(template_store: Path, tmp_path: Path) -> Settings:
    """A private copy of the template store, and settings pointing at it."""
    data = tmp_path / "data"
    shutil.copytree(template_store, data)
    return review_settings(data)


@pytest.fixture
def web_store(web_settings: Settings) -> Iterator[Store]:
    with open_store(web_settings.database_url) as store:
        yield store


@pytest.fixture
def client(web_settings: Settings, web_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(web_settings, web_store), follow_redirects=False) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in; returns the session's CSRF token."""
    page = client.get("/logg-inn")
    response = client.post(
        "/logg-inn",
        data={"username": username, "password": password, "csrf": csrf_of(page.text)},
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/oversikt").text)


HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
#: A written assessment long enough for any open point.
ASSESSMENT = "Saksbehandler har kontrollert opplysningene mot kartet og vurdert punktet."


def open_point_ids(store: Store, case_id: int) -> list[str]:
    """The rule ids of the case's open points (runner/points.py)."""
    decision = store.latest_decision(case_id)
    return [point.rule_id for point in open_points(decision.results if decision else [])]


def answer_points(
    client: TestClient, store: Store, case_id: int, csrf: str, outcome: str = "ikke_oppfylt"
) -> None:
    """Answer every open point of the case on its page (each with `outcome` and a text)."""
    points = open_point_ids(store, case_id)
    if not points:
        return
    form: dict[str, str] = {"csrf": csrf, "version": str(store.get_case(case_id).version)}
    for rule_id in points:
        form[f"svar:{rule_id}"] = outcome
        form[f"vurdering:{rule_id}"] = ASSESSMENT
    response = client.post(f"/saker/{case_id}/vurdering", data=form)
    assert response.status_code == 303, response.text


def send_confirmed(
    client: TestClient, store: Store, case_id: int, csrf: str, markdown: str | None = None
) -> Response:
    """Approve as a caseworker does: "Gå videre til godkjenning" (with an edited text, if
    given), the confirmation page with the final PDF, then "Send vedtaket"."""
    case = store.get_case(case_id)
    letter = store.latest_letter(case_id)
    assert letter is not None
    form = {"csrf": csrf, "version": str(case.version), "letter_id": str(letter.id)}
    if markdown is not None:
        form["markdown"] = markdown
    first = client.post(f"/saker/{case_id}/godkjenn", data=form)
    assert first.status_code == 303, first.text
    assert first.headers["location"] == f"/saker/{case_id}/bekreft"
    page = client.get(f"/saker/{case_id}/bekreft")
    assert page.status_code == 200, page.text
    send_form = page.text[page.text.index('id="send-form"') :]
    return client.post(f"/saker/{case_id}/send", data=dict(HIDDEN.findall(send_form)))
