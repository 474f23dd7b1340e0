"""The welfare letters state the caseworker's decision on each open point with the written
assessment (fvl. § 25), in both målformer; the rule's outcome in the letter is theirs."""

from __future__ import annotations

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from demo.synthetic import sosialhjelp_case
from runner.drafting import letter_context
from runner.letters import LetterTemplates, appeal_deadline
from runner.rules import RuleSet
from runner.settings import CONTENT_ROOT, Settings

from .conftest import evaluate_case

TODAY = date(2026, 11, 27)
HEADING = {"nb": "## Saksbehandlers vurdering", "nn": "## Vurderinga til sakshandsamaren"}
TEXT = "Søkeren har ingen andre midler; vi har lagt vekt på at husleia er dokumentert."


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_the_grant_states_each_decided_point(
    rule_set: RuleSet, settings: Settings, malform: str
) -> None:
    received = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    case = sosialhjelp_case(random.Random(5), "enslig_innvilget", reference="SH-2026-000002",
                            received_at=received, malform="nb")  # fmt: skip
    evaluation = evaluate_case(rule_set, settings, case)
    answers = {"boutgifter_dokumentert": ("oppfylt", TEXT), "annen_formue": ("ikke_oppfylt", "")}
    context = letter_context(
        case=case, evaluation=evaluation, kommune=settings.kommune, malform=malform,
        automatic=False, letter_date=TODAY, appeal_deadline=appeal_deadline(TODAY, 3),
        case_type="sosialhjelp", answers=answers,
    )  # fmt: skip
    decided = {rule["id"]: rule for rule in context["decided_points"]}
    assert set(decided) == set(answers)
    assert decided["annen_formue"]["outcome"] == "ikke_oppfylt"  # the caseworker's, not the robot's
    assert "annen_formue" in [rule["id"] for rule in context["failed_rules"]]
    markdown = (
        LetterTemplates(CONTENT_ROOT / "templates")
        .render("sosialhjelp/innvilget", malform, context)
        .markdown
    )
    section = markdown[markdown.index(HEADING[malform]) :]
    assert "husleia er dokumentert" in section
    assert section.index("husleia er dokumentert") < section.index("\n## ", 3)
