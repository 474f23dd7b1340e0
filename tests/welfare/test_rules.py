"""The welfare rule set: its own tests pass, and each rule is tested both ways."""

from __future__ import annotations

from runner.rules import RuleSet
from runner.ruletools.testing import run_rule_tests


def test_rule_set_tests_pass(rule_set: RuleSet) -> None:
    report = run_rule_tests(rule_set)
    assert report.ok, "\n".join(str(failure) for failure in report.failures)
    assert report.passed >= 45


def test_every_rule_is_tested_both_ways(rule_set: RuleSet) -> None:
    report = run_rule_tests(rule_set)
    always_met = {"strom", "inntekt"}  # amounts: they have no "not met" side
    for rule_id, counts in report.outcome_counts.items():
        seen = {outcome for outcome, count in counts.items() if count}
        if rule_id in always_met:
            assert seen == {"oppfylt"}, rule_id
        else:
            assert len(seen) >= 2, f"{rule_id} is only tested as {seen}"


def test_every_state_rate_from_the_domain_file_is_there(rule_set: RuleSet) -> None:
    rates = rule_set.parameters["veiledende_satser"]
    assert len(rates.values) == 7
    assert rates.confidence == "V"
    for value in rates.values.values():
        assert {"enslig", "par", "bofellesskap", "barn_0_5", "barn_6_10", "barn_11_17",
                "kilde"} <= set(value)  # fmt: skip
