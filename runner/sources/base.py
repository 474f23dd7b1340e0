"""What every source yields: raw items, read but not yet parsed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class RawItem:
    """One incoming item as bytes, with where it came from and any problem reading it."""

    source: str  # e.g. "folder" or "workitems"
    source_ref: str  # the file name or work-item id a human can find it by
    content: bytes
    problem: str | None = None  # set when the item could not be read whole (e.g. too large)
    base_dir: Path | None = None  # where relative attachment paths are resolved


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
