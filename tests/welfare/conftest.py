"""Fixtures for the welfare robot tests: its rule set and the demo kommune's norms."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from runner.models import Evaluation, SosialhjelpCase
from runner.rules import RuleSet, evaluate, load_rule_set
from runner.settings import CONTENT_ROOT, Settings

RULES = CONTENT_ROOT / "rules" / "sosialhjelp-livsopphold"


@pytest.fixture(scope="session")
def rule_set() -> RuleSet:
    return load_rule_set(RULES)


def evaluate_case(
    rule_set: RuleSet, settings: Settings, data: dict[str, Any], on: date | None = None
) -> Evaluation:
    """Evaluate a case as the pipeline does: k from the kommune settings on the case's date."""
    case = SosialhjelpCase.model_validate(data)
    day = on or case.case_date()
    return evaluate(rule_set, case, on=day, kommune=settings.kommune.rule_parameters(
        "sosialhjelp", day))  # fmt: skip
