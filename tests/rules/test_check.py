"""`saksrobot rules check`: one lint fixture per problem, the words its line must contain."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runner.cli.rules import rules_app
from runner.drafting import LETTER_CONTEXT_KEYS, letter_context
from runner.rules import load_rule_set
from runner.rules.evaluate import evaluate
from runner.ruletools.check import CHECKS, check_paths, content_dir_for
from runner.ruletools.check_rules import cel_paths
from runner.ruletools.testing import deep_merge
from runner.settings import CONTENT_ROOT, load_settings
from tests.rules.conftest import FIXTURES, SMATILTAK

runner = CliRunner()
LINT = sorted(path for path in (FIXTURES / "lint").iterdir() if path.is_dir())


def _target(folder: Path) -> Path:
    """The path to check: the rule set, or (letters) the rules/<id> folder in the content."""
    nested = sorted((folder / "rules").glob("*")) if (folder / "rules").is_dir() else []
    return nested[0] if nested else folder


@pytest.mark.parametrize("folder", LINT, ids=[path.name for path in LINT])
def test_each_lint_fixture_reports_its_problem(folder: Path) -> None:
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    outcome = runner.invoke(rules_app, ["check", str(_target(folder))])
    for words in expected:
        assert words in outcome.output, f"{words!r} missing from:\n{outcome.output}"
    has_errors = any(line.startswith("error [") for line in expected)
    assert outcome.exit_code == (1 if has_errors else 0), outcome.output


def test_a_problem_line_names_file_line_subject_and_fix() -> None:
    report = check_paths([FIXTURES / "lint" / "no_lovdata_link"])
    [problem] = report.errors
    assert problem.file.name == "rules.yaml"
    assert problem.line == 3
    assert problem.subject == "rule liten"
    assert problem.fix.startswith("add {ref:")
    assert problem.format().endswith(problem.fix)


def test_load_errors_are_problem_lines_with_their_line() -> None:
    outcome = runner.invoke(rules_app, ["check", str(FIXTURES / "broken" / "bad_cel")])
    assert outcome.exit_code == 1
    assert "rules.yaml:5: error [load] rules[0].condition: CEL does not compile" in outcome.output


def test_the_shipped_rule_sets_pass() -> None:
    outcome = runner.invoke(rules_app, ["check"])
    assert outcome.exit_code == 0, outcome.output
    assert "byggesak-smatiltak" in outcome.output
    assert "warning [unverified] parameter byggefrist_ar" in outcome.output
    assert all(name in outcome.output for name in CHECKS)


def test_letters_of_the_byggesak_robot_are_checked() -> None:
    report = check_paths([SMATILTAK])
    assert not report.errors, [problem.format() for problem in report.errors]
    assert content_dir_for(SMATILTAK) == CONTENT_ROOT


def test_letter_context_keys_match_drafting() -> None:
    rule_set = load_rule_set(SMATILTAK)
    file = rule_set.tests[0]
    case = deep_merge(file.spec.base, file.spec.tests[0].patch)
    from runner.models import ByggesakCase

    model = ByggesakCase.model_validate(case)
    context = letter_context(
        case=model.model_dump(mode="json"),
        evaluation=evaluate(rule_set, model),
        kommune=load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml").kommune,
        malform="nb",
        automatic=True,
        letter_date=date(2026, 10, 1),
        appeal_deadline=date(2026, 10, 22),
        case_type="byggesak",
    )
    assert set(context) == LETTER_CONTEXT_KEYS


def test_cel_paths_resolve_comprehension_variables() -> None:
    source = "case.attachments.exists(a, a.kind == 'x.y') && p.satser.enslig > case.x.size()"
    assert list(cel_paths(source)) == [
        ("case", ["attachments"]),
        ("case", ["attachments[]", "kind"]),
        ("p", ["satser", "enslig"]),
        ("case", ["x"]),
    ]


def test_coverage_table_shows_both_ways() -> None:
    outcome = runner.invoke(rules_app, ["test", str(SMATILTAK), "--coverage"])
    assert outcome.exit_code == 0, outcome.output
    assert "Begge veier" in outcome.output
    assert "mangler ikke_oppfylt" not in outcome.output
    gap = runner.invoke(rules_app, ["test", str(FIXTURES / "lint" / "not_both_ways"), "--coverage"])
    assert gap.exit_code == 0
    assert "mangler ikke_oppfylt" in gap.output
