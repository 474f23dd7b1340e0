"""Template filters write Norwegian numbers, amounts, dates and property ids."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from runner.letters import TrustedMarkdown, markdown_to_html
from runner.letters.filters import (
    dato,
    gnr_bnr,
    kr,
    lenke,
    m2,
    meter,
    tabell,
    tal,
    telefon,
)

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (42.5, "42,5"),
        (7850, f"7{NNBSP}850"),
        (40.0, "40"),
        (0, "0"),
        (1234567, f"1{NNBSP}234{NNBSP}567"),
        (3.14159, "3,14"),
        (2.005, "2,01"),
        (-1500.25, f"-1{NNBSP}500,25"),
        (Decimal("12.50"), "12,5"),
        ("9.5", "9,5"),
        (999, "999"),
    ],
)
def test_tal(value: Any, expected: str) -> None:
    assert tal(value) == expected


def test_tal_with_fixed_decimals() -> None:
    assert tal(42, 2) == "42,00"
    assert tal(3.456, 1) == "3,5"


@pytest.mark.parametrize("value", [True, None, "mange", float("nan"), [1]])
def test_tal_refuses_what_is_not_a_number(value: Any) -> None:
    with pytest.raises(ValueError, match="number"):
        tal(value)


def test_kr_m2_meter() -> None:
    assert kr(7850) == f"7{NNBSP}850{NBSP}kr"
    assert kr(6400.0) == f"6{NNBSP}400{NBSP}kr"
    assert kr(99.5) == f"99,50{NBSP}kr"
    assert m2(42.5) == f"42,5{NBSP}m²"
    assert meter(1.8) == f"1,8{NBSP}m"
    assert meter(4.0) == f"4{NBSP}m"


@pytest.mark.parametrize(
    "value",
    [date(2026, 9, 21), datetime(2026, 9, 21, 23, 59), "2026-09-21", "2026-09-21T14:02:00+02:00"],
)
def test_dato(value: Any) -> None:
    assert dato(value) == "21. september 2026"


def test_dato_months() -> None:
    months = [dato(date(2026, month, 1)).split()[1] for month in range(1, 13)]
    assert months == [
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
    ]
    with pytest.raises(ValueError, match="date"):
        dato("i morgon")


def test_gnr_bnr() -> None:
    assert gnr_bnr({"gnr": 3, "bnr": 118, "fnr": 0, "snr": 0}) == f"gnr.{NBSP}3 bnr.{NBSP}118"
    assert gnr_bnr({"gnr": 3, "bnr": 118, "fnr": 2, "snr": 5}) == (
        f"gnr.{NBSP}3 bnr.{NBSP}118 fnr.{NBSP}2 snr.{NBSP}5"
    )
    assert gnr_bnr({"gnr": 3, "bnr": 118, "snr": 1}) == f"gnr.{NBSP}3 bnr.{NBSP}118 snr.{NBSP}1"
    with pytest.raises(ValueError, match="bnr"):
        gnr_bnr({"gnr": 3})


def test_tabell_escapes_cells_and_renders_a_table() -> None:
    table = tabell([["Areal", m2(42.5)], ["<b>x|y</b>", 3]], ["Opplysning", "Verdi"])
    assert isinstance(table, TrustedMarkdown)
    html = markdown_to_html(f"Før\n{table}\nEtter\n")
    assert html.count("<tr>") == 3
    assert "&lt;b&gt;x|y&lt;/b&gt;" in html
    assert "<p>Etter</p>" in html
    assert tabell([["A", "B"], ["1", "2"]]).count("|---|") == 1
    with pytest.raises(ValueError, match="cells"):
        tabell([["a"]], ["x", "y"])


def test_lenke_allows_only_web_and_mail_links() -> None:
    assert lenke("pbl. § 20-4", "https://lovdata.no/lov/2008-06-27-71/§20-4") == (
        "[pbl. § 20-4](<https://lovdata.no/lov/2008-06-27-71/§20-4>)"
    )
    assert lenke("klikk", "javascript:alert(1)") == "klikk"
    assert lenke("*x*", "https://a.example/<script>") == "\\*x\\*"
    assert 'href="https://lovdata.no' in markdown_to_html(lenke("lov", "https://lovdata.no/"))


def test_telefon_does_not_break() -> None:
    assert telefon("56 15  80 00") == f"56{NBSP}15{NBSP}80{NBSP}00"
