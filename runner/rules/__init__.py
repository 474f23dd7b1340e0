"""The rule engine: load versioned rule sets, evaluate cases against them, run their tests."""

from runner.rules.catalog import RuleSetCatalog
from runner.rules.evaluate import evaluate
from runner.rules.load import load_rule_set
from runner.rules.ruleset import RuleSet
from runner.rules.testing import TestReport, run_rule_tests

__all__ = [
    "RuleSet",
    "RuleSetCatalog",
    "TestReport",
    "evaluate",
    "load_rule_set",
    "run_rule_tests",
]
