"""What every source yields: raw items, read but not yet parsed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: How a stand-in for an item that could not be read whole starts (never valid JSON).
MARKER_PREFIX = b"saksrobot-unread-item\n"


@dataclass(frozen=True)
class RawItem:
    """One incoming item as bytes, with where it came from and any problem reading it."""

    source: str  # e.g. "folder" or "workitems"
    source_ref: str  # the file name or work-item id a human can find it by
    content: bytes
    problem: str | None = None  # set when the item could not be read whole (e.g. too large)
    base_dir: Path | None = None  # where relative attachment paths are resolved
    transient: bool = False  # the problem may pass (a locked file): park, do not quarantine


def problem_marker(
    source_ref: str,
    problem: str,
    fingerprint: str,
    *,
    transient: bool,
    kommunenummer: str | None = None,
) -> bytes:
    """Stand-in content for an item that was not read: unique per item, problem kept for resume.

    The fingerprint (e.g. size and streamed sha256) tells two different unread items apart,
    so they become two cases, and the same unread item twice stays one case. `kommunenummer`:
    the kommune the item came to, when the place says so (a kommune's own Fiks IO account),
    so its caseworkers see it (runner/sources/convert.py claimed_kommune).
    """
    body = {"source_ref": source_ref, "fingerprint": fingerprint, "problem": problem}
    body["transient"] = "yes" if transient else "no"
    if kommunenummer is not None:
        body["kommunenummer"] = kommunenummer
    return MARKER_PREFIX + json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def read_marker(content: bytes) -> tuple[str, bool] | None:
    """(problem, transient) if the content is a stand-in made by problem_marker, else None."""
    if not content.startswith(MARKER_PREFIX):
        return None
    try:
        body = json.loads(content[len(MARKER_PREFIX) :].decode("utf-8"))
        return str(body["problem"]), body["transient"] == "yes"
    except (ValueError, KeyError, TypeError):
        return None


def marker_kommune(content: bytes) -> str | None:
    """The kommunenummer a stand-in made by problem_marker carries, if any."""
    if read_marker(content) is None:
        return None
    body = json.loads(content[len(MARKER_PREFIX) :].decode("utf-8"))
    value = body.get("kommunenummer")
    return value if isinstance(value, str) else None


class Source(Protocol):
    """A place cases come from. Reading must never raise for one bad item."""

    kind: str

    def items(self) -> Iterator[RawItem]:
        """Yield every item currently waiting, in a stable order."""
        ...

    def count(self) -> int:
        """How many items are waiting (for progress bars); may be approximate."""
        ...

    def describe(self) -> str:
        """Where this source reads from, for messages and logs."""
        ...
