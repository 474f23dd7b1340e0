"""Line breaking: the typesetter's word splitting and breaking give the straightforward lines."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import astuple, dataclass

import pytest

from runner.letters.blocks import Span
from runner.letters.layout import MM_PER_PT, Typesetter
from runner.letters.pdf_fonts import font_faces

#: What separates words: line breaks and runs of spaces (the tokens of the plain version).
_PARTS = re.compile(r"\n| +|[^ \n]+")

Piece = tuple[float, str, str, str | None, float]


def _plain_words(
    spans: Sequence[Span], setter: Typesetter, size: float
) -> list[tuple[bool, bool, list[tuple[str, str, str | None, float]]]]:
    """Words by regular expression: (space before, line break before, parts)."""
    words: list[tuple[bool, bool, list[tuple[str, str, str | None, float]]]] = []
    current: list[tuple[str, str, str | None, float]] | None = None
    space, forced = False, False
    for span in spans:
        for part in _PARTS.findall(span.text):
            if part == "\n":
                current, space, forced = None, False, True
            elif part[0] == " ":
                current, space = None, True
            else:
                if current is None:
                    current = []
                    words.append((space, forced, current))
                    space, forced = False, False
                width = setter.width_of(part, span.style, size)
                current.append((part, span.style, span.link, width))
    return words


@dataclass
class _PlainPiece:
    x: float
    text: str
    style: str
    link: str | None
    width: float


def _plain_wrap(
    spans: Sequence[Span], setter: Typesetter, size: float, width: float
) -> list[list[Piece]]:
    """Greedy line breaking written plainly."""
    lines: list[list[_PlainPiece]] = [[]]
    x = 0.0
    for space_before, forced_break, parts in _plain_words(spans, setter, size):
        word_width = sum(part[3] for part in parts)
        line = lines[-1]
        space = setter.width_of(" ", line[-1].style, size) if line and space_before else 0.0
        if forced_break or (line and x + space + word_width > width + 1e-6):
            lines.append([])
            line, x, space = lines[-1], 0.0, 0.0
        if space:
            line[-1].text += " "
            line[-1].width += space
            x += space
        for text, style, link, part_width in parts:
            if not line and part_width > width:
                for chunk, chunk_width in setter._split(text, style, size, width):
                    lines[-1].append(_PlainPiece(0.0, chunk, style, link, chunk_width))
                    lines.append([])
                line, x = lines[-1], 0.0
                continue
            if x + part_width > width + 1e-6 and line:
                lines.append([])
                line, x = lines[-1], 0.0
            if line and line[-1].style == style and line[-1].link == link:
                line[-1].text += text
                line[-1].width += part_width
            else:
                line.append(_PlainPiece(x, text, style, link, part_width))
            x += part_width
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return [[astuple(piece) for piece in line] for line in lines]


def _random_spans(rng: random.Random) -> list[Span]:
    words = ["Søknad", "er", "innvilga", "§", "20-4", "gnr.", "3/118", "(a)", "løyve", "x" * 70]
    separators = [" ", " ", " ", "  ", "\n", " \n", "\n ", ""]
    spans = []
    for _ in range(rng.randint(1, 6)):
        text = "".join(
            rng.choice(words) + rng.choice(separators) for _ in range(rng.randint(0, 14))
        )
        if rng.random() < 0.3:
            text = rng.choice(separators) + text
        style = rng.choice(["", "", "B", "I", "BI"])
        link = "https://lovdata.no/" if rng.random() < 0.2 else None
        spans.append(Span(text, style, link))
    return spans


@pytest.mark.parametrize("seed", range(40))
def test_lines_are_those_of_the_plain_algorithm(seed: int) -> None:
    """Words split at single spaces and line breaks (not by regular expression): the same
    lines as the plain algorithm, to the last bit of every position and width."""
    rng = random.Random(seed)
    setter = Typesetter(font_faces(), 25.0, 165.0)
    for _ in range(25):
        spans = _random_spans(rng)
        size = rng.choice([9.0, 10.0, 13.5])
        width = rng.choice([165.0, 80.0, 20.0, 3.0])
        lines = [
            [(p.x, p.text, p.style, p.link, p.width) for p in line]
            for line in setter.wrap(spans, size, width)
        ]
        assert lines == _plain_wrap(spans, setter, size, width), (spans, size, width)


def test_width_of_is_points_to_millimetres() -> None:
    setter = Typesetter(font_faces(), 25.0, 165.0)
    assert setter.width_of("Søknad", "B", 10.0) == (
        font_faces()["B"].text_width("Søknad", 10.0) * MM_PER_PT
    )


def test_a_line_may_overrun_by_rounding_error() -> None:
    """Text as wide as the line, give or take a millionth of a millimetre, fits on it."""
    setter = Typesetter(font_faces(), 25.0, 165.0)
    word = [Span("Søk", ""), Span("nad", "B")]  # one word, in two styles
    width = setter.width_of("Søk", "", 10.0) + setter.width_of("nad", "B", 10.0)
    assert len(setter.wrap(word, 10.0, width - 5e-7)) == 1
    assert len(setter.wrap(word, 10.0, width - 5e-6)) == 2
    words = [Span("Søk nad", "")]
    width = setter.width_of("Søk nad", "", 10.0)
    assert len(setter.wrap(words, 10.0, width - 5e-7)) == 1
    assert len(setter.wrap(words, 10.0, width - 5e-6)) == 2
