"""Web fixtures: a real SQLite store filled by the byggesak robot (two kommuner), users, clients."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from runner.models.robot import load_robots
from runner.points import open_points
from runner.run import run_robot
from runner.settings import (
    CONTENT_ROOT,
    GroupGrant,
    Settings,
    SsoProvider,
    SsoSettings,
    load_settings,
)
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


# --- Single sign-on: a real OpenID Connect provider (npm oidc-provider) on loopback ---------

OIDC_DIR = CONTENT_ROOT / "tests" / "oidc"
SSO_SECRET = "test-client-secret-that-is-long-enough"
SSO_SECRET_ENV = "SAKSROBOT_TEST_SSO_SECRET"
#: group id at the provider → (role, kommuner), as [sso.providers.test.groups]
SSO_GROUPS = {
    "grp-saksbehandler-4627": ("caseworker", [HOME]),
    "grp-leder-4627": ("lead", [HOME]),
    "grp-saksbehandler-0301": ("caseworker", [OTHER]),
}
#: the provider's accounts → their groups
SSO_ACCOUNTS = {
    "kari.sso": ["grp-saksbehandler-4627", "grp-not-mapped"],
    "leder.sso": ["grp-saksbehandler-0301", "grp-leder-4627"],
    "uten.tilgang": ["grp-not-mapped"],
}


@dataclass(frozen=True)
class OidcProvider:
    """The running provider: its issuer, and the port kept for the browser tests' app."""

    issuer: str
    app_port: int

    def hook(self, path: str, body: str) -> None:
        """One of provider.mjs's test hooks (/test/tamper, /test/groups)."""
        response = httpx.post(f"{self.issuer}{path}", content=body, timeout=10)
        assert response.status_code == 204, response.text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """`node tests/oidc/provider.mjs` on a free loopback port (after `npm ci` when its
    node_modules are missing), with one client for saksrobot and the accounts above."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are not installed (apt-get install nodejs npm)")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            [npm, "ci", "--prefix", str(OIDC_DIR), "--no-audit", "--no-fund"],
            check=True,
            timeout=600,
        )
    port, app_port = free_port(), free_port()
    apps = ["http://testserver", f"http://127.0.0.1:{app_port}"]
    client = {
        "client_id": "saksrobot",
        "client_secret": SSO_SECRET,
        "redirect_uris": [f"{app}/logg-inn/sso/test/svar" for app in apps],
        "post_logout_redirect_uris": [f"{app}/logg-inn" for app in apps],
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
    }
    accounts = {
        name: {"name": name.split(".")[0].title() + " Nordmann", "groups": groups}
        for name, groups in SSO_ACCOUNTS.items()
    }
    config = tmp_path_factory.mktemp("oidc") / "provider.json"
    config.write_text(json.dumps({"port": port, "clients": [client], "accounts": accounts}))
    process = subprocess.Popen(
        [node, str(OIDC_DIR / "provider.mjs"), str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "ready" once it listens; "" if it died
        assert line.strip() == "ready", f"the OpenID provider did not start (exit {process.poll()})"
        yield OidcProvider(issuer=f"http://127.0.0.1:{port}", app_port=app_port)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def with_sso(
    settings: Settings, provider: OidcProvider, public_url: str, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """The settings with [sso] for the test provider (the secret from an environment variable)."""
    monkeypatch.setenv(SSO_SECRET_ENV, SSO_SECRET)
    sso = SsoSettings(
        public_url=public_url,
        providers={
            "test": SsoProvider(
                name="Testkommunens Entra ID",
                issuer=provider.issuer,
                client_id="saksrobot",
                client_secret_env=SSO_SECRET_ENV,
                groups={
                    group: GroupGrant(role=role, kommuner=kommuner)  # type: ignore[arg-type]
                    for group, (role, kommuner) in SSO_GROUPS.items()
                },
            )
        },
    )
    return settings.model_copy(update={"sso": sso})


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
