"""Letter Markdown as a list of blocks (paragraphs, headings, list items, tables) for the PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from runner.letters.markdown import parse_markdown

__all__ = ["Block", "Span", "Table", "markdown_blocks"]


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


def markdown_blocks(markdown: str) -> list[Block | Table]:
    """The blocks of a letter in reading order, from one markdown-it parse of the whole letter."""
    return _blocks(parse_markdown(markdown))


def _inline_spans(token: Token, base_style: str = "") -> list[Span]:
    """The spans of one paragraph's, heading's or table cell's "inline" token."""
    spans: list[Span] = []
    bold = "B" in base_style
    italic = 0
    strong = 0
    link: str | None = None
    for child in token.children or ():
        style = ("B" if bold or strong else "") + ("I" if italic else "")
        kind = child.type
        if kind in ("text", "code_inline", "image"):
            if child.content:  # markdown-it leaves empty text beside some emphasis
                spans.append(Span(child.content, style, link))
        elif kind in ("softbreak", "hardbreak"):  # the parser's `breaks`: both break the line
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
    return spans


def _blocks(tokens: Sequence[Token]) -> list[Block | Table]:
    """The blocks the tokens make."""
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
            blocks.append(Block("heading", _inline_spans(tokens[index + 1], "B"), level, depth))
            index += 2
        elif kind == "paragraph_open":
            spans = _inline_spans(tokens[index + 1])
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
            table, index = _table(tokens, index, depth)
            blocks.append(table)
        elif kind == "html_block":  # only if raw HTML were enabled: show it as text
            blocks.append(Block("code", [Span(token.content.rstrip("\n"))], 0, depth))
        index += 1
    return blocks


def _table(tokens: Sequence[Token], index: int, depth: int) -> tuple[Table, int]:
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
                _inline_spans(tokens[index + 1], "B" if token.type == "th_open" else "")
            )
        index += 1
    return Table(rows, aligns, header_rows, depth), index
