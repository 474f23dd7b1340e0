"""`saksrobot rules` and `replay` load the rule engine only when they run, not for --help."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from runner.cli import LAZY_COMMANDS, app

runner = CliRunner()


def test_the_short_help_listed_is_the_commands_own() -> None:
    for name, lazy in LAZY_COMMANDS.items():
        real = lazy.load(name)
        assert " ".join((real.help or "").split()).startswith(lazy.help), name


def test_help_lists_them_without_importing_the_rule_engine() -> None:
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from runner.cli import app\n"
        "out = CliRunner().invoke(app, ['--help'], terminal_width=200).output\n"
        "assert 'rules' in out and 'replay' in out, out\n"
        "print(sorted(m for m in sys.modules if m.startswith(('runner.rules', 'cel'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_the_commands_run_when_named() -> None:
    outcome = runner.invoke(app, ["rules", "--help"])
    assert outcome.exit_code == 0, outcome.output
    assert "test" in outcome.output
    outcome = runner.invoke(app, ["replay", "--help"])
    assert outcome.exit_code == 0, outcome.output
    assert "--allow-changed" in outcome.output
