"""`saksrobot rules diff`: two versions, their test cases and the cases in a real store."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from runner.cli import app
from runner.cli.rules import rules_app
from tests.conftest import on_clear_spot
from tests.rules.conftest import SMATILTAK

runner = CliRunner()


def _bigger_garages(folder: Path) -> Path:
    """A copy of the byggesak rule set where a garage may be 60 m² (BYA and BRA) unasked."""
    copy = folder / "byggesak-smatiltak"
    shutil.copytree(SMATILTAK, copy)
    parameters = copy / "parameters.yaml"
    text = parameters.read_text(encoding="utf-8")
    for name in ("frittliggende_max_bya_m2", "frittliggende_max_bra_m2"):
        start = text.index(f"{name}:")
        end = text.index("values: {2015-07-01: 50.0}", start)
        text = text[:end] + "values: {2015-07-01: 60.0}" + text[end + 26 :]
    parameters.write_text(text, encoding="utf-8")
    return copy


def _garage(reference: str, area: float) -> dict[str, Any]:
    base: dict[str, Any] = yaml.safe_load(
        (SMATILTAK / "tests" / "frittliggende.yaml").read_text(encoding="utf-8")
    )["base"]
    base["reference"] = reference
    base["measure"] = {**base["measure"], "built_area_m2": area, "usable_area_m2": area}
    base["attachments"] = []
    return on_clear_spot(base)


@pytest.fixture
def filled_store(tmp_path: Path, cli_env: dict[str, str]) -> str:
    """A SQLite store with three garages decided by the robot: 42, 55 and 58 m²."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for reference, area in (("DIFF-1", 42.0), ("DIFF-2", 55.0), ("DIFF-3", 58.0)):
        case = _garage(reference, area)
        (inbox / f"{reference}.json").write_text(json.dumps(case), encoding="utf-8")
    done = runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox)])
    assert done.exit_code == 0, done.output
    return f"sqlite:///{cli_env['SAKSROBOT_DATA_DIR']}/saksrobot.db"


def test_diff_lists_test_cases_and_stored_cases_that_change(
    tmp_path: Path, filled_store: str
) -> None:
    new = _bigger_garages(tmp_path / "new")
    outcome = runner.invoke(
        rules_app, ["diff", str(SMATILTAK), str(new), "--store", filled_store, "--markdown"]
    )
    assert outcome.exit_code == 0, outcome.output
    text = outcome.output
    assert "3 lagrede saker vurdert etter begge versjonene" in text
    assert "parameter frittliggende_max_bya_m2.2015-07-01: 50.0 → 60.0" in text
    assert "| sak: DIFF-2 | mangler_dokumentasjon → ikke_soknadspliktig |" in text
    assert "| sak: DIFF-3 |" in text
    assert "DIFF-1" not in text  # 42 m² is exempt either way
    assert "frittliggende_unntatt (ikke_oppfylt → oppfylt)" in text
    assert "| test: tests/frittliggende.yaml: Garasje 50,1 m² BYA |" in text


def test_no_change_says_so(tmp_path: Path) -> None:
    copy = tmp_path / "byggesak-smatiltak"
    shutil.copytree(SMATILTAK, copy)
    outcome = runner.invoke(rules_app, ["diff", str(SMATILTAK), str(copy), "--markdown"])
    assert outcome.exit_code == 0, outcome.output
    assert "0 endrer utfall, rute eller beløp" in outcome.output
    assert "Ingen vedtak endres." in outcome.output
    table = runner.invoke(rules_app, ["diff", str(SMATILTAK), str(copy)])
    assert table.exit_code == 0
    assert "Vedtak som endres" in table.output


def test_git_revisions_are_checked_out(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "rules").mkdir(parents=True)
    shutil.copytree(SMATILTAK, repo / "rules" / "byggesak-smatiltak")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.no"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "rules"], cwd=repo, check=True)
    shutil.rmtree(repo / "rules" / "byggesak-smatiltak")
    _bigger_garages(repo / "rules")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo)
        outcome = runner.invoke(
            rules_app,
            ["diff", "HEAD:rules/byggesak-smatiltak", "rules/byggesak-smatiltak", "--markdown"],
        )
        short = runner.invoke(rules_app, ["diff", "HEAD:", "rules/byggesak-smatiltak"])
        wrong = runner.invoke(app, ["rules", "diff", "NOPE:rules/byggesak-smatiltak", "rules/x"])
    assert outcome.exit_code == 0, outcome.output
    assert "frittliggende_unntatt (ikke_oppfylt → oppfylt)" in outcome.output
    assert short.exit_code == 0, short.output
    assert "frittliggende_max_bya_m2.2015-07-01: 50.0 → 60.0" in short.output
    assert wrong.exit_code == 2
    assert "git archive" in wrong.output


def test_bad_date_exits_2(tmp_path: Path) -> None:
    outcome = runner.invoke(
        app, ["rules", "diff", str(SMATILTAK), str(SMATILTAK), "--on", "2026-13"]
    )
    assert outcome.exit_code == 2 and outcome.stderr.startswith("Feil: --on 2026-13")


def test_fail_on_change_gates_ci_and_tables_are_whole_in_a_pipe(tmp_path: Path) -> None:
    new = _bigger_garages(tmp_path / "new")
    changed = runner.invoke(rules_app, ["diff", str(SMATILTAK), str(new), "--fail-on-change"])
    assert changed.exit_code == 1, changed.output
    assert "vedtak endres" in changed.output
    assert "…" not in changed.output  # not a terminal: no column is cut
    assert "Garasje 50,1 m² BYA" in changed.output
    same = tmp_path / "same" / "byggesak-smatiltak"
    shutil.copytree(SMATILTAK, same)
    unchanged = runner.invoke(rules_app, ["diff", str(SMATILTAK), str(same), "--fail-on-change"])
    assert unchanged.exit_code == 0, unchanged.output
