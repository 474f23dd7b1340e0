"""The rule engine: load versioned rule sets and evaluate cases against them.

The tools that work on rule sets (their tests, lint checks, diffs, replay and scaffold) are
in runner/ruletools/; the engine never imports them.
"""

from runner.rules.catalog import RuleSetCatalog
from runner.rules.evaluate import evaluate, verdict
from runner.rules.load import load_rule_set
from runner.rules.ruleset import RuleSet

__all__ = [
    "RuleSet",
    "RuleSetCatalog",
    "evaluate",
    "load_rule_set",
    "verdict",
]
