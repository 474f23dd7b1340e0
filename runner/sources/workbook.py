"""Reading one .xlsx workbook as a stream of rows, within limits on what it may expand to.

A workbook is a zip: its file size says little about what it holds (151 KB can unpack to a
150 MB cell, 6 MB to a million rows). Before anything is parsed, the sizes its parts declare
are summed (zipfile never unpacks a part past its declared size) and checked against
`max_workbook_bytes`; rows are then read one at a time, first counted (up to
`max_workbook_rows`, so a workbook over the limit gives no case at all), then yielded, each
cell checked against `max_text_chars`. A problem is a `SheetProblem`, never an exception.

Why openpyxl and not RPA.Excel.Files: RPA.Excel.Files (which opens .xlsx with openpyxl; it
is a dependency of rpaframework) has no row iterator: `read_worksheet` builds the whole sheet
as a list first, sized by the sheet's optional `<dimension>` element (a sheet without one
raised a TypeError inside it). openpyxl's read-only mode (`load_workbook(read_only=True)`,
`reset_dimensions()`, `iter_rows(values_only=True)`) is public and streams.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from runner.logs import get_logger
from runner.sources.boundary import redacted_trace
from runner.sources.inbox import safe_name

log = get_logger("saksrobot.sources.workbook")


@dataclass(frozen=True)
class Limits:
    """What one workbook may hold (the settings of the same names)."""

    max_workbook_bytes: int
    max_workbook_rows: int
    max_text_chars: int


@dataclass(frozen=True)
class SheetRow:
    """One non-empty row under the header: its sheet, row number and values by header."""

    sheet: str
    number: int
    values: dict[str, Any]


@dataclass(frozen=True)
class SheetProblem:
    """Why the workbook (row None) or one row (its number) cannot be taken in; in Norwegian,
    reason and fix joined with '; ' as the other unread items say it."""

    text: str
    sheet: str | None = None
    row: int | None = None


def read_rows(
    path: Path, *, sheet: str | None, header_row: int, limits: Limits
) -> Iterator[SheetRow | SheetProblem]:
    """The rows of one sheet, or the problems that keep them (or one of them) out."""
    unpacked = _unpacked_size(path)
    if isinstance(unpacked, SheetProblem):
        yield unpacked
        return
    if unpacked > limits.max_workbook_bytes:
        yield SheetProblem(
            f"arbeidsboken er {unpacked} byte pakket ut, over grensen på "
            f"{limits.max_workbook_bytes} byte (max_workbook_bytes i innstillingene); "
            "del opp arbeidsboken, eller øk grensen"
        )
        return
    import openpyxl  # type: ignore[import-untyped]  # no stubs installed

    with path.open("rb") as handle:  # ours to close: openpyxl leaves it open when it fails
        try:
            book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            _logged(path, error)
            yield SheetProblem(
                f"arbeidsboken kan ikke åpnes ({type(error).__name__}); lagre den som .xlsx"
            )
            return
        try:
            yield from _sheet_rows(book, sheet, header_row, limits)
        except Exception as error:  # damaged XML inside a sheet shows only as rows are read
            _logged(path, error)
            yield SheetProblem(
                f"arbeidsboken kan ikke leses ({type(error).__name__}); "
                "åpne den i Excel og lagre den på nytt som .xlsx"
            )
        finally:
            book.close()


def _logged(path: Path, error: Exception) -> None:
    log.warning(
        "workbook_unreadable",
        file=safe_name(path.name),
        exception=type(error).__name__,
        trace=redacted_trace(error),
    )


def _unpacked_size(path: Path) -> int | SheetProblem:
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        return SheetProblem(
            f"arbeidsboken kan ikke åpnes ({type(error).__name__}); lagre den som .xlsx"
        )


def _sheet_rows(
    book: Any, sheet: str | None, header_row: int, limits: Limits
) -> Iterator[SheetRow | SheetProblem]:
    names = list(book.sheetnames)
    if not names:
        yield SheetProblem("arbeidsboken har ingen ark; legg sakene i et ark under en overskrift")
        return
    name = sheet or names[0]
    if name not in names:
        yield SheetProblem(f"arket '{name}' finnes ikke (arkene er: {', '.join(names)})")
        return
    worksheet = book[name]
    worksheet.reset_dimensions()  # the <dimension> element is optional and may lie
    counted = _count_rows(worksheet, header_row, limits.max_workbook_rows)
    if counted is None:
        yield SheetProblem(
            f"arket '{name}' har flere enn {limits.max_workbook_rows} rader under "
            f"overskriftsraden (max_workbook_rows i innstillingene); del opp arbeidsboken, "
            "eller øk grensen"
        )
        return
    rows = worksheet.iter_rows(min_row=header_row, values_only=True)
    header = next(rows, None)
    columns = _columns(header or ())
    long_header = next((c for c in columns if c and len(c) > limits.max_text_chars), None)
    if long_header is not None:
        yield SheetProblem(
            f"en overskrift i rad {header_row} har {len(long_header)} tegn, over grensen på "
            f"{limits.max_text_chars} tegn (max_text_chars i innstillingene); bruk malen fra "
            "kommunen"
        )
        return
    if not any(column is not None for column in columns):
        yield SheetProblem(
            f"arket '{name}' har ingen overskrifter i rad {header_row}; bruk malen fra "
            "kommunen (overskriftene navngir feltene)"
        )
        return
    found = 0
    for offset, cells in enumerate(rows):
        number = header_row + 1 + offset
        values = {
            column: _json_value(cell)
            for column, cell in zip(columns, cells, strict=False)
            if column is not None
        }
        if all(v in (None, "") for v in values.values()):
            continue
        found += 1
        too_long = next(
            (c for c, v in values.items() if isinstance(v, str) and len(v) > limits.max_text_chars),
            None,
        )
        if too_long is not None:
            size = len(values[too_long])
            yield SheetProblem(
                f"kolonne '{too_long}' har {size} tegn, over grensen på {limits.max_text_chars} "
                "tegn (max_text_chars i innstillingene); korte ned teksten, eller øk grensen",
                name,
                number,
            )
            continue
        yield SheetRow(name, number, values)
    if not found:
        yield SheetProblem(
            f"arket '{name}' har ingen rader under overskriftsraden (rad {header_row}); "
            "fyll inn sakene under overskriftene, eller fjern filen fra innboksen"
        )


def _count_rows(worksheet: Any, header_row: int, limit: int) -> int | None:
    """Rows under the header (empty ones too), or None past the limit: reading stops there."""
    count = 0
    for _ in worksheet.iter_rows(min_row=header_row + 1, values_only=True):
        count += 1
        if count > limit:
            return None
    return count


def _columns(header: tuple[Any, ...]) -> list[str | None]:
    """Header texts; a repeated one gets _2, _3 … (as RPA.Excel.Files names them), so the
    first column of a name is the one a mapping reads."""
    seen: dict[str, int] = {}
    columns: list[str | None] = []
    for value in header:
        if value is None or (isinstance(value, str) and not value.strip()):
            columns.append(None)
            continue
        text = str(value)
        seen[text] = seen.get(text, 0) + 1
        columns.append(text if seen[text] == 1 else f"{text}_{seen[text]}")
    return columns


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):  # not a JSON number
        return str(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
