"""A drop folder: every file in it is one case (JSON), read with a size limit.

Every file directly in the folder gives an item, whatever its name or content: a file the
pattern does not take, or one that fails to read in a way nobody foresaw, is an unread item
(quarantined with the reason), so one file can never stop the run or be passed over silently.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from runner.errors import SourceError
from runner.logs import get_logger
from runner.sources.base import RawItem, problem_marker
from runner.sources.boundary import GENERAL_FIX, redacted_trace
from runner.sources.inbox import (
    NOT_A_FILE,
    inbox_files,
    name_fits,
    not_read_problem,
    safe_name,
    unread_file,
)

log = get_logger("saksrobot.sources.folder")


class _Locked(OSError):
    """Another process holds a lock on the file (it is still being written)."""


class FolderSource:
    """Reads the files directly in a folder (sub-folders hold attachments).

    A file another process holds a lock on, or that cannot be read, is tried again with
    backoff (`retry_attempts`, `retry_delay`); if it stays so, it is yielded as a transient
    problem, which the pipeline parks for a human instead of quarantining.
    """

    kind = "folder"

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int,
        pattern: str = "*",
        retry_attempts: int = 3,
        retry_delay: float = 0.2,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.pattern = pattern
        self.retry_attempts = max(1, retry_attempts)
        self.retry_delay = retry_delay

    def describe(self) -> str:
        return str(self.path)

    def count(self) -> int:
        if not self.path.is_dir():
            return 0
        try:
            return len(inbox_files(self.path))
        except OSError:
            return 0

    def items(self) -> Iterator[RawItem]:
        if not self.path.is_dir():
            raise SourceError(
                f"Inbox folder {self.path} does not exist or is not a folder",
                fix="Create it, or give the right path with --inbox.",
            )
        for entry in inbox_files(self.path):
            if not self.takes(entry):
                yield unread_file(self.kind, self.path, entry, self.not_read(entry))
                continue
            try:
                item = self.read(entry)
            except Exception as error:  # one file must never stop the run
                log.warning(
                    "source_item_unreadable",
                    file=safe_name(entry.name),
                    exception=type(error).__name__,
                    trace=redacted_trace(error),
                )
                problem = f"filen kan ikke leses (uventet feil: {type(error).__name__}); "
                item = unread_file(self.kind, self.path, entry, problem + GENERAL_FIX)
            yield item

    def takes(self, entry: Path) -> bool:
        """Whether this source reads the file: its name fits the pattern, in any case
        (SOKNAD.PDF is a PDF too)."""
        return name_fits(entry.name, self.pattern)

    def not_read(self, entry: Path) -> str:
        """Why a file in the inbox that this source does not read is not read, and the fix."""
        return not_read_problem(entry, self.pattern)

    def read(self, entry: Path) -> RawItem:
        """Read one file as a raw item (also used to re-read a case's file on retry)."""
        name = safe_name(entry.name)
        delay = self.retry_delay
        for attempt in range(1, self.retry_attempts + 1):
            try:
                return self._read_file(entry)
            except OSError as error:
                if attempt == self.retry_attempts:
                    return self._unreadable(name, error)
                log.warning("source_retry", file=name, attempt=attempt, error=_why(error))
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _read_file(self, entry: Path) -> RawItem:
        """One open that refuses a symlink (O_NOFOLLOW) and a pipe or device (fstat of what
        was opened): no check-then-open, so a file swapped meanwhile cannot slip through."""
        name = safe_name(entry.name)
        try:
            fd = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            try:
                target = safe_name(os.readlink(entry))
            except OSError:
                target = "?"
            return self._problem(
                name,
                "filen er en symbolsk lenke; legg selve filen i innboksen",
                f"symlink:{target}",
                transient=False,
            )
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # a pipe or device would block the read forever
            os.close(fd)
            return self._problem(name, NOT_A_FILE, f"special:{name}:{mode}", transient=False)
        with os.fdopen(fd, "rb") as handle:
            try:  # a writer holding a lock has not finished the file
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise _Locked(errno.EWOULDBLOCK, "låst av en annen prosess") from error
            size = os.fstat(handle.fileno()).st_size
            if size > self.max_bytes:
                return self._oversize(name, handle.fileno(), size)
            content = handle.read(self.max_bytes + 1)
            if len(content) > self.max_bytes:  # grew while we read it
                return self._oversize(name, handle.fileno(), os.fstat(handle.fileno()).st_size)
        return RawItem(self.kind, name, content, None, self.path)

    def _oversize(self, name: str, fd: int, size: int) -> RawItem:
        return self._problem(
            name,
            f"filen er {size} byte, over grensen på {self.max_bytes} byte "
            "(max_input_bytes i innstillingene); del opp eller krymp filen",
            f"oversize:{size}:{_streamed_sha256(fd)}",
            transient=False,
        )

    def _unreadable(self, name: str, error: OSError) -> RawItem:
        return self._problem(
            name,
            f"filen kan ikke leses etter {self.retry_attempts} forsøk: {_why(error)}; "
            "sjekk at ingen annen prosess holder den, og tilgangene på filen",
            f"unreadable:{name}",
            transient=True,
        )

    def _problem(self, name: str, problem: str, fingerprint: str, *, transient: bool) -> RawItem:
        content = problem_marker(name, problem, fingerprint, transient=transient)
        return RawItem(self.kind, name, content, problem, self.path, transient)


def _why(error: OSError) -> str:
    return error.strerror or os.strerror(error.errno or 0) or type(error).__name__


def _streamed_sha256(fd: int) -> str:
    """sha256 of an open file read in 1 MB blocks: the file is never held whole in memory."""
    digest = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while block := os.read(fd, 1 << 20):
        digest.update(block)
    return digest.hexdigest()
