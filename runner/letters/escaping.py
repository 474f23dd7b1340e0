"""Escaping of values put into letter templates, so input text formats and executes nothing."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["TrustedMarkdown", "escape_markdown", "finalize_value", "strip_invisible"]

#: Characters that Markdown (CommonMark with tables) or HTML give a meaning anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
#: A value that starts like a block construct when it lands at the start of a line.
_BLOCK_START = re.compile(r"^([#>+=-])")
_ORDERED_LIST_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
#: Control characters and bidirectional overrides: never meaningful in a letter, and the
#: bidi ones can make text read differently from what it is ("Trojan Source").
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WHITESPACE = re.compile(r"\s+")
#: Text the five rules above leave as it is (most values: words, numbers, single spaces),
#: found with one match instead of five substitutions.
_PLAIN = re.compile(
    r"(?![#>+=-]|\d{1,9}[.)](?:\s|$))"
    r"[^\s\\`*_\[\]<>&|~\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+"
    r"(?: [^\s\\`*_\[\]<>&|~\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+)*"
)


def strip_invisible(text: str) -> str:
    """`text` without control characters and bidi overrides (pages, PDF address blocks)."""
    return _INVISIBLE.sub("", text)


class TrustedMarkdown(str):
    """Markdown built by our own template code (a filter such as `tabell`), not by input.

    Like markupsafe's `Markup`: the output hook lets it through unescaped. Only filters
    create it, from parts they have escaped themselves; templates cannot make input trusted.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"TrustedMarkdown({str.__repr__(self)})"


def escape_markdown(text: str) -> str:
    """Make `text` appear literally in Markdown and in the HTML and PDF made from it.

    Line breaks and runs of whitespace become one space (a value is one run of text),
    every character Markdown or HTML could read as syntax gets a backslash, and a value
    that could start a block (a heading, list, quote, rule) has its first character escaped.
    """
    if _PLAIN.fullmatch(text):
        return text
    return _escape_all(text)


def _escape_all(text: str) -> str:
    text = strip_invisible(text)
    text = _WHITESPACE.sub(" ", text).strip()
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _BLOCK_START.sub(r"\\\1", text)
    return _ORDERED_LIST_START.sub(r"\1\\\2", text)


def finalize_value(value: Any) -> str:
    """Jinja's `finalize` hook: how every `{{ expression }}` becomes letter text."""
    if isinstance(value, TrustedMarkdown):
        return str(value)
    if value is None or isinstance(value, bool):
        # "None" or "True" in a letter to a citizen is always a template bug.
        raise ValueError(
            f"the expression gave {value!r}, which cannot stand in a letter; "
            "test it with {% if ... %} and write the words in the template"
        )
    return escape_markdown(str(value))
