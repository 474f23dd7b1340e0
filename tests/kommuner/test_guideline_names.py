"""`kommuner check` fails a guideline that names no discretionary rule (it would never be
used) or a rule whose discretion the law leaves to a person in each case (pbl. § 19-2)."""

from __future__ import annotations

from datetime import date

import pytest

from runner.kommuner.check import check_kommune, guideline_rules
from runner.kommuner.settings import Guideline, KommuneSettings
from runner.models.robot import RobotDefinition, load_robots
from runner.rules.catalog import RuleSetCatalog
from runner.settings import CONTENT_ROOT, load_settings

TODAY = date(2026, 12, 6)
GUIDELINE = Guideline(
    reference="Kommunestyret sak 15/26",
    adopted=date(2026, 2, 1),
    conditions="case.measure.distance_to_boundary_m >= 1.0",
)


@pytest.fixture(scope="module")
def robots() -> dict[str, RobotDefinition]:
    return load_robots(CONTENT_ROOT / "robots")


@pytest.fixture(scope="module")
def discretionary(robots: dict[str, RobotDefinition]) -> dict[str, bool]:
    return guideline_rules(robots, RuleSetCatalog.load(CONTENT_ROOT / "rules").all())


@pytest.fixture(scope="module")
def askoy() -> KommuneSettings:
    return load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml").kommune


def _with(kommune: KommuneSettings, rule_id: str) -> KommuneSettings:
    return kommune.model_copy(update={"guidelines": {rule_id: GUIDELINE}})


def test_the_shipped_rule_sets_name_their_discretion(discretionary: dict[str, bool]) -> None:
    assert discretionary["avstand_mindre_bygning"] is True
    assert discretionary["dispensasjon"] is False


def test_a_guideline_for_a_discretionary_rule_passes(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition], discretionary: dict[str, bool]
) -> None:
    kommune = _with(askoy, "avstand_mindre_bygning")
    assert check_kommune(kommune, robots, TODAY, discretionary) == []


def test_a_misspelt_rule_id_is_named_with_the_ids_that_take_a_guideline(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition], discretionary: dict[str, bool]
) -> None:
    kommune = _with(askoy, "avstand_mindre_bygg")
    (problem,) = check_kommune(kommune, robots, TODAY, discretionary)
    assert problem.key == "guidelines.avstand_mindre_bygg"
    assert "aldri brukt" in problem.reason
    assert "avstand_mindre_bygning" in problem.fix
    assert "dispensasjon" not in problem.fix


def test_a_guideline_cannot_settle_a_dispensation(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition], discretionary: dict[str, bool]
) -> None:
    (problem,) = check_kommune(_with(askoy, "dispensasjon"), robots, TODAY, discretionary)
    assert problem.key == "guidelines.dispensasjon"
    assert "ta bort" in problem.fix
