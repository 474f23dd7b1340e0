"""What every source yields: raw items, read but not yet parsed."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from runner.errors import FieldProblem

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


@dataclass(frozen=True)
class Marker:
    """What a stand-in made by problem_marker says: the problem (bokmål, for the operator),
    whether it may pass, and the problems in words where the source named them."""

    problem: str
    transient: bool
    problems: tuple[FieldProblem, ...] = ()


def problem_marker(
    source_ref: str,
    problem: str,
    fingerprint: str,
    *,
    transient: bool,
    kommunenummer: str | None = None,
    problems: Sequence[FieldProblem] = (),
) -> bytes:
    """Stand-in content for an item that was not read: unique per item, problem kept for resume.

    The fingerprint (e.g. size and streamed sha256) tells two different unread items apart,
    so they become two cases, and the same unread item twice stays one case. `kommunenummer`:
    the kommune the item came to, when the place says so (a kommune's own Fiks IO account),
    so its caseworkers see it (runner/sources/convert.py claimed_kommune). `problems`: the
    problems in words (runner/problems.py), shown in the reader's målform.
    """
    body: dict[str, object] = {
        "source_ref": source_ref,
        "fingerprint": fingerprint,
        "problem": problem,
    }
    body["transient"] = "yes" if transient else "no"
    if kommunenummer is not None:
        body["kommunenummer"] = kommunenummer
    if problems:
        body["problems"] = [p.as_dict() for p in problems]
    return MARKER_PREFIX + json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def read_marker(content: bytes) -> Marker | None:
    """What the content says if it is a stand-in made by problem_marker, else None."""
    if not content.startswith(MARKER_PREFIX):
        return None
    try:
        body = json.loads(content[len(MARKER_PREFIX) :].decode("utf-8"))
        problems = tuple(
            FieldProblem(
                str(p["field"]),
                str(p["reason"]),
                str(p["fix"]),
                text=str(p["text"]) if "text" in p else None,
                values=dict(p.get("values") or {}),
            )
            for p in body.get("problems", [])
        )
        return Marker(str(body["problem"]), body["transient"] == "yes", problems)
    except (ValueError, KeyError, TypeError, AttributeError):
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
