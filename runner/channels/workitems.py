"""Robocorp output work items: one per letter, so a Robocorp process can take over downstream.

Each letter becomes ``<path>/<key>/`` holding the FileAdapter's ``output.json`` (payload:
the decision record; file: the letter PDF) — the input of the next process. The item is
built in a hidden temp folder and renamed into place, so it exists whole or not at all.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from runner.archive import record_path
from runner.channels.base import Delivery, Letter
from runner.errors import ChannelError

OUTPUT = "output.json"


class WorkItemsChannel:
    """Writes an output work item per letter with RPA.Robocorp.WorkItems (FileAdapter)."""

    kind = "workitems"
    answers_source = False

    def __init__(self, path: Path) -> None:
        self.path = path

    def target(self, key: str) -> Path:
        return self.path / key

    def send(self, letter: Letter) -> str:
        target = self.target(letter.key)
        if (target / OUTPUT).is_file():  # made before a crash: never twice
            return str(target)
        try:
            payload = json.loads(record_path(letter.pdf_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ChannelError(
                f"Letter {letter.key} has no readable decision record beside it",
                fix="Finalise the case again so the record is written (runner/archive.py).",
            ) from error
        staging = self.path / f".tmp-{letter.key}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.mkdir(parents=True)
            self._write_item(staging, payload, letter.pdf_path)
            os.replace(staging, target)
        except OSError as error:
            raise ChannelError(
                f"Could not write work item {letter.key} to {self.path}: {error.strerror}",
                fix="Check free space and permissions of the work-items folder.",
            ) from error
        return str(target)

    def reconcile(self, key: str) -> Delivery:
        return (
            Delivery.delivered if (self.target(key) / OUTPUT).is_file() else Delivery.not_delivered
        )

    @staticmethod
    def _write_item(folder: Path, payload: dict[str, Any], pdf: Path) -> None:
        from RPA.Robocorp.WorkItems import FileAdapter, WorkItems

        # The FileAdapter needs an input item to hang the output on: one with the key.
        source = folder / ".input.json"
        source.write_text(json.dumps([{"payload": {}, "files": {}}]), encoding="utf-8")
        saved = {name: os.environ.get(name) for name in _ENV}
        os.environ["RPA_INPUT_WORKITEM_PATH"] = str(source)
        os.environ["RPA_OUTPUT_WORKITEM_PATH"] = str(folder / OUTPUT)
        try:
            library = WorkItems(autoload=False, default_adapter=FileAdapter)
            library.get_input_work_item()
            library.create_output_work_item(variables=payload, files=[str(pdf)], save=True)
            library.release_input_work_item("DONE")
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            source.unlink(missing_ok=True)


_ENV = ("RPA_INPUT_WORKITEM_PATH", "RPA_OUTPUT_WORKITEM_PATH")
