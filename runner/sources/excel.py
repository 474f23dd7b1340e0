"""Excel batches: every row under the header row of an .xlsx sheet is one case (RPA.Excel.Files)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from runner.errors import CaseValidationError, FieldProblem, SourceError
from runner.sources.base import RawItem, problem_marker
from runner.sources.mapping import CaseMapping, build_case, validate_mapped


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
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.pattern = pattern
        self.sheet = sheet
        self.header_row = header_row

    def describe(self) -> str:
        return str(self.path)

    def _files(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(
            entry
            for entry in self.path.glob(self.pattern)
            if entry.is_file() and not entry.name.startswith((".", "~$"))
        )

    def count(self) -> int:
        return len(self._files())  # workbooks, not rows: reading every sheet twice is too slow

    def items(self) -> Iterator[RawItem]:
        if not self.path.is_dir():
            raise SourceError(
                f"Inbox folder {self.path} does not exist or is not a folder",
                fix="Create it, or give the right path with --inbox.",
            )
        for workbook in self._files():
            yield from self._rows(workbook)

    def _rows(self, workbook: Path) -> Iterator[RawItem]:
        from RPA.Excel.Files import Files

        def problem(reason: str) -> RawItem:
            fingerprint = f"{workbook.stat().st_size}:{workbook.stat().st_mtime_ns}"
            marker = problem_marker(workbook.name, reason, fingerprint, transient=False)
            return RawItem(self.kind, workbook.name, marker, reason, self.path)

        if workbook.stat().st_size > self.max_bytes:
            yield problem(f"arbeidsboken er over grensen på {self.max_bytes} byte")
            return
        library = Files()
        try:
            library.open_workbook(str(workbook), data_only=True, read_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            yield problem(
                f"arbeidsboken kan ikke åpnes ({type(error).__name__}); lagre den som .xlsx"
            )
            return
        try:
            sheets = library.list_worksheets()
            sheet = self.sheet or sheets[0]
            if sheet not in sheets:
                yield problem(f"arket '{sheet}' finnes ikke (arkene er: {', '.join(sheets)})")
                return
            rows = library.read_worksheet(sheet, header=True, start=self.header_row)
        finally:
            library.close_workbook()
        for offset, row in enumerate(rows):
            values = {str(k): _json_value(v) for k, v in row.items() if k is not None}
            if all(v in (None, "") for v in values.values()):
                continue
            ref = f"{workbook.name}!{sheet}:{self.header_row + 1 + offset}"
            content = json.dumps(values, ensure_ascii=False).encode("utf-8")
            yield RawItem(self.kind, ref, content, None, self.path)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


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
        raise CaseValidationError(
            source, [FieldProblem("", "raden kan ikke leses", "send arbeidsboken på nytt")]
        ) from error
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
