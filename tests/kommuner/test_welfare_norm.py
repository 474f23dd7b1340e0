"""A kommune's own welfare norm covers its own period only: never a later calendar year."""

from __future__ import annotations

from datetime import date

from runner.kommuner.settings import WelfareNorm, WelfareSettings

RATES = {"enslig": 8500, "par": 14200, "bofellesskap": 7150, "barn_0_5": 4150,
         "barn_6_10": 4300, "barn_11_17": 5550}  # fmt: skip


def _settings(*norms: WelfareNorm) -> WelfareSettings:
    return WelfareSettings(reference="Norm (test)", deposit_buffer=2000, own_norm=list(norms))


def test_a_norm_without_valid_to_ends_with_its_calendar_year() -> None:
    norm = WelfareNorm(valid_from=date(2025, 3, 1), **RATES)
    assert not norm.covers(date(2025, 2, 1))
    assert norm.covers(date(2025, 3, 1))
    assert norm.covers(date(2025, 12, 31))
    assert not norm.covers(date(2026, 1, 1))


def test_an_explicit_valid_to_is_the_last_day() -> None:
    norm = WelfareNorm(valid_from=date(2025, 1, 1), valid_to=date(2026, 6, 30), **RATES)
    assert norm.covers(date(2026, 6, 30))
    assert not norm.covers(date(2026, 7, 1))


def test_last_years_norm_is_not_handed_to_the_rules() -> None:
    settings = _settings(WelfareNorm(valid_from=date(2025, 1, 1), **RATES))
    assert "norm" in settings.rule_parameters(date(2025, 12, 1))
    assert "norm" not in settings.rule_parameters(date(2026, 1, 1))


def test_the_newest_covering_norm_wins() -> None:
    settings = _settings(
        WelfareNorm(valid_from=date(2026, 1, 1), **RATES),
        WelfareNorm(valid_from=date(2026, 7, 1), **{**RATES, "enslig": 8800}),
    )
    assert settings.rule_parameters(date(2026, 6, 1))["norm"]["enslig"] == 8500
    assert settings.rule_parameters(date(2026, 7, 1))["norm"]["enslig"] == 8800
