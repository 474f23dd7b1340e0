"""Escaping of values put into letter templates, so input text formats and executes nothing."""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "LINE_START",
    "TrustedMarkdown",
    "escape_line_start",
    "escape_markdown",
    "finalize_value",
    "place_values",
    "strip_invisible",
]

# A letter's Markdown is also the text a caseworker edits, so a value gets a backslash only
# where Markdown would read it as formatting in the place it lands: "10. juni" mid-line, an
# e-mail address with "_" or "Hansen & Co" are left as they are; "10. juni" at the start of
# a line (an ordered list), "*" or "[" anywhere are escaped.

#: Characters that format in CommonMark (tables on, raw HTML off) wherever they stand:
#: code spans, emphasis, links and images, autolinks, table cells; a backslash that would
#: escape the next character or break the line; an ampersand that starts an entity; an
#: underscore not inside a word (inside a word it can neither open nor close emphasis).
_INLINE_SPECIAL = re.compile(
    r"[`*\[\]<|]"
    r"|\\(?=[!-/:-@\[-`{-~]|$)"
    r"|&(?=#?[0-9A-Za-z]+;)"
    r"|(?<![^\W_])_|_(?![^\W_])"
)
#: What starts a block when it stands at the start of a line (a heading, quote, list, rule,
#: setext underline, code fence): escaped only where the value lands at a line start.
_BLOCK_START = re.compile(r"^(?:[#>+=~-]|\d{1,9}[.)](?=\s|$))")
_ORDERED_LIST_START = re.compile(r"^(\d{1,9})([.)])")
#: A run of "#" ending the value after a space (or as all of it): at the end of a heading's
#: line it would be read as the heading's closing sequence and vanish ("# Tittel #").
_CLOSING_HASHES = re.compile(r"(?:^|(?<=\s))#+$")
#: What may stand before a block's content on its line: indentation, list and quote markers.
_BLOCK_PREFIX = re.compile(r"[ \t]*(?:(?:[-+*]|\d{1,9}[.)]|>)[ \t]+)*")
#: Put before a value that would start a block at a line start (finalize_value); resolved
#: by place_values once the template has put the value in its line. Never kept in a letter.
LINE_START = "\ue000"
#: Control characters, bidirectional overrides and the line-start mark: never meaningful in
#: a letter, and the bidi ones can make text read differently from what it is
#: ("Trojan Source").
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ue000]")
_WHITESPACE = re.compile(r"\s+")
#: Text the rules above leave as it is (most values: words, numbers, single spaces), found
#: with one match instead of the substitutions.
_PLAIN = re.compile(
    r"[^\s\\`*_\[\]<&|\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ue000]+"
    r"(?: [^\s\\`*_\[\]<&|\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ue000]+)*"
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
    """Make `text` appear literally in Markdown, and in the HTML and PDF made from it, where
    it stands inside a line (a table cell, a sentence).

    Line breaks and runs of whitespace become one space (a value is one run of text), and
    a backslash goes only before what would format there. A value that may land at the
    start of a line also needs `escape_line_start` (templates: finalize_value does it).
    """
    if _PLAIN.fullmatch(text) and not text.endswith("#"):
        return text
    return _escape_all(text)


def _escape_all(text: str) -> str:
    text = strip_invisible(text)
    text = _WHITESPACE.sub(" ", text).strip()
    text = _INLINE_SPECIAL.sub(lambda found: "\\" + found.group(0), text)
    return _CLOSING_HASHES.sub(lambda run: "\\" + run.group(0), text, count=1)


def escape_line_start(text: str) -> str:
    """`text` (escaped for inside a line) as the start of a line: a heading, list, quote,
    rule or fence it would begin gets a backslash ("10\\. juni", "\\# 3")."""
    if not _BLOCK_START.match(text):
        return text
    ordered = _ORDERED_LIST_START.sub(r"\1\\\2", text, count=1)
    return ordered if ordered != text else "\\" + text


def place_values(markdown: str) -> str:
    """The rendered template with each value marked by finalize_value escaped where it
    landed at the start of a line (after indentation, list or quote markers), and the
    marks removed."""
    if LINE_START not in markdown:
        return markdown
    first, *rest = markdown.split(LINE_START)
    out = [first]
    line = first.rpartition("\n")[2]
    for part in rest:
        if _BLOCK_PREFIX.fullmatch(line):
            part = escape_line_start(part)
        out.append(part)
        line = part.rpartition("\n")[2] if "\n" in part else line + part
    return "".join(out)


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
    text = escape_markdown(str(value))
    # Whether it starts a line is known only once the template has placed it: place_values.
    return LINE_START + text if _BLOCK_START.match(text) else text
