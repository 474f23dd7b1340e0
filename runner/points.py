"""A case's open points: what the robot could not settle, for the caseworker to decide.

A point is a rule whose result is `uavklart` or `ikke_oppfylt`, or that rests on discretion
still open or on a fact the applicant only declared. The caseworker answers each: the rule is
`oppfylt` or `ikke_oppfylt`, confirming or overriding the robot's reading, with a written
assessment whenever the robot could not decide or the caseworker overrides it (fvl. § 25:
the letter states the main considerations). A letter is sent only when every point has an
answer (runner/web/actions.py), and the answers are written into the letter
(runner/drafting.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runner.models.results import RuleOutcome
from runner.store.casework import NewAnswer, PointAnswer

__all__ = [
    "ANSWERS",
    "MAX_ASSESSMENT",
    "MIN_ASSESSMENT",
    "OpenPoint",
    "current_answers",
    "letter_answers",
    "new_answer",
    "open_points",
    "problem",
    "unanswered",
]

#: What a caseworker may decide a rule is.
ANSWERS = (RuleOutcome.oppfylt.value, RuleOutcome.ikke_oppfylt.value)
#: A written assessment is at least a sentence, and at most a page of the letter.
MIN_ASSESSMENT = 20
MAX_ASSESSMENT = 4000

_OPEN = (RuleOutcome.uavklart.value, RuleOutcome.ikke_oppfylt.value)


@dataclass(frozen=True, slots=True)
class OpenPoint:
    """One question the caseworker answers: a rule the robot could not settle alone."""

    rule_id: str
    title: dict[str, str]
    robot_outcome: str
    explanation: dict[str, str]
    legal_basis: list[dict[str, str]]
    discretion: bool  # the law says "kan": a person exercises the discretion
    unverified: list[str]  # facts the applicant only declared that the rule needs verified

    @property
    def always_assessed(self) -> bool:
        """Whether any answer needs a written assessment (not only an override)."""
        return (
            self.robot_outcome == RuleOutcome.uavklart.value
            or self.discretion
            or bool(self.unverified)
        )

    def needs_assessment(self, outcome: str) -> bool:
        """Whether answering `outcome` needs a written assessment."""
        return self.always_assessed or outcome != self.robot_outcome


def open_points(results: list[dict[str, Any]]) -> list[OpenPoint]:
    """The open points among a decision's rule results, in the rule set's order."""
    return [
        OpenPoint(
            rule_id=result["rule_id"],
            title=dict(result.get("title") or {}),
            robot_outcome=str(result["outcome"]),
            explanation=dict(result.get("explanation") or {}),
            legal_basis=[dict(basis) for basis in result.get("legal_basis") or []],
            discretion=result.get("discretion") == "open",
            unverified=list(result.get("unverified") or []),
        )
        for result in results
        if result["outcome"] in _OPEN
        or result.get("discretion") == "open"
        or result.get("unverified")
    ]


def problem(point: OpenPoint, outcome: str | None, assessment: str) -> str | None:
    """What is wrong with this answer to `point` (a word key), or None when it may be stored."""
    if outcome not in ANSWERS:
        return "answer_missing"
    text = assessment.strip()
    if len(text) > MAX_ASSESSMENT:
        return "assessment_too_long"
    if point.needs_assessment(outcome) and len(text) < MIN_ASSESSMENT:
        return "assessment_required"
    return None


def new_answer(point: OpenPoint, outcome: str, assessment: str) -> NewAnswer:
    """The answer to store (after `problem` found nothing wrong)."""
    return NewAnswer(
        rule_id=point.rule_id,
        robot_outcome=point.robot_outcome,
        outcome=outcome,
        assessment=" ".join(assessment.split()),
    )


def current_answers(
    points: list[OpenPoint], answers: Mapping[str, PointAnswer]
) -> dict[str, PointAnswer]:
    """The answers that still answer the points: to a rule still open, read the same way
    (a rule the robot reads differently after a new evaluation is a new question)."""
    return {
        point.rule_id: answers[point.rule_id]
        for point in points
        if point.rule_id in answers and answers[point.rule_id].robot_outcome == point.robot_outcome
    }


def unanswered(points: list[OpenPoint], answers: Mapping[str, PointAnswer]) -> list[OpenPoint]:
    """The points without a current answer."""
    current = current_answers(points, answers)
    return [point for point in points if point.rule_id not in current]


def letter_answers(
    points: list[OpenPoint], answers: Mapping[str, PointAnswer]
) -> dict[str, tuple[str, str]]:
    """rule id → (the caseworker's outcome, their assessment), for the letter."""
    return {
        rule_id: (answer.outcome, answer.assessment)
        for rule_id, answer in current_answers(points, answers).items()
    }
