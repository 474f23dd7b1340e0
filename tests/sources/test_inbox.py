"""Inbox files: names shown safely whatever their bytes, patterns in any letter case."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner.sources.inbox import inbox_files, name_fits, safe_name


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"soknad.json", "soknad.json"),
        ("søknad æøå.json".encode(), "søknad æøå.json"),
        (b"s\xf8knad.json", "s\\xf8knad.json"),
        (b"a\x1b[2Jb\nc.json", "a\\x1b[2Jb\\x0ac.json"),
        ("a\u202egnp.json".encode(), "a\\u202egnp.json"),
        ("a\x85b".encode(), "a\\x85b"),
    ],
)
def test_safe_name(raw: bytes, shown: str) -> None:
    text = safe_name(os.fsdecode(raw))
    assert text == shown
    text.encode("utf-8")  # storable


def test_inbox_files_passes_over_hidden_lock_files_and_folders(tmp_path: Path) -> None:
    for name in (b"b.json", b"a\xff.json", b".skjult", b"~$lock.xlsx"):
        (tmp_path / os.fsdecode(name)).write_bytes(b"{}")
    (tmp_path / "vedlegg").mkdir()
    assert [os.fsencode(p.name) for p in inbox_files(tmp_path)] == [b"a\xff.json", b"b.json"]


def test_name_fits_in_any_case() -> None:
    assert name_fits("SOKNAD.PDF", "*.pdf")
    assert name_fits("saker.xlsx", "*.XLSX")
    assert not name_fits("saker.xlsm", "*.xlsx")
