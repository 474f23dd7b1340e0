"""Write the demo cases to demo/inbox/<robot>/: a fixed seed, so the same bytes each run."""

from __future__ import annotations

import json
import random
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout, for demo.*

from demo.make_mapdata import place
from demo.synthetic import (
    SCENARIOS,
    WELFARE_SCENARIOS,
    byggesak_case,
    sosialhjelp_case,
)
from runner.models.byggesak import ByggesakCase
from runner.models.sosialhjelp import SosialhjelpCase

SEED = 4627
KOMMUNENUMMER = "4627"  # Askøy, the default kommune in demo/saksrobot.toml
#: The other demo kommuner (demo/kommuner/): case i of a robot goes to OTHER_KOMMUNER[i % 6]
#: when listed, else to Askøy; so a third of the cases is Bergen's (nynorsk) or Oslo's.
OTHER_KOMMUNER = {1: "4601", 4: "0301"}
INBOX = Path(__file__).resolve().parent / "inbox" / "byggesak"
WELFARE_INBOX = INBOX.parent / "sosialhjelp"
WELFARE_SEED = 18
#: Welfare cases: three of each scenario plus a few more of the common ones (48).
WELFARE_EXTRA = {
    "enslig_innvilget": 2,
    "familie_barnetrygd": 2,
    "udokumentert_inntekt": 1,
    "inntekt_over_behov": 1,
}
#: Welfare applications arrive in the two months before the demo runs; those from October
#: have waited more than a month (forvaltningsloven § 11 a: foreløpig svar).
WELFARE_FIRST_DAY, WELFARE_LAST_DAY = date(2026, 10, 1), date(2026, 11, 20)
#: How many cases of each scenario: three of each, plus a few more of the common ones (48).
EXTRA = {"unntatt_garasje": 2, "soknad_garasje_60": 2, "unntatt_tilbygg": 1, "soknad_tilbygg_40": 1}
FIRST_DAY, LAST_DAY = date(2026, 1, 5), date(2026, 11, 20)
#: Demo cases placed where the kommune's map data stop the robot (demo/make_mapdata.py):
#: Askøy's first two exempt garages stand in the flood zone and in the 100-metre belt.
SPECIAL_SPOTS = ("flomsone", "strandsone")
OSLO = ZoneInfo("Europe/Oslo")


def kommune_of(index: int) -> str:
    """The kommune of the demo case at `index` (in reference order): deterministic."""
    return OTHER_KOMMUNER.get(index % 6, KOMMUNENUMMER)


def received_times(rng: random.Random, count: int) -> list[datetime]:
    """Weekday office-hour arrival times in 2026, sorted, local time with offset."""
    times: list[datetime] = []
    while len(times) < count:
        day = FIRST_DAY + timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
        if day.weekday() < 5:
            minute = rng.randint(7 * 60 + 30, 16 * 60)
            times.append(datetime.combine(day, time(minute // 60, minute % 60), OSLO))
    return sorted(times)


def demo_plan() -> list[tuple[str, Literal["nb", "nn"]]]:
    """(scenario, målform) for every demo case; each scenario appears in both målformer."""
    plan: list[tuple[str, Literal["nb", "nn"]]] = []
    for index, scenario in enumerate(SCENARIOS):
        for occurrence in range(3 + EXTRA.get(scenario, 0)):
            plan.append((scenario, "nn" if (index + occurrence) % 2 == 0 else "nb"))
    return plan


def demo_cases(seed: int = SEED) -> list[dict[str, Any]]:
    """The demo cases in reference order (the plan shuffled, arrival times ascending)."""
    rng = random.Random(seed)
    plan = demo_plan()
    rng.shuffle(plan)
    number = 100
    cases = []
    arrivals = received_times(rng, len(plan))
    slots: dict[str, int] = {}
    specials = list(SPECIAL_SPOTS)
    for index, ((scenario, malform), received_at) in enumerate(zip(plan, arrivals, strict=True)):
        number += rng.randint(1, 9)
        case = byggesak_case(
            rng,
            scenario,
            reference=f"BS-2026-{number:06d}",
            received_at=received_at,
            kommunenummer=kommune_of(index),
            malform=malform,
            # Askøy's intake checks the plan register; the other demo kommuner have no
            # map-data verification yet, so their plan conformity stays a declaration.
            plan_verified=kommune_of(index) == KOMMUNENUMMER,
        )
        kommunenummer = kommune_of(index)
        spot = "fri"
        if kommunenummer == KOMMUNENUMMER and scenario == "unntatt_garasje" and specials:
            spot = specials.pop(0)
        slot = slots.get(kommunenummer, 0)
        slots[kommunenummer] = slot + (spot == "fri")
        measure = case["measure"]
        case["position"] = place(
            kommunenummer, slot, measure["built_area_m2"], measure["distance_to_boundary_m"], spot
        )
        ByggesakCase.model_validate(case)  # demo data is always valid input
        cases.append(case)
    return cases


def welfare_plan() -> list[tuple[str, Literal["nb", "nn"]]]:
    """(scenario, målform) for every welfare demo case; each scenario in both målformer."""
    plan: list[tuple[str, Literal["nb", "nn"]]] = []
    for index, scenario in enumerate(WELFARE_SCENARIOS):
        for occurrence in range(3 + WELFARE_EXTRA.get(scenario, 0)):
            plan.append((scenario, "nn" if (index + occurrence) % 2 == 0 else "nb"))
    return plan


def welfare_cases(seed: int = WELFARE_SEED) -> list[dict[str, Any]]:
    """The welfare demo cases in reference order (arrival times ascending)."""
    rng = random.Random(seed)
    plan = welfare_plan()
    rng.shuffle(plan)
    times: list[datetime] = []
    while len(times) < len(plan):
        day = WELFARE_FIRST_DAY + timedelta(
            days=rng.randint(0, (WELFARE_LAST_DAY - WELFARE_FIRST_DAY).days)
        )
        if day.weekday() < 5:
            minute = rng.randint(7 * 60 + 30, 16 * 60)
            times.append(datetime.combine(day, time(minute // 60, minute % 60), OSLO))
    number = 10000
    cases = []
    for index, ((scenario, malform), received_at) in enumerate(
        zip(plan, sorted(times), strict=True)
    ):
        number += rng.randint(1, 9)
        case = sosialhjelp_case(
            rng,
            scenario,
            reference=f"SH-2026-{number:06d}",
            received_at=received_at,
            kommunenummer=kommune_of(index),
            malform=malform,
        )
        SosialhjelpCase.model_validate(case)  # demo data is always valid input
        cases.append(case)
    return cases


def _write(inbox: Path, prefix: str, cases: list[dict[str, Any]]) -> None:
    inbox.mkdir(parents=True, exist_ok=True)
    wanted = {f"{case['reference']}.json" for case in cases}
    for stale in inbox.glob(f"{prefix}-*.json"):
        if stale.name not in wanted:
            stale.unlink()
    for case in cases:
        text = json.dumps(case, ensure_ascii=False, indent=2) + "\n"
        (inbox / f"{case['reference']}.json").write_text(text, encoding="utf-8")
    nynorsk = sum(case["malform"] == "nn" for case in cases)
    print(f"Wrote {len(cases)} cases ({nynorsk} in nynorsk) to {inbox}")


def main() -> None:
    """Replace the demo inboxes' case files with freshly generated ones."""
    _write(INBOX, "BS", demo_cases())
    _write(WELFARE_INBOX, "SH", welfare_cases())


if __name__ == "__main__":
    main()
