"""Taking items in from a source that fails in a way nobody foresaw: the run goes on.

A source's own item boundary (runner/sources/boundary.py) turns what goes wrong with one
item into that item's error. What is left: the source breaking down between items, or an
item the store cannot take. Either is logged (type and trace, never the message: it may
quote the item) and told in Norwegian; what was not taken in stays in the source.
"""

from __future__ import annotations

from collections.abc import Iterator

from runner.errors import SaksrobotError
from runner.logs import get_logger
from runner.sources import Source
from runner.sources.base import RawItem
from runner.sources.boundary import redacted_trace

log = get_logger("saksrobot.run")


def guarded_items(source: Source, problems: list[str]) -> Iterator[RawItem]:
    """The source's items; if reading them fails past any one item in a way nobody foresaw,
    the items read so far, and the problem added to `problems`."""
    try:
        yield from source.items()
    except SaksrobotError:  # ours (e.g. the inbox is missing) say what is wrong, as before
        raise
    except Exception as error:
        problems.append(intake_problem(source, error, None))


def intake_problem(source: Source, error: Exception, source_ref: str | None) -> str:
    """Log that an item (or the source) could not be taken in; what a human reads about it."""
    name = type(error).__name__
    trace = redacted_trace(error)
    log.error("intake_failed", source=source.kind, source_ref=source_ref, exception=name,
              trace=trace)  # fmt: skip
    where = f"{source_ref} i {source.describe()}" if source_ref else source.describe()
    return (
        f"{where} kunne ikke tas imot (uventet feil: {name}); det som ikke ble tatt imot, "
        "blir liggende i kilden og leses på nytt ved neste kjøring. Står feilen igjen, gi "
        "driftsansvarlig denne meldingen (feiltypen og sporet står i loggen)"
    )
