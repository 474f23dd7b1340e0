"""saksrobot retention [--dry-run]: counts by category, removes only without --dry-run, and
every run is in the security log."""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

from typer.testing import CliRunner

from runner.cli import app

from .conftest import DEMO_INBOX

runner = CliRunner()


def _database(cli_env: dict[str, str]) -> Path:
    return Path(cli_env["SAKSROBOT_DATA_DIR"]) / "saksrobot.db"


def _count(output: str, category: str) -> int:
    match = re.search(rf"{category}\s*│.*│\s*(\d+)", output)
    assert match, output
    return int(match.group(1))


def test_dry_run_counts_and_the_run_removes(cli_env: dict[str, str]) -> None:
    inbox = DEMO_INBOX / "byggesak"
    result = runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox), "--json"])
    assert result.exit_code == 0, result.output
    sent = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    sent = [case for case in sent if case["state"] == "sent"]
    assert sent
    fresh = runner.invoke(app, ["retention", "--dry-run"])
    assert fresh.exit_code == 0, fresh.output
    assert _count(fresh.output, "avsluttede saker") == 0  # sent just now: kept

    with closing(sqlite3.connect(_database(cli_env))) as db, db:  # sent a year ago
        db.execute("UPDATE cases SET updated_at = '2025-01-01 00:00:00.000000'")
    dry = runner.invoke(app, ["retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert _count(dry.output, "avsluttede saker") == len(sent)
    assert "Prøvekjøring: ingenting er fjernet" in dry.output
    explained = runner.invoke(app, ["explain", sent[0]["reference"], "--json"])
    assert explained.exit_code == 0 and json.loads(explained.stdout)["case"]["facts"]

    done = runner.invoke(app, ["retention"])
    assert done.exit_code == 0, done.output
    assert _count(done.output, "avsluttede saker") == len(sent)
    assert _count(runner.invoke(app, ["retention", "--dry-run"]).output, "avsluttede saker") == 0
    explained = runner.invoke(app, ["explain", sent[0]["reference"], "--json"])
    assert explained.exit_code == 0, explained.output
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0

    exported = runner.invoke(app, ["audit", "export", "--since", "2020-01-01"])
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    runs = [e for e in events if e["event_type"] == "retention"]
    assert [(e["actor"], e["actor_role"]) for e in runs] == [("cli", "operator")] * 4
    removed = [e for e in events if e["event_type"] == "personal_data_removed"]
    assert {e["object"]["id"] for e in removed} == {case["case_id"] for case in sent}
    replayed = runner.invoke(app, ["replay", sent[0]["reference"]])
    assert replayed.exit_code == 2
    assert "removed after the retention period" in replayed.output
