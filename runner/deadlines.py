"""The legal deadline (frist) of a case, from its robot's `deadline:` and rule-set parameters."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from runner.errors import ConfigurationError
from runner.models.common import FrozenModel

OSLO = ZoneInfo("Europe/Oslo")


class DeadlineTerm(FrozenModel):
    """One term: a rule-set parameter (a number with its legal source) in days/weeks/months."""

    parameter: str = Field(description="Name of the number parameter in parameters.yaml")
    unit: Literal["days", "weeks", "months"]


class DeadlinePolicy(FrozenModel):
    """How the review queue's deadline is counted: from the day the case was received."""

    received_field: str = Field(
        default="received_at", description="The case field holding the time it was received"
    )
    urgent: DeadlineTerm = Field(description="The term when the decision is marked urgent")
    normal: DeadlineTerm = Field(description="The term otherwise")


def add_term(start: date, amount: int, unit: str) -> date:
    """`start` plus a number of days, weeks or calendar months (clamped to the month's end)."""
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "weeks":
        return start + timedelta(weeks=amount)
    month_index = start.month - 1 + amount
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def _received_day(case: dict[str, Any], field: str) -> date | None:
    value = case.get(field)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value.astimezone(OSLO).date() if value.tzinfo else value.date()
    return value if isinstance(value, date) else None


def case_deadline(
    policy: DeadlinePolicy | None,
    *,
    case: dict[str, Any],
    parameters: dict[str, Any],
    urgent: bool,
    robot_id: str,
) -> date | None:
    """The date the case must be decided by, or None when the robot defines no deadline."""
    if policy is None:
        return None
    received = _received_day(case, policy.received_field)
    if received is None:
        return None
    term = policy.urgent if urgent else policy.normal
    amount = parameters.get(term.parameter)
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        raise ConfigurationError(
            f"Robot {robot_id}: deadline parameter '{term.parameter}' is not a number "
            "in its rule set",
            fix=f"Add '{term.parameter}' with its legal source to the rule set's "
            "parameters.yaml, or correct deadline: in the robot file.",
        )
    return add_term(received, int(amount), term.unit)
