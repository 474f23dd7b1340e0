"""Running a rule set's own tests: the real rule set passes; failures say what broke."""

from __future__ import annotations

from runner.models import RuleOutcome
from runner.rules import RuleSet
from runner.ruletools.testing import TestReport, deep_merge, run_rule_tests


def test_real_rule_set_passes_its_tests(smatiltak: RuleSet) -> None:
    report = run_rule_tests(smatiltak)
    assert report.failures == []
    assert report.failed == 0
    assert report.passed >= 60
    assert report.ok


def test_every_rule_is_exercised_both_ways(smatiltak: RuleSet) -> None:
    counts = run_rule_tests(smatiltak).outcome_counts
    assert set(counts) == {rule.id for rule in smatiltak.rules}
    for rule_id, by_outcome in counts.items():
        assert by_outcome["oppfylt"] > 0, rule_id
        other = by_outcome["ikke_oppfylt"] + by_outcome["uavklart"]
        assert other > 0, rule_id


def test_every_decision_outcome_is_tested(smatiltak: RuleSet) -> None:
    expected = {test.expect.outcome for file in smatiltak.tests for test in file.spec.tests}
    assert {row.outcome for row in smatiltak.decision_rows} <= expected
    assert expected >= {
        "ikke_soknadspliktig",
        "innvilget",
        "avslag",
        "avvist",
        "mangler_dokumentasjon",
    }


def test_failures_name_file_test_and_expected_versus_actual(engine: RuleSet) -> None:
    report = run_rule_tests(engine)
    assert isinstance(report, TestReport)
    assert (report.passed, report.failed) == (1, 2)
    messages = [str(failure) for failure in report.failures]
    assert (
        'fixtures/engine/tests/engine.yaml: "Garasje 50,1 m²": '
        "rule stor expected ikke_oppfylt, got oppfylt"
    ) in messages
    assert any("outcome expected liten, got stor_og_ok" in message for message in messages)
    assert any("route expected review, got auto" in message for message in messages)
    assert any("value sum_areal expected 90.0, got 90.1" in message for message in messages)


def test_invalid_case_fails_naming_the_field(engine: RuleSet) -> None:
    failures = [
        item for item in run_rule_tests(engine).failures if item.test == "Ugyldig fødselsnummer"
    ]
    assert len(failures) == 1
    assert "case is invalid: applicant.national_id" in failures[0].message


def test_outcome_counts_cover_every_rule_and_outcome(engine: RuleSet) -> None:
    counts = run_rule_tests(engine).outcome_counts
    assert set(counts) == {rule.id for rule in engine.rules}
    assert set(counts["stor"]) == {outcome.value for outcome in RuleOutcome}
    assert counts["stor"]["oppfylt"] == 2  # two tests evaluated; the invalid case was not
    assert counts["lengde"]["ikke_aktuelt"] == 2


def test_deep_merge_merges_mappings_and_replaces_lists() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    merged = deep_merge(base, {"a": {"c": [3]}, "e": None})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 1, "e": None}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1}
