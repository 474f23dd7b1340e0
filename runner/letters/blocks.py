"""Letter Markdown as a list of blocks (paragraphs, headings, list items, tables) for the PDF."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it.common.utils import mdTrim
from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS, escapedSplit
from markdown_it.token import Token

from runner.letters.inline import inline_children
from runner.letters.markdown import parse_block_tokens, parse_markdown
from runner.letters.pieces import PLAIN_ITEM, pieces

__all__ = ["Block", "Span", "Table", "markdown_blocks"]

#: Letter pieces whose blocks are remembered (the least recently used are forgotten first).
PIECE_CACHE_SIZE = 4096

#: Table rows (and table heads) whose cells are remembered, the same way.
TABLE_ROW_CACHE_SIZE = 4096

#: The inline tokens of a paragraph, heading or table cell, given its "inline" token.
ChildrenOf = Callable[[Token], Sequence[Token]]

#: Pieces markdown-it can read only one way (see `_plain_block`).
_PLAIN_PARAGRAPH = re.compile(r"[^\W\d_][^\n]*(?:\n[^\W\d_][^\n]*)*")
_PLAIN_HEADING = re.compile(r"(#{1,6})[ \t]([^#\n]*)")


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one style: "" regular, "B" bold, "I" italic, "BI" both."""

    text: str
    style: str = ""
    link: str | None = None


@dataclass(slots=True)
class Block:
    """A paragraph-like block: `kind` is paragraph, heading, code or rule."""

    kind: str
    spans: list[Span] = field(default_factory=list)
    level: int = 0  # heading level
    depth: int = 0  # list and quote nesting: how far it is indented
    marker: str = ""  # "•" or "3." on the first paragraph of a list item
    tight: bool = False  # a paragraph in a tight list: little space after


@dataclass(slots=True)
class Table:
    """A table: rows of cells, each cell a list of spans; the first `header_rows` are headers."""

    rows: list[list[list[Span]]]
    aligns: list[str]
    header_rows: int
    depth: int = 0


def _inline_spans(children: Sequence[Token], base_style: str = "") -> list[Span]:
    """The spans of one paragraph's inline tokens. Adjacent text tokens make one span, as
    markdown-it's `text_join` would have made them one token (tokens put together from
    parts parsed alone come unjoined, see `runner.letters.inline`)."""
    spans: list[Span] = []
    bold = "B" in base_style
    italic = 0
    strong = 0
    link: str | None = None
    after_text = False
    for child in children:
        style = ("B" if bold or strong else "") + ("I" if italic else "")
        kind = child.type
        if kind in ("text", "text_special"):
            if after_text:
                spans[-1] = Span(spans[-1].text + child.content, style, link)
            else:
                spans.append(Span(child.content, style, link))
            after_text = True
            continue
        after_text = False
        if kind == "code_inline":
            spans.append(Span(child.content, style, link))
        elif kind == "softbreak":
            spans.append(Span(" ", style, link))
        elif kind == "hardbreak":
            spans.append(Span("\n", style, link))
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = child.attrGet("href")
            # A letter has no named places to jump to: "#…" (and an empty target) is text.
            link = str(href) if href and not str(href).startswith("#") else None
        elif kind == "link_close":
            link = None
        elif kind == "image":
            spans.append(Span(child.content, style, link))
    return spans


def markdown_blocks(markdown: str) -> list[Block | Table]:
    """The blocks of a letter in reading order.

    The letter is parsed piece by piece (see `runner.letters.pieces`), and the blocks of
    each piece are remembered, so a paragraph, list item or table that letters share is
    parsed once. The blocks of a remembered piece are shared between letters: nothing may
    change a Block or Table it is given (the list returned is the caller's own).
    """
    parts = pieces(markdown)
    if parts is None:
        return _whole(markdown)
    blocks: list[Block | Table] = []
    for part in parts:
        known = _piece_blocks(part)
        if known is None:
            return _whole(markdown)
        blocks += known
    return blocks


def _whole(markdown: str) -> list[Block | Table]:
    """The blocks of the letter parsed in one go: for letters that are not cut in pieces."""
    blocks, _marker = _blocks(parse_markdown(markdown), _parsed_children)
    return blocks


def _parsed_children(token: Token) -> Sequence[Token]:
    """The inline tokens markdown-it parsed along with the blocks."""
    return token.children or []


def _sentence_children(token: Token) -> Sequence[Token]:
    """The inline tokens, parsed a sentence at a time (see `runner.letters.inline`)."""
    return inline_children(token.content)


@lru_cache(maxsize=PIECE_CACHE_SIZE)
def _piece_blocks(piece: str) -> tuple[Block | Table, ...] | None:
    """The blocks of one piece parsed alone, or None if a list marker is still waiting for its
    paragraph at the end (a list item starting with a heading or table): in the whole letter
    it would go to the next piece's first paragraph, so such a letter is parsed whole."""
    plain = _plain_block(piece)
    if plain is not None:
        return (plain,)
    table = _table_by_rows(piece)
    if table is not None:
        return (table,)
    blocks, marker = _blocks(parse_block_tokens(piece + "\n"), _sentence_children)
    return None if marker else tuple(blocks)


def _plain_block(piece: str) -> Block | None:
    """The block of a piece that markdown-it can read only one way, made without its block
    parser (a third of the parsing left after the memory): a paragraph whose every line
    starts with a letter (no such line starts another block, is a table's delimiter row or
    underlines a heading); a one-line bullet item whose text starts with a letter, maybe
    after "*" or "**" (not a rule, list, heading or anything but a paragraph in the item);
    or a heading with no "#" in its text (no closing sequence to cut). The text is trimmed
    as markdown-it trims it."""
    first = piece[:1]
    if first == "-":
        item = PLAIN_ITEM.fullmatch(piece)
        if item is None:
            return None
        return Block("paragraph", _text_spans(item[1]), 0, 1, "•", True)
    if first == "#":
        heading = _PLAIN_HEADING.fullmatch(piece)
        if heading is None:
            return None
        return Block("heading", _text_spans(heading[2], "B"), len(heading[1]))
    if _PLAIN_PARAGRAPH.fullmatch(piece) is None:
        return None
    return Block("paragraph", _text_spans(piece))


