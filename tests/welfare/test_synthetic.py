"""Synthetic welfare cases: valid identities, each scenario gives its expected outcome."""

from __future__ import annotations

import json
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from stdnum.no import fodselsnummer, kontonr

from demo.generate import WELFARE_INBOX, welfare_cases
from demo.synthetic import WELFARE_EXPECTED_OUTCOMES, WELFARE_SCENARIOS, sosialhjelp_case
from runner.rules import RuleSet
from runner.settings import Settings

from .conftest import evaluate_case

RECEIVED = datetime(2026, 11, 2, 8, 45, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.mark.parametrize("scenario", sorted(WELFARE_SCENARIOS))
@pytest.mark.parametrize("seed", range(4))
def test_scenario_gives_its_outcome(
    rule_set: RuleSet, settings: Settings, scenario: str, seed: int
) -> None:
    rng = random.Random(seed)
    case = sosialhjelp_case(rng, scenario, reference=f"SH-T-{seed}", received_at=RECEIVED,
                            malform="nn" if seed % 2 else "nb")  # fmt: skip
    assert fodselsnummer.is_valid(case["applicant"]["national_id"])
    assert kontonr.is_valid(case["applicant"]["account_number"])
    decision = evaluate_case(rule_set, settings, case).decision
    assert decision.outcome == WELFARE_EXPECTED_OUTCOMES[scenario], decision.reasons
    assert decision.urgent == (scenario == "nodhjelp")


def test_unknown_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown scenario"):
        sosialhjelp_case(random.Random(1), "lotto", reference="X", received_at=RECEIVED)


def test_demo_inbox_is_the_generated_one() -> None:
    cases = welfare_cases()
    assert len(cases) >= 40
    assert {case["malform"] for case in cases} == {"nb", "nn"}
    assert {case["kommunenummer"] for case in cases} == {"4627", "4601", "0301"}
    files = sorted(WELFARE_INBOX.glob("SH-*.json"))
    assert [path.stem for path in files] == sorted(case["reference"] for case in cases)
    for case in cases:
        path = WELFARE_INBOX / f"{case['reference']}.json"
        assert json.loads(path.read_text(encoding="utf-8")) == case
