"""Every command, run with a user's mistake, prints what is wrong and how to fix it: no
traceback. The mistakes: a missing settings file, malformed TOML, an unreachable database
(a missing SQLite file and a PostgreSQL server nobody listens on) and a wrong robot id.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runner.cli import app
from tests.conftest import DEMO_SETTINGS

runner = CliRunner()

#: Every command that reads settings, with the arguments it needs.
COMMANDS: list[list[str]] = [
    ["run", "byggesak-smatiltak"],
    ["status"],
    ["explain", "BS-2026-000107"],
    ["forelopig-svar", "--dry-run"],
    ["report", "--xlsx", "report.xlsx"],
    ["cases", "list"],
    ["cases", "retry", "BS-2026-000107"],
    ["audit", "verify"],
    ["audit", "export", "--since", "2026-01-01"],
    ["retention", "--dry-run"],
    ["db", "upgrade"],
    ["users", "list"],
    ["users", "add", "kari", "--name", "Kari", "--kommune", "4627"],
    ["users", "passwd", "kari"],
    ["users", "disable", "kari"],
    ["replay", "BS-2026-000107"],
    ["kommuner", "list"],
    ["kommuner", "check"],
    ["worker", "--idle-exit"],
]
#: Commands that open the store (the rest read settings only).
NO_STORE = {("kommuner", "list"), ("kommuner", "check")}


def _assert_one_message(output: str, *expected: str) -> None:
    assert "Traceback" not in output, output
    assert output.startswith("Feil: "), output
    assert len(output.strip().splitlines()) <= 3, output  # the error, its fix (and a file)
    assert "Slik retter du det" in output or " — " in output, output
    for text in expected:
        assert text in output, output


@pytest.fixture(autouse=True)
def _no_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAKSROBOT_SETTINGS", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_settings_given(command: list[str]) -> None:
    result = runner.invoke(app, command)
    assert result.exit_code == 2
    _assert_one_message(result.output, "Ingen innstillinger", "--settings")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_missing_settings_file(command: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, [*command, "--settings", str(tmp_path / "nowhere.toml")])
    assert result.exit_code == 2
    _assert_one_message(result.output, "Fant ikke innstillingsfilen")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_malformed_toml(command: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "saksrobot.toml"
    bad.write_text('log_level = info\n[kommune]\nname = "Askøy"\n', encoding="utf-8")
    result = runner.invoke(app, [*command, "--settings", str(bad)])
    assert result.exit_code == 2
    _assert_one_message(result.output, "kan ikke leses", "TOML", "[seksjoner]")


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if tuple(c[:2]) not in NO_STORE], ids=" ".join
)
def test_a_missing_sqlite_file(command: list[str], tmp_path: Path) -> None:
    store = tmp_path / "no" / "such" / "saksrobot.db"
    arguments = [*command, "--settings", str(DEMO_SETTINGS), "--store", f"sqlite:///{store}"]
    result = runner.invoke(app, arguments)
    if command == ["db", "upgrade"]:  # the one command that creates a store
        assert result.exit_code == 0, result.output
        assert store.is_file()
        return
    assert result.exit_code == 2
    _assert_one_message(result.output, "finnes ikke", "saksrobot db upgrade")
    assert not store.parent.exists()


@pytest.mark.parametrize(
    "command", [c for c in COMMANDS if tuple(c[:2]) not in NO_STORE], ids=" ".join
)
def test_an_unreachable_database(command: list[str]) -> None:
    url = "postgres://saksrobot:secret@127.0.0.1:1/saksrobot"  # postgres:// is understood
    result = runner.invoke(app, [*command, "--settings", str(DEMO_SETTINGS), "--store", url])
    assert result.exit_code == 2
    _assert_one_message(result.output, "kan ikke brukes", "databaseserveren")
    assert "secret" not in result.output


def test_a_wrong_robot_id(tmp_path: Path) -> None:
    store = tmp_path / "saksrobot.db"
    arguments = ["--settings", str(DEMO_SETTINGS), "--store", f"sqlite:///{store}"]
    assert runner.invoke(app, ["db", "upgrade", *arguments]).exit_code == 0
    for command in (["run", "byggesak-smatiltk"], ["worker", "--idle-exit", "--robots", "nope"]):
        result = runner.invoke(app, [*command, *arguments])
        assert result.exit_code == 2, result.output
        _assert_one_message(result.output)


def test_a_misspelt_key_gets_did_you_mean(tmp_path: Path) -> None:
    text = DEMO_SETTINGS.read_text(encoding="utf-8").replace("auto_finalise", "auto_finalize", 1)
    shutil.copytree(DEMO_SETTINGS.parent / "kommuner", tmp_path / "kommuner")
    settings = tmp_path / "saksrobot.toml"  # beside its kommuner/, as in demo/
    settings.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["kommuner", "check", "--settings", str(settings)])
    assert result.exit_code == 2
    assert "kommune.auto_finalize: ukjent nøkkel (mente du auto_finalise?)" in result.output


def test_users_only_for_kommuner_served(tmp_path: Path) -> None:
    store = tmp_path / "saksrobot.db"
    arguments = ["--settings", str(DEMO_SETTINGS), "--store", f"sqlite:///{store}"]
    assert runner.invoke(app, ["db", "upgrade", *arguments]).exit_code == 0
    result = runner.invoke(
        app, ["users", "add", "kari", "--name", "Kari", "--kommune", "9999", *arguments]
    )
    assert result.exit_code == 2
    _assert_one_message(result.output, "Kommune 9999 betjenes ikke", "4627")


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("saksrobot ")
