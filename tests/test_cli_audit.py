"""saksrobot audit export: JSON lines a SIEM reads, to stdout or a private file; and verify."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from runner.cli import app

from .conftest import DEMO_INBOX

runner = CliRunner()


def test_export_writes_one_event_per_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    inbox = DEMO_INBOX / "byggesak"
    assert runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox)]).exit_code == 0
    added = runner.invoke(app, ["users", "add", "kari", "--name", "Kari", "--kommune", "4627"])
    assert added.exit_code == 0, added.output

    target = tmp_path / "siem" / "audit.jsonl"
    target.parent.mkdir()
    result = runner.invoke(
        app, ["audit", "export", "--since", "2020-01-01", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert {line["event_type"] for line in lines} >= {"received", "validated", "user_created"}
    created = [line for line in lines if line["event_type"] == "user_created"]
    assert [(c["actor"], c["actor_role"], c["kommune"]) for c in created] == [
        ("cli", "operator", "4627")
    ]
    assert f"{len(lines)} hendelser eksportert" in result.output
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind

    printed = runner.invoke(app, ["audit", "export", "--since", "2020-01-01"])
    assert printed.exit_code == 0
    assert [json.loads(line) for line in printed.stdout.splitlines()] == lines
    none = runner.invoke(app, ["audit", "export", "--since", "2020-01-01", "--until", "2020-01-02"])
    assert none.exit_code == 0 and none.stdout == ""
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_a_date_that_is_not_one_says_how_to_write_it(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["audit", "export", "--since", "1. desember"])
    assert result.exit_code == 2
    assert "--since '1. desember' er ikke en dato" in result.output
    assert "2026-12-01" in result.output and "Traceback" not in result.output
    backwards = runner.invoke(
        app, ["audit", "export", "--since", "2026-12-02", "--until", "2026-12-01"]
    )
    assert backwards.exit_code == 2 and "--until" in backwards.output
