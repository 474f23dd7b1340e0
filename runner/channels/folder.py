"""An outbox folder: each letter is written atomically (temp file + rename), key in the name."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from runner.channels.base import Delivery, Letter
from runner.errors import ChannelError
from runner.files import write_atomic


class FolderChannel:
    """Writes `<key>.pdf` into the outbox; a file with that name proves delivery."""

    kind = "folder"
    answers_source = False

    def __init__(self, path: Path) -> None:
        self.path = path

    def target(self, key: str) -> Path:
        return self.path / f"{key}.pdf"

    def send(self, letter: Letter) -> str:
        target = self.target(letter.key)
        if target.exists():  # delivered before a crash: never write twice
            return str(target)
        try:
            data = letter.pdf_path.read_bytes()
            write_atomic(target, data)
        except OSError as error:
            hint = {
                errno.ENOSPC: "The disk is full: free space in the outbox folder.",
                errno.EACCES: "saksrobot may not write there: fix the folder's permissions.",
                errno.EROFS: "The outbox is on a read-only file system.",
            }.get(error.errno or 0, "Check the outbox folder.")
            raise ChannelError(
                f"Could not write letter {letter.key} to {self.path}: "
                f"{error.strerror or os.strerror(error.errno or 0)}",
                fix=hint,
            ) from error
        return str(target)

    def reconcile(self, key: str) -> Delivery:
        # Letters appear by rename only, so the file exists whole or not at all.
        return Delivery.delivered if self.target(key).is_file() else Delivery.not_delivered
