"""Shared fixtures for the rule engine tests: fixture rule sets and a valid case."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.models import ByggesakCase
from runner.rules import RuleSet, load_rule_set
from runner.ruletools.testing import deep_merge
from runner.settings import CONTENT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
SMATILTAK = CONTENT_ROOT / "rules" / "byggesak-smatiltak"

#: The base case of the engine fixture's tests: a 42.5 m² garage (synthetic fødselsnummer).
BASE_CASE: dict[str, Any] = yaml.safe_load(
    (FIXTURES / "engine" / "tests" / "engine.yaml").read_text(encoding="utf-8")
)["base"]


@pytest.fixture(scope="session")
def engine() -> RuleSet:
    """A rule set made to exercise the engine: every outcome kind, errors, k, calculations."""
    return load_rule_set(FIXTURES / "engine")


@pytest.fixture(scope="session")
def smatiltak() -> RuleSet:
    """The real byggesak rule set."""
    return load_rule_set(SMATILTAK)


@pytest.fixture
def make_case() -> Callable[..., ByggesakCase]:
    """Build a valid case: the base garage with a patch deep-merged over it."""

    def build(patch: dict[str, Any] | None = None) -> ByggesakCase:
        return ByggesakCase.model_validate(deep_merge(BASE_CASE, patch or {}))

    return build
