"""The drop-folder source: stable order, size limit without reading whole, symlinks refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import SourceError
from runner.sources import FolderSource


def test_reads_files_in_order_and_skips_folders(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_bytes(b"{}")
    (tmp_path / "a.json").write_bytes(b"[]")
    (tmp_path / "a-attachments").mkdir()
    (tmp_path / ".hidden").write_bytes(b"x")
    source = FolderSource(tmp_path, max_bytes=100)
    items = list(source.items())
    assert [i.source_ref for i in items] == ["a.json", "b.json"]
    assert source.count() == 2
    assert all(i.problem is None for i in items)


def test_oversize_file_is_flagged_not_read(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_bytes(b"x" * 5000)
    (item,) = FolderSource(tmp_path, max_bytes=1000).items()
    assert item.problem is not None and "1000" in item.problem
    assert b"oversize:5000:" in item.content


def test_symlink_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_bytes(b"{}")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "link.json").symlink_to(outside)
    (item,) = FolderSource(inbox, max_bytes=1000).items()
    assert item.problem is not None and "lenke" in item.problem


def test_missing_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="--inbox"):
        list(FolderSource(tmp_path / "nope", max_bytes=10).items())
