"""Accounts by admin scope: a kommune admin manages the caseworkers and leads of its own
kommuner only, a deployment admin every account; every change and refusal is in the
hash-chained security log."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from runner.settings import Settings
from runner.store import Store
from runner.web.accounts import create_user
from tests.web.conftest import DEMO_SETTINGS, HOME, OTHER, PASSWORD, login

BERGEN = "4601"


@pytest.fixture
def accounts(web_store: Store) -> dict[str, int]:
    """A Bergen caseworker, a shared 4627+0301 caseworker and a deployment admin."""
    made = {
        "berit": ("caseworker", [BERGEN]),
        "delt": ("caseworker", [HOME, OTHER]),
        "admin2": ("admin", [HOME]),
    }
    for username, (role, kommuner) in made.items():
        create_user(
            web_store,
            username=username,
            full_name=username.title(),
            role=role,
            kommuner=kommuner,
            password=PASSWORD,
        )
    ids = {u.username: u.id for u in web_store.users.list()}
    return ids


def _new(role: str, kommuner: str, username: str = "ny") -> dict[str, Any]:
    return {
        "username": username,
        "full_name": "Ny Bruker",
        "password": "lang-nok-passord-1",
        "role": role,
        "kommuner": kommuner,
    }


def _actions(ids: dict[str, int], target: str) -> list[tuple[str, dict[str, str]]]:
    user_id = ids[target]
    return [
        (f"/brukere/{user_id}/deaktiver", {}),
        (f"/brukere/{user_id}/aktiver", {}),
        (f"/brukere/{user_id}/passord", {}),
        (f"/brukere/{user_id}/endre", {"role": "lead", "kommuner": HOME}),
    ]


def test_kommune_admin_stays_in_its_kommuner(
    client: TestClient, web_store: Store, accounts: dict[str, int]
) -> None:
    csrf = login(client, "admin")  # admin of 4627
    creates = {
        ("lead", BERGEN): 403,
        ("lead", f"{HOME},{OTHER}"): 403,
        ("admin", HOME): 403,
        ("deployment_admin", HOME): 403,
        ("caseworker", HOME): 303,
    }
    for index, ((role, kommuner), expected) in enumerate(creates.items()):
        form = {"csrf": csrf, **_new(role, kommuner, f"ny{index}")}
        assert client.post("/brukere", data=form).status_code == expected, (role, kommuner)
    # Bergen's user, an account shared with Oslo, another admin: all out of reach (404).
    for target in ("berit", "delt", "admin2", "drift"):
        for path, form in _actions(accounts, target):
            status = client.post(path, data={"csrf": csrf, **form}).status_code
            assert status == 404, (target, path)
    berit = web_store.users.get("berit")
    assert berit is not None and not berit.disabled and berit.role == "caseworker"
    # Its own caseworker: every action works, but not promoting them out of reach.
    kari = accounts["kari"]
    promote = {"csrf": csrf, "role": "admin", "kommuner": HOME}
    assert client.post(f"/brukere/{kari}/endre", data=promote).status_code == 403
    widen = {"csrf": csrf, "role": "lead", "kommuner": f"{HOME},{BERGEN}"}
    assert client.post(f"/brukere/{kari}/endre", data=widen).status_code == 403
    for path, form in _actions(accounts, "kari"):
        assert client.post(path, data={"csrf": csrf, **form}).status_code in (200, 303), path
    kari_now = web_store.users.get("kari")
    assert kari_now is not None and kari_now.role == "lead" and not kari_now.disabled
    # The list shows the accounts of its kommuner, not Bergen's.
    page = client.get("/brukere").text
    assert "Berit" not in page and "Delt" in page
    kinds = [e.kind for e in web_store.users.log.events()]
    assert kinds.count("admin_refused") >= 10
    for kind in ("user_created", "user_disabled", "user_enabled", "password_reset"):
        assert kind in kinds, kind
    assert "user_changed" in kinds


def test_deployment_admin_manages_every_account(
    client: TestClient, web_store: Store, accounts: dict[str, int]
) -> None:
    csrf = login(client, "drift")
    form = {"csrf": csrf, **_new("admin", BERGEN, "bergenadmin")}
    assert client.post("/brukere", data=form).status_code == 303
    unserved = {"csrf": csrf, **_new("lead", "9999", "ingen")}
    assert client.post("/brukere", data=unserved).status_code == 400
    for target in ("berit", "delt", "admin2"):
        for path, extra in _actions(accounts, target):
            status = client.post(path, data={"csrf": csrf, **extra}).status_code
            assert status in (200, 303), (target, path)
    assert "Berit" in client.get("/brukere").text
    # Not its own account: no admin locks themselves out or raises their own role.
    own = client.post(f"/brukere/{accounts['drift']}/deaktiver", data={"csrf": csrf})
    assert own.status_code == 400
    events = web_store.users.log.events()
    created = [e for e in events if e.kind == "user_created"]
    assert created[-1].actor == "drift" and created[-1].data["role"] == "admin"
    assert created[-1].data["source"] == "testclient"
    assert web_store.users.log.verify() == []


def test_caseworkers_and_leads_manage_no_accounts(
    client: TestClient, accounts: dict[str, int]
) -> None:
    for username in ("kari", "leder"):
        csrf = login(client, username)
        assert client.post("/brukere", data={"csrf": csrf, **_new("lead", HOME)}).status_code == 403
        for path, form in _actions(accounts, "berit"):
            assert client.post(path, data={"csrf": csrf, **form}).status_code == 403
        client.cookies.clear()


def test_security_log_is_a_hash_chain(
    client: TestClient, web_store: Store, accounts: dict[str, int]
) -> None:
    from sqlalchemy import update

    from runner.store.engine import transaction
    from runner.store.securitylog import security_events

    csrf = login(client, "admin")
    client.post(f"/brukere/{accounts['kari']}/deaktiver", data={"csrf": csrf})
    assert web_store.users.log.verify() == []
    with transaction(web_store.engine, write=True) as conn:
        conn.execute(update(security_events).where(security_events.c.seq == 1).values(actor="noen"))
    assert web_store.users.log.verify() == ["security log seq 1: event changed (hash mismatch)"]


def test_audit_verify_checks_the_security_log(web_settings: Settings, web_store: Store) -> None:
    from sqlalchemy import update
    from typer.testing import CliRunner

    from runner.cli import app
    from runner.store.engine import transaction
    from runner.store.securitylog import security_events

    web_store.users.log.record("user_disabled", actor="cli", user_id=1)
    runner = CliRunner()
    args = [
        "audit",
        "verify",
        "--settings",
        str(DEMO_SETTINGS),
        "--store",
        web_settings.database_url,
    ]
    assert runner.invoke(app, args).exit_code == 0
    with transaction(web_store.engine, write=True) as conn:
        conn.execute(update(security_events).values(kind="user_enabled"))
    failed = runner.invoke(app, args)
    assert failed.exit_code == 1 and "security log seq 1" in failed.output
