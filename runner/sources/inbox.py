"""An inbox folder's files: names shown safely, and files no source reads reported, not ignored.

A file name on Linux is bytes; it need not be UTF-8 and may hold control characters. The name
a source gives an item (`safe_name`) is text any store, log and terminal takes: bytes that
are not UTF-8 and control characters are written as \\xNN. Every file directly in an inbox is
an item: one the source reads, or one it does not read (another file type, a macro workbook,
an old .xls), which becomes an unread item that is quarantined with the reason, so the run
summary shows it and the file stays where it is. Hidden files and Office lock files (~$…) are
not applications and are passed over; sub-folders hold attachments.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from pathlib import Path

from runner.sources.base import RawItem, problem_marker

#: Names that are never items: hidden files, and the lock files Office keeps beside open files.
PASSED_OVER = (".", "~$")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe_name(name: str) -> str:
    """The file name as safe text: non-UTF-8 bytes and control characters as \\xNN."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return _UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inbox_files(folder: Path) -> list[Path]:
    """The files directly in the folder that may be items, in a stable order (by name bytes)."""
    found = [
        entry
        for entry in folder.iterdir()
        if not entry.name.startswith(PASSED_OVER) and not entry.is_dir()
    ]
    return sorted(found, key=lambda entry: os.fsencode(entry.name))


NOT_A_FILE = (
    "dette er ikke en vanlig fil (en pipe, socket eller enhet); legg selve søknadsfilen i innboksen"
)


def is_regular_file(entry: Path) -> bool:
    """Whether the entry is a plain file (a pipe or device in an inbox would block a read)."""
    try:
        return stat.S_ISREG(entry.lstat().st_mode)
    except OSError:
        return True  # gone or unreadable: the read says so (and retries)


def name_fits(name: str, pattern: str) -> bool:
    """Whether a file name fits a source's pattern, in any letter case (*.pdf takes SOKNAD.PDF)."""
    return fnmatch.fnmatchcase(name.lower(), pattern.lower())


def unread_file(kind: str, folder: Path, entry: Path, problem: str) -> RawItem:
    """A file the source does not read, as an item that is quarantined with the problem.

    The same unchanged file in a later run is the same item (a duplicate, not a new case).
    """
    name = safe_name(entry.name)
    try:
        status = entry.lstat()
        fingerprint = f"unread:{name}:{status.st_size}:{status.st_mtime_ns}"
    except OSError:
        fingerprint = f"unread:{name}"
    marker = problem_marker(name, problem, fingerprint, transient=False)
    return RawItem(kind, name, marker, problem, folder)


def not_read_problem(entry: Path, pattern: str) -> str:
    """Why a file in the inbox is not read, with what to do, in Norwegian."""
    return (
        f"filen leses ikke av denne roboten (den leser bare filer som passer '{pattern}'); "
        "send søknaden i riktig format, eller flytt filen ut av innboksen"
    )
