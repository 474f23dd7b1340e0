"""`saksrobot users add/list/disable`, `saksrobot demo` creating the demo caseworker."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from runner.cli import app
from runner.settings import Settings
from runner.store import open_store
from runner.web.passwords import verify_password

runner = CliRunner()


def test_users_add_list_disable(cli_env: dict[str, str], settings: Settings) -> None:
    added = runner.invoke(
        app,
        ["users", "add", "kari", "--name", "Kari Nordmann", "--kommune", "4627", "--role", "lead"],
    )
    assert added.exit_code == 0, added.output
    password = re.search(r"Passord \(vises bare nå\): (\S+)", added.output)
    assert password is not None
    with open_store(settings.database_url) as store:
        user = store.users.get("kari")
        assert user is not None and (user.role, user.kommuner) == ("lead", ["4627"])
        assert verify_password(user.password_hash, password.group(1))
    twice = runner.invoke(app, ["users", "add", "kari", "--name", "K", "--kommune", "4627"])
    assert twice.exit_code == 2 and "already exists" in twice.output
    bad_role = runner.invoke(
        app, ["users", "add", "x", "--name", "X", "--kommune", "4627", "--role", "boss"]
    )
    assert bad_role.exit_code == 2 and "caseworker, lead, admin" in bad_role.output
    stdin = runner.invoke(
        app,
        ["users", "add", "ola", "--name", "Ola", "--kommune", "0301", "--password-stdin"],
        input="et-langt-passord\n",
    )
    assert stdin.exit_code == 0 and "Passord" not in stdin.output
    listed = runner.invoke(app, ["users", "list"])
    assert "kari\tKari Nordmann\tlead\t4627\taktiv" in listed.output
    assert runner.invoke(app, ["users", "disable", "kari"]).exit_code == 0
    assert (
        "kari\tKari Nordmann\tlead\t4627\tdeaktivert"
        in runner.invoke(app, ["users", "list"]).output
    )
    assert runner.invoke(app, ["users", "disable", "nobody"]).exit_code == 2


def test_demo_creates_the_demo_caseworker_once(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "saksrobot serve" in result.output and "http://127.0.0.1:8000/" in result.output
    assert re.search(r"Demobruker: saksbehandler, passord \(vises bare nå\): \S{16}", result.output)
    again = runner.invoke(app, ["demo", "--keep"])
    assert "passordet ble vist da brukeren ble opprettet" in again.output
