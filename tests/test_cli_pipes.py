"""The CLI when its output is piped (CI logs, files, grep): whole tables, one line per row;
and the rule tools' errors go the one way every command's do (Feil: … on stderr, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from runner.cli import app
from runner.settings import CONTENT_ROOT

from .conftest import DEMO_INBOX

runner = CliRunner()
SMATILTAK = CONTENT_ROOT / "rules" / "byggesak-smatiltak"


def _run_cases(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = json.loads((DEMO_INBOX / "byggesak" / "BS-2026-000107.json").read_text())
    comma = {**case, "reference": "BS-COMMA"}
    comma["measure"] = {**case["measure"], "built_area_m2": "3,4"}
    for item in (case, comma):
        (inbox / f"{item['reference']}.json").write_text(json.dumps(item), encoding="utf-8")
    ran = runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox)])
    assert ran.exit_code in (0, 1), ran.output


def test_cases_list_piped_keeps_each_row_on_one_line(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    _run_cases(tmp_path)
    listed = runner.invoke(app, ["cases", "list"])
    assert listed.exit_code == 0, listed.output
    (row,) = [line for line in listed.stdout.splitlines() if "BS-COMMA" in line]
    assert "quarantined" in row and "built_area_m2" in row
    assert "punktum som desimaltegn" in row and "rett slik:" in row  # the whole fix
    assert "…" not in listed.stdout
    widest = max(len(line) for line in listed.stdout.splitlines())
    assert 110 < widest < 1000  # wider than before, and only as wide as the content


def test_explain_piped_shows_every_rule_whole(cli_env: dict[str, str], tmp_path: Path) -> None:
    _run_cases(tmp_path)
    explained = runner.invoke(app, ["explain", "BS-2026-000107"])
    assert explained.exit_code == 0, explained.output
    lines = explained.stdout.splitlines()
    (row,) = [line for line in lines if "│ plan_samsvar " in line]
    assert "oppfylt" in row and "https://lovdata.no/lov/2008-06-27-71/§1-6" in row
    assert "…" not in row
    facts = next(line for line in lines if '"reference": "BS-2026-000107"' in line)
    # The facts panel fits the facts (its longest line is a map fact's provenance), not the
    # pipe's 1,000 columns.
    assert len(facts) < 400


def test_rules_diff_with_a_bad_date_is_one_error_on_stderr() -> None:
    result = runner.invoke(app, ["rules", "diff", str(SMATILTAK), str(SMATILTAK), "--on", "x"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Feil: --on x: ikke en dato — Skriv datoen som ÅÅÅÅ-MM-DD")


def test_rules_diff_with_a_missing_folder_is_one_error_on_stderr(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "diff", str(tmp_path / "nei"), str(SMATILTAK)])
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.startswith("Feil: ")
    assert "Traceback" not in result.output


def test_rules_new_refusal_is_one_error_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "finst").mkdir()
    result = runner.invoke(
        app, ["rules", "new", "finst", "--case-type", "byggesak", "--dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Feil: ") and "exists already" in result.stderr
