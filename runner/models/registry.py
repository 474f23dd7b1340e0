"""Case models by `case_type`: how a raw JSON object becomes a validated case."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from runner.errors import NotFoundError
from runner.models.byggesak import ByggesakCase
from runner.models.sosialhjelp import SosialhjelpCase

CASE_MODELS: dict[str, type[BaseModel]] = {
    "byggesak": ByggesakCase,
    "sosialhjelp": SosialhjelpCase,
}


def case_model(case_type: str) -> type[BaseModel]:
    """The pydantic model registered for a case type."""
    try:
        return CASE_MODELS[case_type]
    except KeyError:
        known = ", ".join(sorted(CASE_MODELS))
        raise NotFoundError(
            f"Unknown case type '{case_type}'",
            fix=f"Use one of: {known}.",
        ) from None


def decision_date(case: BaseModel) -> date:
    """The date that selects rule-set version and parameters for a case."""
    method = getattr(case, "case_date", None)
    if method is None:
        raise TypeError(f"{type(case).__name__} has no case_date()")
    value = method()
    if not isinstance(value, date):
        raise TypeError(f"{type(case).__name__}.case_date() did not return a date")
    return value
