"""A drop folder: every file in it is one case (JSON), read with a size limit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from runner.errors import SourceError
from runner.sources.base import RawItem

PREVIEW_BYTES = 4096


class FolderSource:
    """Reads the files directly in a folder (sub-folders hold attachments)."""

    kind = "folder"

    def __init__(self, path: Path, *, max_bytes: int, pattern: str = "*") -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.pattern = pattern

    def describe(self) -> str:
        return str(self.path)

    def count(self) -> int:
        if not self.path.is_dir():
            return 0
        return sum(
            1
            for entry in self.path.glob(self.pattern)
            if not entry.name.startswith(".") and not entry.is_dir()
        )

    def items(self) -> Iterator[RawItem]:
        if not self.path.is_dir():
            raise SourceError(
                f"Inbox folder {self.path} does not exist or is not a folder",
                fix="Create it, or give the right path with --inbox.",
            )
        for entry in sorted(self.path.glob(self.pattern)):
            if entry.name.startswith(".") or entry.is_dir():
                continue
            yield self._read(entry)

    def _read(self, entry: Path) -> RawItem:
        name = entry.name
        if entry.is_symlink():
            return RawItem(
                self.kind,
                name,
                b"",
                "filen er en symbolsk lenke; legg selve filen i innboksen",
                self.path,
            )
        try:
            size = entry.stat().st_size
            if size > self.max_bytes:
                return RawItem(
                    self.kind,
                    name,
                    _oversize_marker(entry, size),
                    f"filen er {size} byte, over grensen på {self.max_bytes} byte "
                    "(max_input_bytes i innstillingene)",
                    self.path,
                )
            with entry.open("rb") as handle:
                content = handle.read(self.max_bytes + 1)
        except OSError as error:
            return RawItem(
                self.kind, name, b"", f"filen kan ikke leses: {error.strerror}", self.path
            )
        if len(content) > self.max_bytes:  # grew while we read it
            return RawItem(
                self.kind,
                name,
                _oversize_marker(entry, len(content)),
                f"filen er over grensen på {self.max_bytes} byte",
                self.path,
            )
        return RawItem(self.kind, name, content, None, self.path)


def _oversize_marker(entry: Path, size: int) -> bytes:
    """A small stand-in for a file too large to store: its size and a streamed sha256."""
    digest = hashlib.sha256()
    with entry.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"oversize:{size}:{digest.hexdigest()}".encode()
