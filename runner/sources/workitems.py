"""Robocorp work items as a source, read with RPA.Robocorp.WorkItems (FileAdapter locally).

A payload that cannot be stored (too large, not JSON-able) is an unread item for its index; a
file the library cannot read on gives one unread item for the rest. Nothing raises past here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runner.errors import SourceError
from runner.logs import get_logger
from runner.sources.base import RawItem, problem_marker
from runner.sources.boundary import GENERAL_FIX, redacted_trace
from runner.sources.inbox import safe_name

log = get_logger("saksrobot.sources.workitems")


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
                yield self._unreadable_file(index, error)
                return
            ref = f"{safe_name(self.path.name)}#{index}"
            try:
                yield self._item(ref, library.get_work_item_payload())
            except Exception as error:  # one work item must never stop the run
                problem = f"arbeidselementet kan ikke leses ({type(error).__name__}); "
                yield self._problem(ref, problem + GENERAL_FIX, f"error:{type(error).__name__}")
            library.release_input_work_item("DONE")
            index += 1

    def _item(self, ref: str, payload: Any) -> RawItem:
        content = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        if len(content) > self.max_bytes:
            digest = hashlib.sha256(content).hexdigest()
            return self._problem(
                ref,
                f"arbeidselementet er {len(content)} byte, over grensen på {self.max_bytes} "
                "byte (max_input_bytes i innstillingene); krymp det, eller øk grensen",
                f"oversize:{len(content)}:{digest}",
            )
        return RawItem(self.kind, ref, content, None, self.path.parent)

    def _problem(self, ref: str, problem: str, fingerprint: str) -> RawItem:
        marker = problem_marker(ref, problem, fingerprint, transient=False)
        return RawItem(self.kind, ref, marker, problem, self.path.parent)

    def _unreadable_file(self, index: int, error: Exception) -> RawItem:
        """The work-items file cannot be read on from `index`: one item says so."""
        log.warning(
            "workitems_unreadable",
            index=index,
            exception=type(error).__name__,
            trace=redacted_trace(error),
        )
        status = self.path.stat()
        ref = f"{safe_name(self.path.name)}#{index}"
        problem = (
            f"arbeidselementene fra nr. {index} kan ikke leses ({type(error).__name__}); "
            'rett filen (en JSON-liste av {"payload": {...}, "files": {}}) og kjør på nytt'
        )
        return self._problem(ref, problem, f"unreadable:{status.st_size}:{status.st_mtime_ns}")

    def _library(self) -> Any:
        import os

        from RPA.Robocorp.WorkItems import FileAdapter, WorkItems

        # The RPA library reads its input path from the environment; set it for this source only.
        os.environ["RPA_INPUT_WORKITEM_PATH"] = str(self.path)
        os.environ.setdefault(
            "RPA_OUTPUT_WORKITEM_PATH", str(self.path.with_suffix(".output.json"))
        )
        return WorkItems(autoload=False, default_adapter=FileAdapter)
