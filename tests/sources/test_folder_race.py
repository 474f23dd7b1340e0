"""An inbox entry swapped between a file, a symlink and a pipe while it is read: every read
ends in the file's content or an unread item, never an unhandled error, and never in the
symlink's target (one open with O_NOFOLLOW, no check-then-open)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from runner.sources.folder import FolderSource

SECRET = b'{"secret": "outside the inbox"}'


def test_swapping_entry_never_raises_nor_follows(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_bytes(SECRET)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    entry = inbox / "sak.json"
    entry.write_bytes(b"{}")
    stop = threading.Event()

    spare = inbox / ".spare"

    def swap() -> None:
        while not stop.is_set():
            for make in (
                lambda: spare.symlink_to(outside),
                lambda: spare.write_bytes(b"{}"),
                lambda: os.mkfifo(spare),
            ):
                make()
                os.replace(spare, entry)
                time.sleep(0)

    source = FolderSource(inbox, max_bytes=1000, retry_attempts=2, retry_delay=0)
    errors: list[BaseException] = []
    kinds: set[str] = set()
    leaked: list[bytes] = []

    def read() -> None:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                item = source.read(entry)
            except Exception as error:  # what the old check-then-open raised
                errors.append(error)
                continue
            if SECRET in item.content:
                leaked.append(item.content)
            kinds.add("problem" if item.problem else "read")

    swapper = threading.Thread(target=swap)
    reader = threading.Thread(target=read, daemon=True)  # the old open of a pipe hung
    swapper.start()
    reader.start()
    reader.join(timeout=30)
    stop.set()
    swapper.join()
    assert not reader.is_alive(), "a read hung (it opened a pipe swapped in after the check)"
    assert errors == [], f"{len(errors)} unhandled errors, e.g. {errors[:3]!r}"
    assert leaked == []
    assert kinds == {"problem", "read"}
