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
    always_met = {"strom", "inntekt", "inntekt_dokumentert_belop"}  # amounts, no "not met"
    for rule_id, counts in report.outcome_counts.items():
        seen = {outcome for outcome, count in counts.items() if count}
        if rule_id in always_met:
            assert seen == {"oppfylt"}, rule_id
        else:
            assert len(seen) >= 2, f"{rule_id} is only tested as {seen}"


def test_every_state_rate_from_the_domain_file_is_there(rule_set: RuleSet) -> None:
    rates = rule_set.parameters["veiledende_satser"]
    assert len(rates.values) == 10
    assert rates.confidence == "V2"  # the weakest row: 2021 and 2023-01 from one statsforvalter
    for value in rates.values.values():
        assert {"enslig", "par", "bofellesskap", "barn_0_5", "barn_6_10", "barn_11_17",
                "kilde", "kilde_url", "sikkerhet"} <= set(value)  # fmt: skip
        assert value["sikkerhet"] in ("V", "V2")
        assert str(value["kilde_url"]).startswith("https://")


def test_no_rate_is_registered_for_a_year_not_verified(rule_set: RuleSet) -> None:
    """2025 and 2026: the rundskriv could not be read, so no row (sats ikke oppdatert)."""
    years = {day.year for day in rule_set.parameters["veiledende_satser"].values}
    assert years == {2019, 2020, 2021, 2022, 2023, 2024}
    assert "sats_maks_alder_mnd" not in rule_set.parameters
