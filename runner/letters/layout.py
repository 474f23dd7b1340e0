"""Typesetting letter blocks into rows of positioned text: line breaking, lists and tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from runner.letters.blocks import Block, Span, Table
from runner.letters.pdf_fonts import FontFace

__all__ = ["BODY_SIZE", "MM_PER_PT", "LineOp", "Row", "TextOp", "Typesetter"]

MM_PER_PT = 25.4 / 72
BODY_SIZE = 10.0
LEADING = 1.36
HEADING_SIZES = {1: 13.5, 2: 11.5}
LIST_INDENT = 6.0
CELL_PAD_X = 1.6
CELL_PAD_Y = 0.8
LINK_COLOR = (0, 70, 140)


@dataclass(frozen=True, slots=True)
class TextOp:
    """Text at `x` (mm from the page's left edge) with its baseline `y` mm below the row top;
    `width` in mm, for the link over linked text."""

    x: float
    y: float
    text: str
    style: str
    size: float
    link: str | None = None
    width: float = 0.0


@dataclass(frozen=True, slots=True)
class LineOp:
    """A straight line, coordinates as for TextOp; `width` in mm."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.2


@dataclass(slots=True)
class Row:
    """Something that goes on one page as a whole: a line of text, a table row, a rule."""

    height: float
    ops: list[TextOp | LineOp] = field(default_factory=list)
    space_after: float = 0.0
    keep_with_next: bool = False


@dataclass(slots=True)
class _Piece:
    x: float
    text: str
    style: str
    link: str | None
    width: float


#: The parts of a word, each in one style: (text, style, link, width in mm).
_Parts = list[tuple[str, str, str | None, float]]
#: A word: (space before it, line break forced before it, its width in mm, its parts).
_Word = tuple[bool, bool, float, _Parts]


class Typesetter:
    """Breaks blocks into rows of lines `width` mm wide, starting `left` mm from the page edge."""

    def __init__(self, faces: Mapping[str, FontFace], left: float, width: float) -> None:
        self.faces = faces
        self.left = left
        self.width = width

    def width_of(self, text: str, style: str, size: float) -> float:
        """Width of `text` in mm."""
        return self.faces[style].text_width(text, size) * MM_PER_PT

    def rows(self, blocks: Sequence[Block | Table]) -> list[Row]:
        """Rows for a letter body, in order."""
        rows: list[Row] = []
        previous: Block | Table | None = None
        for block in blocks:
            if (
                isinstance(previous, Block)
                and previous.tight
                and rows
                and not (isinstance(block, Block) and block.tight and block.depth >= previous.depth)
            ):
                rows[-1].space_after = max(rows[-1].space_after, 2.2)  # the end of a tight list
            previous = block
            if isinstance(block, Table):
                rows += self._table(block)
            elif block.kind == "rule":
                y = 2.5
                rows.append(Row(5.0, [LineOp(self.left, y, self.left + self.width, y)], 1.0))
            elif block.kind == "heading":
                size = HEADING_SIZES.get(block.level, BODY_SIZE)
                if rows and block.level <= 2:
                    rows[-1].space_after = max(rows[-1].space_after, 2.8)
                lines = self._paragraph(block.spans, size, self.left, self.width)
                for row in lines:
                    row.keep_with_next = True
                lines[-1].space_after = 1.2
                rows += lines
            else:
                rows += self._block(block)
        return rows

    def _block(self, block: Block) -> list[Row]:
        indent = LIST_INDENT * block.depth
        left = self.left + indent
        size = BODY_SIZE - 1 if block.kind == "code" else BODY_SIZE
        spans = block.spans
        if block.kind == "code":
            spans = [Span(span.text, "", None) for span in spans]
        lines = self._paragraph(spans, size, left, self.width - indent)
        if block.marker:
            marker = TextOp(left - LIST_INDENT + 1.0, _baseline(size), block.marker, "", size)
            lines[0].ops.insert(0, marker)
        _keep_lines_together(lines)
        lines[-1].space_after = 0.8 if block.tight else 2.2
        return lines

    def _paragraph(
        self, spans: Sequence[Span], size: float, left: float, width: float
    ) -> list[Row]:
        line_height = size * LEADING * MM_PER_PT
        baseline = _baseline(size)
        rows = []
        for line in self.wrap(spans, size, width):
            ops: list[TextOp | LineOp] = [
                TextOp(
                    left + piece.x, baseline, piece.text, piece.style, size, piece.link, piece.width
                )
                for piece in line
                if piece.text.strip()
            ]
            rows.append(Row(line_height, ops))
        return rows

    def wrap(self, spans: Sequence[Span], size: float, width: float) -> list[list[_Piece]]:
        """Greedy line breaking at spaces; a word wider than the line is split where it must."""
        limit = width + 1e-6
        lines: list[list[_Piece]] = [[]]
        line = lines[0]  # always lines[-1]
        x = 0.0
        for space_before, forced_break, word_width, parts in self._words(spans, size):
            space = 0.0
            if space_before and line:
                space = self.width_of(" ", line[-1].style, size)
            if forced_break or (line and x + space + word_width > limit):
                line, x, space = [], 0.0, 0.0
                lines.append(line)
            if space:
                last = line[-1]
                last.text += " "
                last.width += space
                x += space
            for text, style, link, part_width in parts:
                if not line and part_width > width:
                    for chunk, chunk_width in self._split(text, style, size, width):
                        line.append(_Piece(0.0, chunk, style, link, chunk_width))
                        line = []
                        lines.append(line)
                    x = 0.0
                    continue
                if x + part_width > limit and line:
                    line, x = [], 0.0
                    lines.append(line)
                if line and line[-1].style == style and line[-1].link == link:
                    last = line[-1]
                    last.text += text
                    last.width += part_width
                else:
                    line.append(_Piece(x, text, style, link, part_width))
                x += part_width
        if len(lines) > 1 and not lines[-1]:
            lines.pop()
        return lines

    def _words(self, spans: Sequence[Span], size: float) -> list[_Word]:
        """The words of a paragraph, each (space before it, line break forced before it,
        its width, its parts): a word runs across spans until a space or line break."""
        words: list[tuple[bool, bool, _Parts]] = []
        parts: _Parts | None = None
        space, forced = False, False
        for span in spans:
            style, link = span.style, span.link
            # the words are what single spaces and line breaks separate
            for line_number, segment in enumerate(span.text.split("\n")):
                if line_number:
                    parts, space, forced = None, False, True
                for number, part in enumerate(segment.split(" ")):
                    if number:
                        parts, space = None, True
                    if not part:
                        continue
                    if parts is None:
                        parts = []
                        words.append((space, forced, parts))
                        space, forced = False, False
                    parts.append((part, style, link, self.width_of(part, style, size)))
        return [(space, forced, sum(p[3] for p in parts), parts) for space, forced, parts in words]

    def _split(self, text: str, style: str, size: float, width: float) -> list[tuple[str, float]]:
        chunks: list[tuple[str, float]] = []
        current, current_width = "", 0.0
        for char in text:
            char_width = self.width_of(char, style, size)
            if current and current_width + char_width > width:
                chunks.append((current, current_width))
                current, current_width = "", 0.0
            current += char
            current_width += char_width
        chunks.append((current, current_width))
        return chunks

    def _table(self, table: Table) -> list[Row]:
        size = BODY_SIZE - 1
        columns = max((len(row) for row in table.rows), default=0)
        if columns == 0:
            return []
        left = self.left + LIST_INDENT * table.depth
        available = self.width - LIST_INDENT * table.depth
        natural = [1.0] * columns
        for row in table.rows:
            for column, cell in enumerate(row):
                text_width = sum(self.width_of(span.text, span.style, size) for span in cell)
                natural[column] = max(
                    natural[column], min(text_width, available) + 2 * CELL_PAD_X + 0.1
                )
        scale = available / sum(natural)
        widths = [w * scale for w in natural] if scale < 1 else natural
        line_height = size * LEADING * MM_PER_PT
        rows: list[Row] = []
        for number, cells in enumerate(table.rows):
            ops: list[TextOp | LineOp] = []
            height = line_height + 2 * CELL_PAD_Y
            x = left
            for column, width in enumerate(widths):
                cell = cells[column] if column < len(cells) else []
                align = table.aligns[column] if column < len(table.aligns) else "left"
                inner = width - 2 * CELL_PAD_X
                lines = self.wrap(cell, size, inner)
                for index, line in enumerate(lines):
                    used = sum(piece.width for piece in line)
                    shift = {"right": inner - used, "center": (inner - used) / 2}.get(align, 0.0)
                    baseline = CELL_PAD_Y + index * line_height + _baseline(size)
                    for piece in line:
                        if piece.text.strip():
                            ops.append(
                                TextOp(
                                    x + CELL_PAD_X + shift + piece.x,
                                    baseline,
                                    piece.text,
                                    piece.style,
                                    size,
                                    piece.link,
                                    piece.width,
                                )
                            )
                height = max(height, len(lines) * line_height + 2 * CELL_PAD_Y)
                x += width
            header = number < table.header_rows
            ops.append(LineOp(left, height, x, height, 0.35 if header else 0.15))
            if number == 0:
                ops.append(LineOp(left, 0.0, x, 0.0, 0.35))
            rows.append(Row(height, ops, 0.0, keep_with_next=header))
        rows[-1].space_after = 3.0
        return rows


def _baseline(size: float) -> float:
    """Where the baseline sits below the top of a line of `size` pt: x-height centred."""
    return size * LEADING * MM_PER_PT * 0.5 + size * MM_PER_PT * 0.36


def _keep_lines_together(lines: list[Row]) -> None:
    """Widow and orphan control: a short paragraph stays whole; a long one leaves at least
    two lines on each page it touches."""
    if len(lines) <= 4:
        for row in lines[:-1]:
            row.keep_with_next = True
    else:
        lines[0].keep_with_next = True
        lines[-2].keep_with_next = True
