"""Norwegian number and date formatting (the `tal` and `dato` filters)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from runner.norwegian import format_date, format_number

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (42.5, "42,5"),
        (50.0, "50"),
        (50, "50"),
        (0.1 + 0.2, "0,3"),
        (42.125, "42,13"),  # half up, as people round
        (4500, f"4{NNBSP}500"),  # grouped from four digits, as amounts in letters
        (12500, f"12{NNBSP}500"),
        (1234567.25, f"1{NNBSP}234{NNBSP}567,25"),
        (-3.5, "-3,5"),
        (-0.001, "0"),
        (Decimal("7.10"), "7,1"),
    ],
)
def test_format_number(value: float | int | Decimal, expected: str) -> None:
    assert format_number(value) == expected


def test_format_number_with_fixed_decimals() -> None:
    assert format_number(4500, 2) == f"4{NNBSP}500,00"
    assert format_number(42.125, 1) == "42,1"


@pytest.mark.parametrize("value", [True, None, "42", float("nan")])
def test_format_number_rejects_what_is_not_a_number(value: object) -> None:
    with pytest.raises((TypeError, ValueError), match="tal"):
        format_number(value)


@pytest.mark.parametrize(
    "value",
    ["2026-09-01", date(2026, 9, 1), datetime(2026, 9, 1, 14, 2), "2026-09-01T14:02:00+02:00"],
)
def test_format_date(value: object) -> None:
    assert format_date(value) == "1. september 2026"


def test_format_date_rejects_text() -> None:
    with pytest.raises(ValueError, match="dato"):
        format_date("i går")
