"""The appeal deadline moves past weekends and Norwegian public holidays."""

from __future__ import annotations

from datetime import date

import pytest

from runner.letters import appeal_deadline
from runner.letters.deadlines import is_working_day


@pytest.mark.parametrize(
    ("notified_on", "weeks", "expected", "why"),
    [
        (date(2026, 9, 1), 3, date(2026, 9, 22), "an ordinary Tuesday"),
        (date(2026, 9, 5), 3, date(2026, 9, 28), "Saturday → Monday"),
        (date(2026, 9, 6), 3, date(2026, 9, 28), "Sunday → Monday"),
        (date(2026, 3, 12), 3, date(2026, 4, 7), "Maundy Thursday → after Easter Monday"),
        (date(2026, 3, 13), 3, date(2026, 4, 7), "Good Friday → after Easter Monday"),
        (date(2026, 3, 16), 3, date(2026, 4, 7), "Easter Monday → Tuesday"),
        (date(2025, 4, 26), 3, date(2025, 5, 19), "17 May on a Saturday → Monday 19 May"),
        (date(2027, 4, 26), 3, date(2027, 5, 18), "17 May on a Monday → Tuesday"),
        (date(2026, 4, 23), 3, date(2026, 5, 15), "14 May 2026 is Ascension Day"),
        (date(2026, 4, 10), 3, date(2026, 5, 4), "1 May on a Friday → Monday"),
        (date(2026, 12, 4), 3, date(2026, 12, 28), "Christmas Day, Boxing Day, Sunday"),
        (date(2026, 12, 11), 2, date(2026, 12, 28), "Boxing Day (Saturday) → Monday"),
        (date(2027, 12, 3), 3, date(2027, 12, 24), "Christmas Eve is a working day"),
        (date(2026, 12, 10), 3, date(2026, 12, 31), "New Year's Eve is a working day"),
        (date(2026, 12, 11), 3, date(2027, 1, 4), "New Year's Day (Friday) → Monday"),
        (date(2026, 5, 4), 3, date(2026, 5, 26), "Whit Monday → Tuesday"),
        (date(2026, 9, 22), 0, date(2026, 9, 22), "zero weeks on a working day"),
    ],
)
def test_appeal_deadline(notified_on: date, weeks: int, expected: date, why: str) -> None:
    assert appeal_deadline(notified_on, weeks) == expected, why


def test_sundays_count_as_weekend_whatever_the_holidays_default() -> None:
    assert not is_working_day(date(2026, 9, 20))
    assert is_working_day(date(2026, 9, 21))


def test_negative_weeks_are_refused() -> None:
    with pytest.raises(ValueError, match="weeks"):
        appeal_deadline(date(2026, 1, 1), -1)
