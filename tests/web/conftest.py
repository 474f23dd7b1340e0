"""Web fixtures: a real SQLite store filled by the byggesak robot (two kommuner), users, clients."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, Settings, load_settings
from runner.store import Store, open_store
from runner.web.accounts import create_user
from runner.web.app import create_app

DEMO_SETTINGS = CONTENT_ROOT / "demo" / "saksrobot.toml"
DEMO_INBOX = CONTENT_ROOT / "demo" / "inbox" / "byggesak"
HOME, OTHER = "4627", "0301"
#: A third served kommune of the demo (Bergen), and one the demo does not serve (Trondheim).
BERGEN, NOT_SERVED = "4601", "5001"
PASSWORD = "riktig-hest-batteri-stift"
#: username → (role, kommuner)
USERS = {
    "kari": ("caseworker", [HOME]),
    "leder": ("lead", [HOME]),
    "admin": ("admin", [HOME]),
    "ola": ("caseworker", [OTHER]),
    "bjorg": ("caseworker", [BERGEN]),
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


#: The template store's quarantined items: file name → the kommunenummer its content states
#: (None: none can be read). Each but broken.json is a demo case with a name and national id.
QUARANTINED = {
    "broken.json": None,
    "askoy-bad.json": HOME,
    "bergen-bad.json": BERGEN,
    "trondheim.json": NOT_SERVED,
}


def _bad_inbox(target: Path) -> Path:
    """Items the byggesak robot quarantines: broken JSON, a case of each of two served
    kommuner with a date that is not one, and a valid case of a kommune not served."""
    target.mkdir(parents=True)
    (target / "broken.json").write_text('{"case_type": "byggesak", <script>alert(1)</script>')
    demo = json.loads(sorted(DEMO_INBOX.glob("*.json"))[0].read_text(encoding="utf-8"))
    for name, kommune in QUARANTINED.items():
        if kommune is None:
            continue
        case = {**demo, "kommunenummer": kommune, "reference": f"Q-{kommune}"}
        if kommune != NOT_SERVED:
            case["received_at"] = "ikke en dato"
        (target / name).write_text(json.dumps(case), encoding="utf-8")
    return target


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
    """A store with the demo cases (4627 and 4601), some of 0301, the QUARANTINED items
    and the USERS; built once."""
    root = tmp_path_factory.mktemp("web-template")
    settings = review_settings(root / "data")
    robot = load_robots(settings.content_dir / "robots")["byggesak-smatiltak"]
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robot, inbox=DEMO_INBOX)
        other = review_settings(root / "data", OTHER)
        run_robot(other, store, robot, inbox=_other_kommune_inbox(root / "oslo", 8))
        run_robot(settings, store, robot, inbox=_bad_inbox(root / "bad"))
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
