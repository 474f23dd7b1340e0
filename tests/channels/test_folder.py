"""The outbox folder channel: atomic, private, once per key, reconcilable."""

from __future__ import annotations

import errno
import stat
from pathlib import Path

import pytest

from runner.channels import Delivery, FolderChannel, Letter
from runner.errors import ChannelError


def _letter(tmp_path: Path, key: str = "robot-1-v1") -> Letter:
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(b"%PDF-1.7 test")
    return Letter(key=key, pdf_path=pdf, reference="BS-1")


def test_send_writes_once_with_private_permissions(tmp_path: Path) -> None:
    channel = FolderChannel(tmp_path / "outbox")
    letter = _letter(tmp_path)
    assert channel.reconcile(letter.key) is Delivery.not_delivered
    target = Path(channel.send(letter))
    assert target.read_bytes() == b"%PDF-1.7 test"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert channel.reconcile(letter.key) is Delivery.delivered
    letter.pdf_path.write_bytes(b"changed")
    channel.send(letter)  # a second send of the same key writes nothing
    assert target.read_bytes() == b"%PDF-1.7 test"
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_unwritable_outbox_is_an_application_error(tmp_path: Path) -> None:
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(ChannelError) as caught:
        FolderChannel(blocked).send(_letter(tmp_path))
    assert "robot-1-v1" in str(caught.value)


def test_disk_full_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runner.channels.folder as folder

    def full(target: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(folder, "write_atomic", full)
    with pytest.raises(ChannelError, match="disk is full"):
        FolderChannel(tmp_path / "outbox").send(_letter(tmp_path))
