"""The decision table: the first row whose `when` holds gives the outcome and the route."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cel

from runner.models.results import Decision, Route, RuleOutcome
from runner.rules.expressions import error_text
from runner.rules.ruleset import DecisionRow

NOT_CLEAR = frozenset({RuleOutcome.ikke_oppfylt.value, RuleOutcome.uavklart.value})
UAVKLART_TEXT = RuleOutcome.uavklart.value


def is_true(result: object) -> bool:
    """A CEL bool; anything else is an error in the rule set, never silently false."""
    if result is True or result is False:
        return result
    raise TypeError(f"uttrykket ga {result!r}, ventet sann/usann (bool)")


def decide(
    rows: Sequence[DecisionRow],
    context: cel.Context,
    outcomes: Mapping[str, str],
    amounts: Mapping[str, float | int],
    *,
    discretion: Sequence[str] = (),
    unverified: Sequence[str] = (),
) -> Decision:
    """Run the first-hit table, row by row, over rule outcomes already placed in `context`.

    Any `uavklart` rule routes to review whatever the row says, and so does a row that
    declares `discretion` (the kommune's "kan": a person decides). A row whose `when` fails
    at runtime is a defect of the rule set: it is skipped, the case goes to review, and
    `matched` says which row failed and why.
    """
    failures: list[str] = []
    chosen = rows[-1]
    for row in rows:
        if row.when is None:
            chosen = row
            break
        try:
            if is_true(row.when.execute(context)):
                chosen = row
                break
        except Exception as error:  # a defect in the table must not stop the case
            failures.append(f"decision[{row.index}].when feilet: {error_text(error)}")
    urgent = False
    if chosen.urgent is not None:
        try:
            urgent = is_true(chosen.urgent.execute(context))
        except Exception as error:  # unknown urgency: treat as urgent, and say why
            urgent = True
            failures.append(f"decision[{chosen.index}].urgent feilet: {error_text(error)}")
    any_uncertain = UAVKLART_TEXT in outcomes.values()
    open_discretion = list(discretion)
    if chosen.discretion is not None:  # a row that rests on discretion: always a person
        open_discretion.append(f"decision[{chosen.index}]")
    route = Route.review if any_uncertain or failures or open_discretion else chosen.route
    matched = chosen.matched_text
    if failures:
        matched += " (" + "; ".join(failures) + ")"
    return Decision(
        outcome=chosen.outcome,
        route=route,
        reasons=[rule_id for rule_id, outcome in outcomes.items() if outcome in NOT_CLEAR],
        matched=matched,
        urgent=urgent,
        amounts=dict(amounts),
        discretion=open_discretion,
        unverified=list(unverified),
    )
