"""The appeal deadline (klagefrist): weeks from notice, moved past weekends and public holidays."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from holidays.countries.norway import Norway

__all__ = ["appeal_deadline", "is_working_day"]


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    # include_sundays=False: older releases of `holidays` count every Sunday as a Norwegian
    # holiday by default; we check weekends ourselves and want only the named days here.
    return frozenset(Norway(years=year, include_sundays=False).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Norwegian public holiday (helligdag or høytidsdag)."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def appeal_deadline(notified_on: date, weeks: int) -> date:
    """The last day to appeal: `notified_on` plus `weeks`, or the next working day after it.

    Forvaltningsloven § 29 counts the deadline from when the notice reached the party; a
    deadline ending on a Saturday, Sunday or public holiday runs to the next working day.
    Christmas Eve and New Year's Eve are ordinary working days in law.
    """
    if weeks < 0:
        raise ValueError(f"weeks must be zero or more, got {weeks}")
    deadline = notified_on + timedelta(weeks=weeks)
    while not is_working_day(deadline):
        deadline += timedelta(days=1)
    return deadline
