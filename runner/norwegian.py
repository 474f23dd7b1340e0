"""Norwegian numbers and dates, one way everywhere: rule explanations, letters, diffs."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: Thousands are grouped from four digits ("7 850 kr"): Språkrådet allows 4500 or 4 500, and
#: one form everywhere keeps amounts in a letter's tables and its explanations alike.
THOUSANDS_SEPARATOR = "\u202f"  # narrow no-break space: never a line break inside a number
DECIMAL_SEPARATOR = ","
_GROUP_FROM_DIGITS = 4
_DEFAULT_MAX_DECIMALS = 2

MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)  # the same words in bokmål and nynorsk


def format_number(value: Any, decimals: int | None = None) -> str:
    """Write a number the Norwegian way: 42,5 · 50 · 12 500 · 1 234 567,25.

    Without `decimals`, at most two decimals are shown and trailing zeros dropped
    (50.0 → "50"); with `decimals`, exactly that many (tal(2): 4500 → "4500,00").
    """
    kind = type(value)
    if kind is int and decimals is None:
        return _group(str(abs(value)), "", value < 0)
    if kind is float and decimals is None and math.isfinite(value):
        text = repr(value)  # the shortest form that reads back as the same float
        digits, _, fraction = text.lstrip("-").partition(".")
        if "e" not in text and len(fraction) <= _DEFAULT_MAX_DECIMALS:
            fraction = fraction.rstrip("0")
            return _group(digits, fraction, text.startswith("-"))
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"tal: forventet et tall, fikk {value!r}")
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not number.is_finite():
        raise ValueError(f"tal: {value!r} er ikke et endelig tall")
    places = _DEFAULT_MAX_DECIMALS if decimals is None else decimals
    if places < 0:
        raise ValueError("tal: antall desimaler kan ikke være negativt")
    text = format(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    digits, _, fraction = text.lstrip("-").partition(".")
    return _group(digits, fraction, text.startswith("-"))


def _group(digits: str, fraction: str, negative: bool) -> str:
    """Join integer digits (grouped by thousands from five digits) and decimals."""
    if len(digits) >= _GROUP_FROM_DIGITS:
        head = len(digits) % 3 or 3
        groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
        digits = THOUSANDS_SEPARATOR.join(groups)
    result = digits + (DECIMAL_SEPARATOR + fraction if fraction else "")
    if negative and any(ch not in "0," for ch in result):
        result = "-" + result
    return result


def format_date(value: Any) -> str:
    """Write a date the Norwegian way: 2026-09-01 → "1. september 2026"."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = datetime.fromisoformat(value.strip()).date()
        except ValueError as error:
            raise ValueError(f"dato: {value!r} er ikke en dato (ÅÅÅÅ-MM-DD)") from error
    else:
        raise TypeError(f"dato: forventet en dato, fikk {value!r}")
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
