"""What `saksrobot kommuner check` finds: settings a kommune needs for the robots it runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from runner.kommuner.settings import KommuneSettings
from runner.models.robot import RobotDefinition
from runner.settings import Settings


@dataclass(frozen=True)
class KommuneProblem:
    """One missing or inconsistent setting of one kommune."""

    kommunenummer: str
    key: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.kommunenummer} {self.key}: {self.reason} ({self.fix})"


def source_of(settings: Settings, kommunenummer: str) -> Path | None:
    """The kommune's own file in kommuner_dir, or None when it is the settings file's table."""
    for path in sorted(settings.kommuner_dir.glob(f"{kommunenummer}-*.toml")):
        return path
    return None


def check_kommune(
    kommune: KommuneSettings, robots: dict[str, RobotDefinition], today: date
) -> list[KommuneProblem]:
    """Problems of one kommune against the deployment's robots (empty: ready to run)."""
    problems: list[KommuneProblem] = []

    def problem(key: str, reason: str, fix: str) -> None:
        problems.append(KommuneProblem(kommune.kommunenummer, key, reason, fix))

    for robot_id in kommune.auto_finalise:
        if robot_id not in robots:
            problem("auto_finalise", f"ukjent robot '{robot_id}'",
                    f"bruk en av {', '.join(sorted(robots))}")  # fmt: skip
    case_types = {robot.case_model for robot in robots.values()}
    for case_type in sorted(case_types):
        if case_type not in kommune.appeal_body:
            problem(f"appeal_body.{case_type}", "klageinstans mangler",
                    f"sett appeal_body.{case_type} = \"Statsforvaltaren i …\"")  # fmt: skip
    for malform in ("nb", "nn"):
        if not kommune.letterhead.department_for(None, malform):
            problem(f"letterhead.department.{malform}", "avdeling mangler i brevhovudet",
                    f"sett letterhead.department = {{ {malform} = \"…\" }}")  # fmt: skip
    if "byggesak" in case_types:
        outcomes = {
            outcome
            for robot in robots.values()
            if robot.case_model == "byggesak"
            for outcome in robot.letters
        }
        fees = kommune.byggesak_fees
        missing = sorted(outcomes - set(fees.amounts)) if fees is not None else sorted(outcomes)
        if missing:
            problem("byggesak_fees.amounts", f"gebyr mangler for {', '.join(missing)}",
                    "sett eit beløp (0 om gratis) for kvart utfall")  # fmt: skip
    if "sosialhjelp" in case_types:
        welfare = kommune.sosialhjelp
        if welfare is None:
            problem("sosialhjelp", "kommunal norm og husleigetak manglar",
                    "legg til [sosialhjelp] med rent_caps og own_norm")  # fmt: skip
        elif not any(norm.covers(today) for norm in welfare.own_norm):
            problem("sosialhjelp.own_norm", f"ingen eigen norm gjeld {today}",
                    "legg til ein [[sosialhjelp.own_norm]] som dekkjer i dag")  # fmt: skip
    return problems
