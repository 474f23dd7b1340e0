"""The saksrobot command: every command has help; run, status, cases list and explain work."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from runner.cli import app

from .conftest import DEMO_INBOX

runner = CliRunner()


def _all_commands(command: Any, prefix: str = "") -> list[tuple[str, Any]]:
    # typer ships its own copy of click, so walk the tree by attributes, not by isinstance.
    found = [(prefix.strip(), command)]
    for name, sub in getattr(command, "commands", {}).items():
        found.extend(_all_commands(sub, f"{prefix} {name}"))
    return found


COMMANDS = _all_commands(get_command(app))


def test_the_command_tree_is_walked() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"run", "demo", "status", "explain", "cases list", "rules test"} <= names


@pytest.mark.parametrize(
    "name,command", COMMANDS, ids=[name or "saksrobot" for name, _ in COMMANDS]
)
def test_every_command_and_option_has_help(name: str, command: Any) -> None:
    assert command.help, f"command '{name}' has no help text"
    for param in command.params:
        if getattr(param, "param_type_name", "") == "option":
            assert param.help, f"option {param.opts} of '{name}' has no help text"


def test_run_json_prints_one_object_per_case(cli_env: dict[str, str]) -> None:
    inbox = DEMO_INBOX / "byggesak"
    result = runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(list(inbox.glob("*.json")))
    for line in lines:
        assert {"reference", "state", "outcome", "route", "reasons", "letter"} <= set(line)
        if line["state"] == "sent":
            assert line["letter"].endswith(".pdf")
            assert (Path(cli_env["SAKSROBOT_DATA_DIR"]) / "outbox" / line["letter"]).is_file()
    states = {line["state"] for line in lines}
    assert {"sent", "pending_review"} <= states

    again = runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox), "--json"])
    assert again.exit_code == 0
    repeat = [json.loads(line) for line in again.stdout.splitlines() if line.startswith("{")]
    assert all(line["duplicate"] for line in repeat)


def test_status_cases_and_explain(cli_env: dict[str, str]) -> None:
    inbox = DEMO_INBOX / "byggesak"
    assert runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox)]).exit_code == 0
    status = runner.invoke(app, ["status", "--json"])
    assert status.exit_code == 0
    counts = json.loads(status.stdout)
    assert sum(row["count"] for row in counts) == len(list(inbox.glob("*.json")))

    listed = runner.invoke(app, ["cases", "list", "--state", "pending_review", "--json"])
    assert listed.exit_code == 0
    first = json.loads(listed.stdout.splitlines()[0])
    assert first["state"] == "pending_review"

    explained = runner.invoke(app, ["explain", first["reference"], "--json"])
    assert explained.exit_code == 0, explained.output
    data = json.loads(explained.stdout)
    results = data["decision"]["results"]
    assert results and all(r["legal_basis"] for r in results)
    assert all("lovdata.no" in b["url"] or "regjeringen.no" in b["url"]
               for r in results for b in r["legal_basis"])
    human = runner.invoke(app, ["explain", str(first["id"])])
    assert human.exit_code == 0
    assert "Rettslig grunnlag" in human.stdout

    national_id = data["case"]["facts"]["applicant"]["national_id"]  # masked by default
    assert national_id.endswith(" *****") and len(national_id) == 12, national_id
    for shown in (human.stdout, explained.stdout):
        assert not re.search(r"(?<![0-9])[0-9]{11}(?![0-9])", shown)
    full = runner.invoke(app, ["explain", first["reference"], "--json", "--show-personal-data"])
    assert json.loads(full.stdout)["case"]["facts"]["applicant"]["national_id"].isdigit()


def test_unknown_case_is_a_clear_error(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["explain", "FINNES-IKKE"])
    assert result.exit_code == 2
    assert "FINNES-IKKE" in result.output


def test_unknown_robot_is_a_clear_error(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "no-such-robot", "--inbox", str(tmp_path)])
    assert result.exit_code == 2
    assert "byggesak-smatiltak" in result.output


def test_cases_list_shows_how_to_fix_each_quarantine_problem(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = json.loads(sorted((DEMO_INBOX / "byggesak").glob("*.json"))[0].read_text())
    unserved = {**case, "reference": "BS-UNSERVED", "kommunenummer": "9999"}
    comma = {**case, "reference": "BS-COMMA"}
    comma["measure"] = {**case["measure"], "built_area_m2": "3,4"}
    for item in (unserved, comma):
        (inbox / f"{item['reference']}.json").write_text(json.dumps(item), encoding="utf-8")
    ran = runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox)])
    assert ran.exit_code in (0, 1), ran.output
    wide = {"COLUMNS": "400"}  # one line per case: the words are not wrapped in the cell
    listed = runner.invoke(app, ["cases", "list", "--state", "quarantined"], env=wide)
    assert listed.exit_code == 0, listed.output
    text = " ".join(listed.stdout.split())
    assert "betjenes ikke" in text and "legg 9999 til" in text
    assert "built_area_m2" in text and "punktum som desimaltegn" in text
    assert text.count("rett slik:") >= 2
