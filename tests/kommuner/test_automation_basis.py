"""A kommune that lets a robot finalise names its legal basis for automated decisions (GDPR
art. 22 nr. 2 bokstav b and a national rule, in force); the appeal body per målform."""

from __future__ import annotations

from datetime import date

import pytest

from runner.kommuner.check import check_kommune
from runner.kommuner.settings import AutomationBasis, KommuneSettings, LocalName
from runner.models.robot import RobotDefinition, load_robots
from runner.settings import CONTENT_ROOT, load_settings

TODAY = date(2026, 12, 6)
BASIS = AutomationBasis(
    national_rule=LocalName(nb="forvaltningsloven § 12", nn="forvaltningslova § 12"),
    url="https://lovdata.no/lov/2025-06-20-81/§12",
    decision="Kommunestyret, sak 1/2026",
)


@pytest.fixture(scope="module")
def robots() -> dict[str, RobotDefinition]:
    return load_robots(CONTENT_ROOT / "robots")


@pytest.fixture(scope="module")
def askoy() -> KommuneSettings:
    return load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml").kommune


def _auto(kommune: KommuneSettings, robot: str, **basis: AutomationBasis) -> KommuneSettings:
    return kommune.model_copy(update={"auto_finalise": [robot], "automation_basis": basis})


def _keys(problems: list[object]) -> list[str]:
    return [str(problem) for problem in problems]


def test_auto_finalise_without_a_legal_basis_fails(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition]
) -> None:
    problems = _keys(check_kommune(_auto(askoy, "sosialhjelp-livsopphold"), robots, TODAY, {}))
    assert len(problems) == 1
    assert "auto_finalise" in problems[0] and "art. 22 nr. 2 bokstav b" in problems[0]


def test_a_basis_for_another_case_type_is_not_enough(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition]
) -> None:
    kommune = _auto(askoy, "sosialhjelp-livsopphold", byggesak=BASIS)
    assert any("sosialhjelp" in p for p in _keys(check_kommune(kommune, robots, TODAY, {})))


def test_a_named_basis_in_force_passes(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition]
) -> None:
    in_force = BASIS.model_copy(update={"in_force_from": TODAY})
    kommune = _auto(askoy, "sosialhjelp-livsopphold", sosialhjelp=in_force)
    assert check_kommune(kommune, robots, TODAY, {}) == []


def test_a_basis_not_yet_in_force_fails_until_the_day(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition]
) -> None:
    later = BASIS.model_copy(update={"in_force_from": date(2026, 12, 7)})
    kommune = _auto(askoy, "sosialhjelp-livsopphold", sosialhjelp=later)
    (problem,) = _keys(check_kommune(kommune, robots, TODAY, {}))
    assert "2026-12-07" in problem
    assert check_kommune(kommune, robots, date(2026, 12, 7), {}) == []


def test_no_auto_finalise_needs_no_basis(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition]
) -> None:
    kommune = askoy.model_copy(update={"auto_finalise": [], "automation_basis": {}})
    assert check_kommune(kommune, robots, TODAY, {}) == []


def test_the_appeal_body_is_written_per_malform(askoy: KommuneSettings) -> None:
    assert askoy.appeal_body_for("sosialhjelp", "nb") == "Statsforvalteren i Vestland"
    assert askoy.appeal_body_for("sosialhjelp", "nn") == "Statsforvaltaren i Vestland"
    assert askoy.letter_view("nn")["appeal_body"]["byggesak"] == "Statsforvaltaren i Vestland"


def test_one_statsforvalter_name_for_both_malformer_fails_the_check(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition]
) -> None:
    kommune = askoy.model_copy(update={"appeal_body": {
        "byggesak": "Statsforvaltaren i Vestland",
        "sosialhjelp": LocalName(nb="Statsforvalteren i Vestland",
                                 nn="Statsforvaltaren i Vestland"),
    }})  # fmt: skip
    (problem,) = _keys(check_kommune(kommune, robots, TODAY, {}))
    assert "appeal_body.byggesak" in problem
    assert kommune.appeal_body_for("byggesak", "nb") == "Statsforvaltaren i Vestland"  # as given


def test_welfare_grants_and_refusals_are_never_finalised_unread(
    robots: dict[str, RobotDefinition],
) -> None:
    for robot_id in ("sosialhjelp-livsopphold", "sosialhjelp-nav"):
        assert {"innvilget", "avslag"} <= set(robots[robot_id].review.outcomes)
