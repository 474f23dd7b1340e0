"""Template filters: numbers, amounts, dates, property ids, links and tables, the Norwegian way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from runner.letters.escaping import TrustedMarkdown, escape_markdown
from runner.norwegian import format_date, format_number

__all__ = ["FILTERS", "dato", "gnr_bnr", "kr", "lenke", "m2", "meter", "tabell", "tal", "telefon"]

#: Between a number and its unit ("42,5 m²"), so the two never part at a line end.
NO_BREAK = "\u00a0"

_LINK_SCHEMES = ("https", "http", "mailto")


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"expected a number, got {type(value).__name__} {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def tal(value: Any, desimaler: int | None = None) -> str:
    """A number in Norwegian: `42,5`, `7 850`; whole numbers without decimals.

    Without `desimaler`, at most two decimals are shown and trailing zeros dropped;
    with it, exactly that many (rounded half up). Text holding a number is accepted.
    """
    return format_number(_decimal(value), desimaler)


def kr(value: Any) -> str:
    """An amount in kroner: `7 850 kr`, or `7 850,50 kr` when there are øre."""
    number = _decimal(value)
    places = 0 if number == number.to_integral_value() else 2
    return f"{tal(number, places)}{NO_BREAK}kr"


def m2(value: Any) -> str:
    """An area: `42,5 m²`."""
    return f"{tal(value)}{NO_BREAK}m²"


def meter(value: Any) -> str:
    """A length or height: `1,8 m`."""
    return f"{tal(value)}{NO_BREAK}m"


def telefon(value: Any) -> str:
    """A phone number that does not break across lines: `56 15 80 00`."""
    return " ".join(str(value).split()).replace(" ", NO_BREAK)


def dato(value: Any) -> str:
    """A date written out: `21. september 2026` (the same in bokmål and nynorsk)."""
    try:
        return format_date(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a date (or an ISO date string), got {value!r}") from None


def _field(source: Any, name: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(name, 0)
    return getattr(source, name, 0)


def gnr_bnr(eiendom: Any) -> str:
    """A property by its matrikkel numbers: `gnr. 3 bnr. 118`, plus `fnr.`/`snr.` when not 0."""
    parts = []
    for label in ("gnr", "bnr", "fnr", "snr"):
        number = _field(eiendom, label)
        if label in ("gnr", "bnr") and not number:
            raise ValueError(f"the property has no {label}: {eiendom!r}")
        if number:
            parts.append(f"{label}.{NO_BREAK}{int(number)}")
    return " ".join(parts)


def _cell(value: Any) -> str:
    if isinstance(value, TrustedMarkdown):
        return str(value).replace("\n", " ")
    if value is None:
        return ""
    return escape_markdown(str(value))


def tabell(
    rows: Sequence[Sequence[Any]], overskrift: Sequence[Any] | None = None
) -> TrustedMarkdown:
    """A Markdown table; every cell is escaped. Without `overskrift` the first row is the header."""
    body = [list(row) for row in rows]
    header = list(overskrift) if overskrift is not None else (body.pop(0) if body else [])
    if not header:
        raise ValueError("a table needs a header row (give overskrift=[...] or a first row)")
    width = len(header)
    if any(len(row) != width for row in body):
        raise ValueError(f"every row of the table must have {width} cells, like the header")
    lines = ["| " + " | ".join(_cell(cell) for cell in header) + " |"]
    lines.append("|" + "---|" * width)
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in body]
    # Blank lines around it, so the table neither joins the paragraph before nor swallows
    # the line after as a row.
    return TrustedMarkdown("\n" + "\n".join(lines) + "\n")


def lenke(text: Any, url: Any) -> TrustedMarkdown:
    """A link `[text](url)` when the url is http(s) or mailto; otherwise just the text."""
    label = _cell(text)
    target = str(url or "").strip()
    safe = urlsplit(target).scheme.lower() in _LINK_SCHEMES and not any(
        char in target for char in "<>\\ \n\t\"'"
    )
    return TrustedMarkdown(f"[{label}](<{target}>)" if safe and label else label)


FILTERS: Mapping[str, Callable[..., str]] = {
    "tal": tal,
    "kr": kr,
    "dato": dato,
    "m2": m2,
    "meter": meter,
    "gnr_bnr": gnr_bnr,
    "tabell": tabell,
    "lenke": lenke,
    "telefon": telefon,
}
