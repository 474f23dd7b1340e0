"""A loaded rule set: parameter values by date and lookups."""

from __future__ import annotations

from datetime import date

import pytest

from runner.errors import NotFoundError
from runner.rules import RuleSet


@pytest.mark.parametrize(
    ("day", "value", "valid_from"),
    [
        (date(2020, 1, 1), 30.0, "2020-01-01"),
        (date(2024, 12, 31), 30.0, "2020-01-01"),
        (date(2025, 1, 1), 40.0, "2025-01-01"),
        (date(2031, 6, 1), 40.0, "2025-01-01"),
    ],
)
def test_latest_value_not_after_the_date(
    engine: RuleSet, day: date, value: float, valid_from: str
) -> None:
    values, valid = engine.resolve_parameters(day)
    assert values["grense_m2"] == value
    assert valid["grense_m2"] == valid_from


def test_parameter_without_a_value_yet_is_left_out(engine: RuleSet) -> None:
    values, valid = engine.resolve_parameters(date(2019, 12, 31))
    assert "grense_m2" not in values and "grense_m2" not in valid
    values, _ = engine.resolve_parameters(date(2026, 1, 1))
    assert "fremtidig_m2" not in values
    assert engine.resolve_parameters(date(2030, 1, 1))[0]["fremtidig_m2"] == 10.0


def test_mapping_parameter(engine: RuleSet) -> None:
    values, _ = engine.resolve_parameters(date(2026, 1, 1))
    assert values["satser"] == {"lav": 1, "hoy": 2}


def test_validity_period(engine: RuleSet) -> None:
    assert engine.is_valid_on(date(2020, 1, 1))
    assert not engine.is_valid_on(date(2019, 12, 31))


def test_unknown_rule_names_the_known_ones(engine: RuleSet) -> None:
    assert engine.rule("stor").id == "stor"
    with pytest.raises(NotFoundError, match="Known rules: stor, garasje"):
        engine.rule("finnes_ikke")
