"""The per-kommune table after a run: how many cases each kommune got, and where they are."""

from __future__ import annotations

from collections import Counter
from typing import Any

from runner.settings import Settings
from runner.store import Store

#: Table columns: (heading, the states counted in it).
COLUMNS: tuple[tuple[str, frozenset[str]], ...] = (
    ("Ferdig sendt", frozenset({"sent", "finalised"})),
    ("Til saksbehandler", frozenset({"pending_review", "approved"})),
    ("Karantene", frozenset({"quarantined"})),
    ("Parkert", frozenset({"parked"})),
)


def kommune_counts(store: Store) -> dict[str | None, Counter[str]]:
    """Cases per kommunenummer (None: not read yet) and state, over every robot."""
    counts: dict[str | None, Counter[str]] = {}
    for (_robot, kommune, state), count in store.count_by_kommune().items():
        counts.setdefault(kommune, Counter())[state] += count
    return counts


def kommune_table(store: Store, settings: Settings) -> Any:
    """A rich Table: one row per kommune with cases, by the states that matter to a reader."""
    from rich.table import Table

    table = Table(title="Saker per kommune")
    table.add_column("Kommune")
    table.add_column("Saker", justify="right")
    for heading, _states in COLUMNS:
        table.add_column(heading, justify="right")
    counts = kommune_counts(store)
    for number in sorted(counts, key=lambda item: item or "9999"):
        states = counts[number]
        served = settings.kommuner.get(number or "")
        if number is None:
            name = "(kommune ikke lest)"
        else:
            name = f"{number} {served.name}" if served else f"{number} (ikke betjent)"
        row = [name, str(sum(states.values()))]
        row += [str(sum(states[state] for state in wanted)) for _heading, wanted in COLUMNS]
        table.add_row(*row)
    return table


#: Why a case waits for a caseworker, read from its decision's rule results.
REVIEW_CAUSES: tuple[tuple[str, str], ...] = (
    ("discretion", "Skjønn"),
    ("unverified", "Ikke kontrollert"),
    ("undecided", "Uten utfall"),
)


def review_causes(store: Store, *, limit: int = 10_000) -> dict[str | None, Counter[str]]:
    """Waiting cases per kommune: all of them, and those held by open discretion, by facts
    only declared, and those with no outcome (til_vurdering). A case may count in several."""
    counts: dict[str | None, Counter[str]] = {}
    for record in store.list_cases(state="pending_review", limit=limit):
        counter = counts.setdefault(record.kommunenummer, Counter())
        counter["waiting"] += 1
        decision = store.latest_decision(record.id)
        results = decision.results if decision is not None else []
        if any(result.get("discretion") == "open" for result in results):
            counter["discretion"] += 1
        if any(result.get("unverified") for result in results):
            counter["unverified"] += 1
        if record.outcome == "til_vurdering":
            counter["undecided"] += 1
    return counts


def review_table(store: Store, settings: Settings) -> Any:
    """A rich Table: per kommune, why the waiting cases wait for a caseworker."""
    from rich.table import Table

    table = Table(title="Til saksbehandler, etter grunn")
    table.add_column("Kommune")
    table.add_column("Til saksbehandler", justify="right")
    for _key, heading in REVIEW_CAUSES:
        table.add_column(heading, justify="right")
    counts = review_causes(store)
    for number in sorted(counts, key=lambda item: item or "9999"):
        served = settings.kommuner.get(number or "")
        name = f"{number} {served.name}" if served and number else str(number or "-")
        causes = counts[number]
        table.add_row(
            name, str(causes["waiting"]), *(str(causes[key]) for key, _heading in REVIEW_CAUSES)
        )
    return table