def _text_spans(text: str, base_style: str = "") -> list[Span]:
    """The spans of a paragraph's or heading's text, trimmed as markdown-it trims it."""
    return _inline_spans(inline_children(mdTrim(text)), base_style)


def _blocks(tokens: list[Token], children_of: ChildrenOf) -> tuple[list[Block | Table], str]:
    """The blocks the tokens make, and the list marker left waiting for a paragraph."""
    blocks: list[Block | Table] = []
    lists: list[list[int]] = []  # per open list: [is_ordered, next number]
    pending_marker = ""
    depth = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            lists.append([kind == "ordered_list_open", int(start) if start else 1])
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            depth -= 1
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            pending_marker = f"{number}." if ordered else "•"
            lists[-1][1] = number + 1
        elif kind == "blockquote_open":
            depth += 1
        elif kind == "blockquote_close":
            depth -= 1
        elif kind == "heading_open":
            level = int(token.tag[1:])
            blocks.append(
                Block("heading", _inline_spans(children_of(tokens[index + 1]), "B"), level, depth)
            )
            index += 2
        elif kind == "paragraph_open":
            spans = _inline_spans(children_of(tokens[index + 1]))
            blocks.append(Block("paragraph", spans, 0, depth, pending_marker, token.hidden))
            pending_marker = ""
            index += 2
        elif kind in ("code_block", "fence"):
            text = token.content.rstrip("\n")
            blocks.append(Block("code", [Span(text)], 0, depth, pending_marker))
            pending_marker = ""
        elif kind == "hr":
            blocks.append(Block("rule", depth=depth))
        elif kind == "table_open":
            table, index = _table(tokens, index, depth, children_of)
            blocks.append(table)
        elif kind == "html_block":  # only if raw HTML were enabled: show it as text
            blocks.append(Block("code", [Span(token.content.rstrip("\n"))], 0, depth))
        index += 1
    return blocks, pending_marker


def _table(
    tokens: list[Token], index: int, depth: int, children_of: ChildrenOf
) -> tuple[Table, int]:
    rows: list[list[list[Span]]] = []
    aligns: list[str] = []
    header_rows = 0
    in_head = False
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            rows.append([])
            header_rows += 1 if in_head else 0
        elif token.type in ("th_open", "td_open"):
            style = str(token.attrGet("style") or "")
            if len(rows) == 1:
                aligns.append(style.removeprefix("text-align:") or "left")
            rows[-1].append(
                _inline_spans(
                    children_of(tokens[index + 1]), "B" if token.type == "th_open" else ""
                )
            )
        index += 1
    return Table(rows, aligns, header_rows, depth), index


#: A table row: its cells, each a list of spans.
Row = list[list[Span]]


def _table_by_rows(piece: str) -> Table | None:
    """The piece as a table taken a row at a time, or None if it is not one to take so.

    The tables in letters share their head and most rows ("| Etasjar | 1 | Kjellar | nei |")
    while a few rows carry the case's figures. In a GFM table the head (its first two lines)
    decides whether the lines make a table, how many columns it has and how they are
    aligned; after that, markdown-it's table rule splits each body row into cells on its own.
    So a head is parsed by markdown-it once, and then each row not seen before is split
    as the rule splits it (`_row_cells`, with the rule's own helpers), its cells parsed as
    inline text; both are remembered. This is done only for a piece whose lines all start
    with "|" (no such line can end the table or belong to anything else, and none is blank
    or indented) and that is small enough never to reach markdown-it's limit on filled-in
    empty cells.
    """
    lines = piece.split("\n")
    if len(lines) < 3 or not all(line.startswith("|") for line in lines):
        return None
    if len(lines) * (lines[1].count("|") + 1) > MAX_AUTOCOMPLETED_CELLS:
        return None
    known = _table_head(lines[0] + "\n" + lines[1])
    if known is None:
        return None
    header, aligns = known
    return Table([header, *(_table_row(line, len(aligns)) for line in lines[2:])], aligns, 1)


@lru_cache(maxsize=TABLE_ROW_CACHE_SIZE)
def _table_row(line: str, columns: int) -> Row:
    """The cells of a body row of a table with this many columns."""
    return [_inline_spans(inline_children(cell)) for cell in _row_cells(line, columns)]


@lru_cache(maxsize=TABLE_ROW_CACHE_SIZE)
def _table_head(head: str) -> tuple[Row, list[str]] | None:
    """The header cells and column alignments of a table's first two lines; None unless
    markdown-it reads them as exactly one top-level table."""
    blocks, marker = _blocks(parse_block_tokens(head + "\n"), _sentence_children)
    if marker or len(blocks) != 1:
        return None
    table = blocks[0]
    if not isinstance(table, Table) or table.depth != 0 or len(table.rows) != 1:
        return None
    return table.rows[0], table.aligns


def _row_cells(line: str, columns: int) -> list[str]:
    """The texts of a table body row's cells, as markdown-it's table rule takes them: split
    at unescaped pipes (an escaped one loses its backslash), the empty text before a leading
    and after a trailing pipe left out, trimmed, cut or filled up to the head's columns."""
    cells = escapedSplit(mdTrim(line))
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return [mdTrim(cell) for cell in cells[:columns]] + [""] * (columns - len(cells))
