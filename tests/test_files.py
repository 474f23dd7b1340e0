"""Private atomic files: whole or absent, owner-only, several written with one flush."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from runner.files import write_atomic, write_atomic_all


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def test_several_files_appear_whole_and_private(tmp_path: Path) -> None:
    letter = tmp_path / "letters" / "BS-1" / "brev.pdf"
    record = letter.with_suffix(".json")
    other = tmp_path / "elsewhere" / "kopi.pdf"
    write_atomic_all([(letter, b"%PDF-1.7"), (record, b'{"a": 1}\n'), (other, b"")])
    assert letter.read_bytes() == b"%PDF-1.7" and record.read_bytes() == b'{"a": 1}\n'
    assert other.read_bytes() == b""
    for path in (letter, record, other):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(letter.parent.stat().st_mode) == 0o700
    assert _names(tmp_path) == ["brev.json", "brev.pdf", "kopi.pdf"]  # no temporary files
    write_atomic(letter, b"%PDF-1.7 ny")
    assert letter.read_bytes() == b"%PDF-1.7 ny"


def test_when_one_cannot_be_written_none_appears(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    letter = tmp_path / "letters" / "brev.pdf"
    with pytest.raises(OSError):
        write_atomic_all([(letter, b"%PDF-1.7"), (blocked / "brev.json", b"{}")])
    assert not letter.exists()
    assert _names(tmp_path) == ["blocked"]  # the first file's temporary file is gone too
