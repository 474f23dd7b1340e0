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
