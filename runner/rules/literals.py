"""A Python value written as the CEL literal that denotes the same value, where one exists.

Used to bake a value into a program instead of handing it to a context: a literal list
of maps costs the interpreter well under a microsecond to build, while the bindings take
about 3 µs to convert each map from Python. Only values that round-trip exactly are
written: None, bool, int within int64, finite float, text without lone surrogates, lists
and maps with text keys of those. Anything else gives None (hand the value over instead).
"""

from __future__ import annotations

import math
from typing import Any

_INT64 = 2**63
#: Printable ASCII that needs no escape inside a double-quoted CEL string.
_PLAIN = frozenset(chr(code) for code in range(0x20, 0x7F)) - {'"', "\\"}


def cel_literal(value: Any) -> str | None:
    """CEL source for `value`, or None if it has no exact literal."""
    kind = type(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        if -_INT64 < value < _INT64:
            return f"({value})" if value < 0 else str(value)
        return None
    if kind is float:
        if not math.isfinite(value):
            return None
        text = repr(value)  # shortest text that reads back as the same double
        if "." not in text and "e" not in text:
            text += ".0"
        return f"({text})" if value < 0 or text.startswith("-") else text
    if kind is str:
        return _string(value)
    if kind is list:
        items = [cel_literal(item) for item in value]
        return None if None in items else "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    if kind is dict:
        parts = []
        for key, item in value.items():
            if type(key) is not str:
                return None
            written, inner = _string(key), cel_literal(item)
            if written is None or inner is None:
                return None
            parts.append(f"{written}: {inner}")
        return "{" + ", ".join(parts) + "}"
    return None


def _string(text: str) -> str | None:
    out = ['"']
    for char in text:
        if char in _PLAIN:
            out.append(char)
        elif 0xD800 <= ord(char) <= 0xDFFF:  # a lone surrogate is not a CEL string
            return None
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)
