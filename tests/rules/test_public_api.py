"""The public surface of runner.rules: every name in __all__ imports."""

from __future__ import annotations

import runner.rules


def test_every_name_in_all_imports() -> None:
    for name in runner.rules.__all__:
        assert getattr(runner.rules, name) is not None


def test_all_is_the_contract() -> None:
    assert set(runner.rules.__all__) == {
        "RuleSet",
        "RuleSetCatalog",
        "load_rule_set",
        "evaluate",
        "verdict",
    }


def test_the_rule_tests_are_run_by_the_rule_tools() -> None:
    from runner.ruletools.testing import TestReport, run_rule_tests

    assert callable(run_rule_tests) and TestReport is not None
    assert not hasattr(runner.rules, "run_rule_tests")
