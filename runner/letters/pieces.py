"""Letter Markdown cut into pieces that parse alone exactly as they do inside the whole letter.

Letters come from templates, so most of a letter's paragraphs, headings, list items and
tables recur word for word in other letters, while a few carry the case's own text. Parsing
a letter piece by piece lets the PDF renderer remember what each piece became and parse only
the pieces it has not seen.

A cut is made only where CommonMark (as the letter parser is configured: tables on, raw HTML
off) cannot carry anything from one side to the other: after one or more blank lines, before
a line that starts in the first column with something other than a space or tab. There,
every block before has ended (a paragraph, table or block quote ends at a blank line; an
indented code block or a list item's content needs an indented line to go on), and the next
line starts a fresh top-level block. Three things could still reach across, and are handled:

- A list goes on over blank lines when the next line is another item of it (and the blank
  makes it loose), so a piece starting with a list marker stays with the piece before if that
  piece has any line that could start a list.
- A fenced code block runs over blank lines to its closing fence, so a letter with a fence
  (```` ``` ```` or ``~~~``) is not cut.
- A link reference definition (``[label]: url``) changes links anywhere in the document, so
  a letter with ``]:`` in it is not cut. Every definition has that pair of characters.

A letter with a carriage return or a NUL is not cut either (markdown-it reads a carriage
return as a line break and replaces NUL before parsing; letters from the templates have
neither, and the pieces' text is used as it stands).

A piece that is a tight bullet list of one-line items, each starting with a letter (maybe in
emphasis), is cut further into its items: such an item cannot be anything but a paragraph in
its own list item, so the list is its items one after another.
"""

from __future__ import annotations

import re

__all__ = ["PLAIN_ITEM", "pieces"]

#: Where a piece ends: a line break, blank lines (spaces and tabs only, as markdown-it sees
#: blank), and a line that starts with neither a space nor a tab.
_CUT = re.compile(r"\n(?:[ \t]*\n)+(?=[^ \t\n])")

#: A line that could open a list item: up to three spaces, a bullet or a number with "." or
#: ")", then a space, a tab or the end of the line.
_LIST_START = re.compile(r"^ {0,3}(?:[-+*]|[0-9]{1,9}[.)])(?:[ \t]|$)", re.MULTILINE)

#: A one-line bullet item whose text (the group) starts with a letter, plain or after "*"
#: or "**": never a heading, quote, rule, code, table or list of its own, so always a
#: paragraph.
PLAIN_ITEM = re.compile(r"- (\*{0,2}[^\W\d_][^\n]*)")

#: Text that means the letter is parsed whole (see the module docstring).
_NOT_CUT = ("]:", "```", "~~~", "\r", "\0")


def pieces(markdown: str) -> list[str] | None:
    """The letter's pieces in order, each without its closing line break; None if the letter
    must be parsed whole. Pieces of nothing but spaces and tabs are left out."""
    if any(mark in markdown for mark in _NOT_CUT):
        return None
    found: list[str] = []
    start = 0
    for cut in _CUT.finditer(markdown):
        if _LIST_START.match(markdown, cut.end()) and _LIST_START.search(
            markdown, start, cut.start()
        ):
            continue  # a list may go on here: keep the two sides together
        _add(found, markdown[start : cut.start()])
        start = cut.end()
    _add(found, markdown[start:].rstrip("\n"))
    return found


def _add(found: list[str], piece: str) -> None:
    """Adds a piece, or its items if it is a list of plain one-line items."""
    if not piece.strip(" \t\n"):
        return
    lines = piece.split("\n")
    if len(lines) > 1 and all(PLAIN_ITEM.fullmatch(line) for line in lines):
        found.extend(lines)
    else:
        found.append(piece)
