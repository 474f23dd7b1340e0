"""`saksrobot rules test`: exit codes, output and help text."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from runner.cli.rules import rules_app
from tests.rules.conftest import FIXTURES, SMATILTAK

runner = CliRunner()


def test_default_runs_every_rule_set_under_content_rules() -> None:
    outcome = runner.invoke(rules_app, ["test"])
    assert outcome.exit_code == 0, outcome.output
    assert "byggesak-smatiltak" in outcome.output
    assert "ok" in outcome.output


def test_a_rule_set_folder_that_passes() -> None:
    outcome = runner.invoke(rules_app, ["test", str(SMATILTAK), "--counts"])
    assert outcome.exit_code == 0, outcome.output
    assert "Utfall per regel" in outcome.output
    assert "frittliggende_unntatt" in outcome.output


def test_failing_tests_exit_1_and_are_listed() -> None:
    outcome = runner.invoke(rules_app, ["test", str(FIXTURES / "engine")])
    assert outcome.exit_code == 1
    assert "FEILET" in outcome.output
    assert '"Garasje 50,1 m²": rule stor expected ikke_oppfylt, got oppfylt' in outcome.output


def test_broken_rule_set_exits_1_with_the_error() -> None:
    outcome = runner.invoke(rules_app, ["test", str(FIXTURES / "broken" / "bad_cel")])
    assert outcome.exit_code == 1
    assert "kan ikke lastes" in outcome.output
    assert "rules[0].condition (line 5)" in outcome.output


def test_missing_path_exits_1() -> None:
    outcome = runner.invoke(rules_app, ["test", str(FIXTURES / "does-not-exist")])
    assert outcome.exit_code == 1


def test_every_command_and_option_has_help() -> None:
    group = typer.main.get_command(rules_app)
    assert group.help
    commands = getattr(group, "commands", {})  # typer's own click: no isinstance(click.Group)
    assert "test" in commands
    for name, command in commands.items():
        assert command.help, name
        for parameter in command.params:
            assert getattr(parameter, "help", None), f"{name} {parameter.name}"
    outcome = runner.invoke(rules_app, ["test", "--help"])
    assert outcome.exit_code == 0
    assert "Run the tests" in outcome.output
