"""Robocorp work items as a source, read with RPA.Robocorp.WorkItems (FileAdapter locally)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runner.errors import SourceError
from runner.sources.base import RawItem


class WorkItemsSource:
    """Each input work item's payload is one case; its files are the attachments."""

    kind = "workitems"

    def __init__(self, path: Path, *, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes

    def describe(self) -> str:
        return str(self.path)

    def count(self) -> int:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        return len(data) if isinstance(data, list) else 0

    def items(self) -> Iterator[RawItem]:
        if not self.path.is_file():
            raise SourceError(
                f"Work-items file {self.path} does not exist",
                fix="Give the local work-items JSON file (a list of {payload, files}).",
            )
        library = self._library()
        index = 0
        while True:
            try:
                library.get_input_work_item()
            except Exception as error:  # EmptyQueue ends the queue
                if type(error).__name__ == "EmptyQueue":
                    return
                raise SourceError(
                    f"Cannot read work item {index} from {self.path}: {error}",
                    fix='Check that the file is a JSON list of {"payload": {...}, "files": {}}.',
                ) from error
            payload: Any = library.get_work_item_payload()
            ref = f"{self.path.name}#{index}"
            content = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
            if len(content) > self.max_bytes:
                yield RawItem(
                    self.kind,
                    ref,
                    content[:256],
                    f"arbeidselementet er over grensen på {self.max_bytes} byte",
                    self.path.parent,
                )
            else:
                yield RawItem(self.kind, ref, content, None, self.path.parent)
            library.release_input_work_item("DONE")
            index += 1

    def _library(self) -> Any:
        import os

        from RPA.Robocorp.WorkItems import FileAdapter, WorkItems

        # The RPA library reads its input path from the environment; set it for this source only.
        os.environ["RPA_INPUT_WORKITEM_PATH"] = str(self.path)
        os.environ.setdefault(
            "RPA_OUTPUT_WORKITEM_PATH", str(self.path.with_suffix(".output.json"))
        )
        return WorkItems(autoload=False, default_adapter=FileAdapter)
