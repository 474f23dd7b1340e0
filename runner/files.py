"""Private files on disk: atomic writes with owner-only permissions."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create a folder (and every missing parent) readable by the owner only.

    A folder created here is made durable in its parent (fsync), so a file later made
    durable inside it cannot be lost with the folder in a power cut.
    """
    ensure_private_dirs([path])
    return path


def ensure_private_dirs(paths: Sequence[Path]) -> None:
    """ensure_private_dir for many folders: each parent of a new folder is made durable
    once, however many folders were made in it (e.g. a batch's letter folders)."""
    made: list[Path] = []
    for path in dict.fromkeys(paths):
        missing = []
        current = path
        while not current.exists():
            missing.append(current)
            current = current.parent
        for folder in reversed(missing):
            folder.mkdir(exist_ok=True, mode=DIR_MODE)  # parents=True: parents 0777-umask
        made += reversed(missing)
    for parent in dict.fromkeys(folder.parent for folder in made):
        _fsync_dir(parent)


def write_atomic(target: Path, data: bytes) -> None:
    """Write bytes so the file appears whole or not at all, with permissions 0600."""
    write_atomic_all([(target, data)])


def write_atomic_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files, each appearing whole or not at all, permissions 0600.

    Cheaper than one write_atomic per file: the file system's journal is flushed once for
    all of them (the first fsync; the others find their data already on disk) and each
    folder once after the renames. If one fails, none that was not yet renamed appears.
    """
    temps: list[tuple[str, Path]] = []
    handles: list[int] = []
    ensure_private_dirs([target.parent for target, _data in files])
    try:
        for target, data in files:
            handle, temp_name = tempfile.mkstemp(  # mode 0600, whatever the umask
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
            handles.append(handle)
            temps.append((temp_name, target))
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        for handle in handles:
            os.fsync(handle)
        while temps:
            temp_name, target = temps[0]
            os.replace(temp_name, target)
            temps.pop(0)
    except BaseException:
        for temp_name, _target in temps:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
        raise
    finally:
        for handle in handles:
            os.close(handle)
    for folder in dict.fromkeys(target.parent for target, _data in files):
        _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
