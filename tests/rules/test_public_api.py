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
        "run_rule_tests",
        "TestReport",
    }
