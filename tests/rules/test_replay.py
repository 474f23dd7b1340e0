"""`saksrobot replay CASE`: the stored decision again, under the version it was made with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runner.cli import app
from runner.settings import CONTENT_ROOT
from tests.rules.test_diff import _garage

runner = CliRunner()


def _bigger_garages_in_place(folder: Path) -> None:
    parameters = folder / "parameters.yaml"
    text = parameters.read_text(encoding="utf-8")
    for name in ("frittliggende_max_bya_m2", "frittliggende_max_bra_m2"):
        end = text.index("values: {2015-07-01: 50.0}", text.index(f"{name}:"))
        text = text[:end] + "values: {2015-07-01: 60.0}" + text[end + 26 :]
    parameters.write_text(text, encoding="utf-8")


@pytest.fixture
def content(tmp_path: Path, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private content folder (robot, rule set, templates) and two decided garages."""
    root = tmp_path / "content"
    (root / "robots").mkdir(parents=True)
    shutil.copy(CONTENT_ROOT / "robots" / "byggesak-smatiltak.yaml", root / "robots")
    shutil.copytree(
        CONTENT_ROOT / "rules" / "byggesak-smatiltak", root / "rules" / "byggesak-smatiltak"
    )
    shutil.copytree(CONTENT_ROOT / "templates" / "byggesak", root / "templates" / "byggesak")
    monkeypatch.setenv("SAKSROBOT_CONTENT_DIR", str(root))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for reference, area in (("REPLAY-1", 42.0), ("REPLAY-2", 55.0)):
        (inbox / f"{reference}.json").write_text(json.dumps(_garage(reference, area)), "utf-8")
    done = runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox)])
    assert done.exit_code == 0, done.output
    return root


def test_replay_gives_the_same_result(content: Path) -> None:
    for reference in ("REPLAY-1", "REPLAY-2"):
        outcome = runner.invoke(app, ["replay", reference])
        assert outcome.exit_code == 0, outcome.output
        assert "samme resultat" in outcome.output
        assert "byggesak-smatiltak 2026.1" in outcome.output


def test_changed_files_are_refused_or_compared(content: Path) -> None:
    _bigger_garages_in_place(content / "rules" / "byggesak-smatiltak")

    refused = runner.invoke(app, ["replay", "REPLAY-2"])
    assert refused.exit_code == 2
    assert "changed after case REPLAY-2 was decided" in refused.output
    assert "--allow-changed" in refused.output

    compared = runner.invoke(app, ["replay", "REPLAY-2", "--allow-changed"])
    assert compared.exit_code == 1, compared.output
    assert "Advarsel: filene er endret siden vedtaket" in compared.output
    assert "rule frittliggende_unntatt: stored ikke_oppfylt, now oppfylt" in compared.output
    assert "parameter frittliggende_max_bya_m2: stored 50.0, now 60.0" in compared.output

    unaffected = runner.invoke(app, ["replay", "REPLAY-1", "--allow-changed"])
    assert (
        unaffected.exit_code == 1
    )  # the parameter values it stored differ, even if the outcome does not
    assert "outcome:" not in unaffected.output


def test_missing_version_and_unknown_case(content: Path) -> None:
    ruleset = content / "rules" / "byggesak-smatiltak" / "ruleset.yaml"
    ruleset.write_text(ruleset.read_text("utf-8").replace('"2026.1"', '"2026.2"'), "utf-8")
    missing = runner.invoke(app, ["replay", "REPLAY-1"])
    assert missing.exit_code == 2
    assert "holds byggesak-smatiltak version 2026.1" in missing.output
    unknown = runner.invoke(app, ["replay", "NO-SUCH-CASE"])
    assert unknown.exit_code == 2
