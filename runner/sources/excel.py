"""Excel batches: every row under the header row of an .xlsx sheet is one case.

The rows are read as a stream within limits (runner/sources/workbook.py says how, and why with
openpyxl's read-only mode rather than RPA.Excel.Files). Every file in the inbox gives at least
one item: a workbook's rows, or one unread item saying why it gives none (a macro workbook, an
old .xls, another file type, a workbook over a limit, a sheet without rows).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from runner.errors import CaseValidationError, SourceError
from runner.logs import get_logger
from runner.problems import problem
from runner.settings import Settings
from runner.sources.base import RawItem, problem_marker
from runner.sources.boundary import GENERAL_FIX, redacted_trace
from runner.sources.inbox import (
    NOT_A_FILE,
    inbox_files,
    is_regular_file,
    name_fits,
    not_read_problem,
    safe_name,
    unread_file,
)
from runner.sources.mapping import CaseMapping, build_case, validate_mapped
from runner.sources.workbook import Limits, SheetProblem, read_rows

log = get_logger("saksrobot.sources.excel")

#: Workbook kinds this source does not read, with why and what to do.
NOT_READ = {
    ".xlsm": "arbeidsboken har makroer (.xlsm), og saksroboten leser bare .xlsx; "
    "lagre den som Excel-arbeidsbok (.xlsx) uten makroer",
    ".xltm": "filen er en Excel-mal med makroer (.xltm); lagre den som .xlsx",
    ".xltx": "filen er en Excel-mal (.xltx); lagre den som .xlsx",
    ".xls": "arbeidsboken er i det gamle Excel-formatet (.xls); lagre den som .xlsx",
    ".xlsb": "arbeidsboken er binær (.xlsb); lagre den som .xlsx",
    ".ods": "arbeidsboken er fra LibreOffice/OpenOffice (.ods); lagre den som .xlsx",
    ".csv": "filen er CSV, ikke en arbeidsbok; åpne den i Excel og lagre den som .xlsx",
}
#: The defaults of the settings max_workbook_bytes, max_workbook_rows and max_text_chars.
DEFAULT_LIMITS = Limits(**{f.name: Settings.model_fields[f.name].default for f in fields(Limits)})


class ExcelSource:
    """Reads every workbook in a folder; each non-empty row is its own raw item (JSON of the row).

    The stored content is the row's values by column header, so the same row read twice (or
    from a re-sent workbook) is one case, and a bad row is quarantined alone.
    """

    kind = "excel"

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int,
        pattern: str = "*.xlsx",
        sheet: str | None = None,
        header_row: int = 1,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.pattern = pattern
        self.sheet = sheet
        self.header_row = header_row
        self.limits = limits

    def describe(self) -> str:
        return str(self.path)

    def _files(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return inbox_files(self.path)

    def count(self) -> int:
        return len(self._files())  # workbooks, not rows: reading every sheet twice is too slow

    def items(self) -> Iterator[RawItem]:
        if not self.path.is_dir():
            raise SourceError(
                f"Inbox folder {self.path} does not exist or is not a folder",
                fix="Create it, or give the right path with --inbox.",
            )
        for workbook in self._files():
            readable = not workbook.is_symlink() and is_regular_file(workbook)
            if not name_fits(workbook.name, self.pattern) or not readable:
                yield unread_file(self.kind, self.path, workbook, self._not_read(workbook))
                continue
            try:
                yield from self._rows(workbook)
            except Exception as error:  # one workbook must never stop the run
                log.warning(
                    "workbook_unreadable",
                    file=safe_name(workbook.name),
                    exception=type(error).__name__,
                    trace=redacted_trace(error),
                )
                problem = f"arbeidsboken kan ikke leses (uventet feil: {type(error).__name__}); "
                yield unread_file(self.kind, self.path, workbook, problem + GENERAL_FIX)

    def _not_read(self, workbook: Path) -> str:
        if workbook.is_symlink():
            return "filen er en symbolsk lenke; legg selve filen i innboksen"
        if not is_regular_file(workbook):
            return NOT_A_FILE
        known = NOT_READ.get(workbook.suffix.lower())
        return known or not_read_problem(workbook, self.pattern)

    def _rows(self, workbook: Path) -> Iterator[RawItem]:
        name = safe_name(workbook.name)

        def problem(reason: str) -> RawItem:
            status = workbook.stat()
            fingerprint = f"{status.st_size}:{status.st_mtime_ns}"
            marker = problem_marker(name, reason, fingerprint, transient=False)
            return RawItem(self.kind, name, marker, reason, self.path)

        size = workbook.stat().st_size
        if size > self.max_bytes:
            yield problem(
                f"arbeidsboken er {size} byte, over grensen på {self.max_bytes} byte "
                "(max_input_bytes i innstillingene); del opp arbeidsboken, eller øk grensen"
            )
            return
        status = workbook.stat()
        for found in read_rows(
            workbook, sheet=self.sheet, header_row=self.header_row, limits=self.limits
        ):
            if isinstance(found, SheetProblem):
                if found.row is None:
                    yield problem(found.text)
                    continue
                ref = f"{name}!{found.sheet}:{found.row}"
                fingerprint = f"{ref}:{status.st_size}:{status.st_mtime_ns}"
                marker = problem_marker(ref, found.text, fingerprint, transient=False)
                yield RawItem(self.kind, ref, marker, found.text, self.path)
                continue
            ref = f"{name}!{found.sheet}:{found.number}"
            content = json.dumps(found.values, ensure_ascii=False).encode("utf-8")
            yield RawItem(self.kind, ref, content, None, self.path)


def row_case(
    source: str,
    content: bytes,
    mapping: CaseMapping,
    case_model: str,
    *,
    content_hash: str,
    received_at: datetime,
) -> BaseModel:
    """The validated case from one stored row; problems name sheet, row and column."""
    try:
        values: dict[str, Any] = json.loads(content)
    except ValueError as error:
        raise CaseValidationError(source, [problem("excel_row_unreadable")]) from error
    _, _, where = source.rpartition("!")
    sheet, _, row = where.rpartition(":")
    columns = list(values)

    def locate(name: str) -> str:
        if name not in values:
            return f"ark '{sheet}', rad {row}, kolonne '{name}' (mangler i overskriftsraden)"
        letter = _column_letter(columns.index(name) + 1)
        return f"ark '{sheet}', rad {row}, kolonne {letter} ('{name}')"

    case = build_case(
        source, values, mapping, content_hash=content_hash, received_at=received_at, locate=locate
    )
    return validate_mapped(source, case, case_model, mapping, locate)


def _column_letter(number: int) -> str:
    """1 → A, 27 → AA: the column name a person sees in Excel."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
