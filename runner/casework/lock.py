"""One run per robot at a time: an advisory file lock in data_dir, waited for with a message."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from runner.files import ensure_private_dir
from runner.logs import get_logger

log = get_logger("saksrobot.casework.lock")

POLL_SECONDS = 0.2


class RunStopped(Exception):
    """A stop was requested while waiting for the lock; nothing was done."""


@contextlib.contextmanager
def robot_lock(
    data_dir: Path,
    robot_id: str,
    *,
    on_wait: Callable[[str], None] | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> Iterator[None]:
    """Hold `data_dir/locks/<robot>.lock` while the body runs; wait (with a message) if taken.

    The lock is the kernel's (flock): it is released when the process ends in any way,
    SIGKILL included, so a crashed run never leaves it stuck.
    """
    path = ensure_private_dir(data_dir / "locks") / f"{_safe(robot_id)}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    message = (
                        f"En annen kjøring av {robot_id} pågår (pid {_holder(fd)}); "
                        "venter til den er ferdig, så ingen sak behandles to ganger."
                    )
                    log.warning("run_lock_wait", robot=robot_id, lock=str(path))
                    if on_wait is not None:
                        on_wait(message)
                    told = True
                if stopped():
                    raise RunStopped(robot_id) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip() or "ukjent"
    except (OSError, UnicodeDecodeError):
        return "ukjent"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)[:100]


def remove_stale_temp_files(folders: list[Path], robot_id: str) -> int:
    """Delete half-written letter files (`.<key>.pdf.*.tmp`) a killed run of this robot left.

    Only called while holding the robot's lock, so no live write of this robot is touched;
    the key prefix keeps other robots' files out of reach.
    """
    pattern = re.compile(rf"^\.{re.escape(robot_id)}-\d+-v\d+\.pdf\..*\.tmp$")
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.rglob(".*.tmp"):
            if pattern.match(entry.name) and entry.is_file() and not entry.is_symlink():
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
                    removed += 1
    if removed:
        log.info("stale_temp_files_removed", robot=robot_id, count=removed)
    return removed
