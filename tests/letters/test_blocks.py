"""The PDF's blocks: what one markdown-it parse of a letter becomes (paragraphs, headings, list
items with their markers, tables, code, rules), and that they hold the letter's words."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.letters import LetterTemplates, markdown_to_html
from runner.letters.blocks import Block, Span, Table, markdown_blocks
from runner.letters.escaping import escape_markdown

from .conftest import OUTCOMES, RULES, sample_case


def _words_of_blocks(markdown: str) -> list[str]:
    texts = []
    for block in markdown_blocks(markdown):
        if isinstance(block, Block):
            texts.append("".join(span.text for span in block.spans))
        else:
            texts += ("".join(span.text for span in cell) for row in block.rows for cell in row)
    return " ".join(texts).split()


def _words_of_html(markdown: str) -> list[str]:
    rendered = re.sub(r'<img [^>]*alt="([^"]*)"[^>]*>', r"\1", markdown_to_html(markdown))
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).split()


def assert_words_as_in_html(markdown: str) -> None:
    assert _words_of_blocks(markdown) == _words_of_html(markdown), markdown


def test_paragraphs_headings_and_emphasis() -> None:
    assert markdown_blocks(
        "# Vedtak\n\nSøknaden er **innvilga** og *gjeld*.\nLinje to\\\nTre\n"
    ) == [
        Block("heading", [Span("Vedtak", "B")], 1),
        Block(
            "paragraph",
            [
                Span("Søknaden er "),
                Span("innvilga", "B"),
                Span(" og "),
                Span("gjeld", "I"),
                Span("."),
                Span("\n"),  # a line break as typed is a line break (the parser's `breaks`)
                Span("Linje to"),
                Span("\n"),
                Span("Tre"),
            ],
        ),
    ]
    assert markdown_blocks("## **Feit *og skrå***\n") == [
        Block("heading", [Span("Feit ", "B"), Span("og skrå", "BI")], 2)
    ]


def test_links_and_places_in_the_letter() -> None:
    (block,) = markdown_blocks(
        "Sjå [pbl. § 20-1](https://lovdata.no/lov/§20-1) og [vedlegg](#v).\n"
    )
    assert isinstance(block, Block)
    assert block.spans == [
        Span("Sjå "),
        Span("pbl. § 20-1", "", "https://lovdata.no/lov/%C2%A720-1"),
        Span(" og "),
        Span("vedlegg"),  # a letter has no named places: the text only
        Span("."),
    ]


def test_lists_have_markers_depth_and_tightness() -> None:
    blocks = markdown_blocks("- a\n  - b\n- c\n\n3. x\n\n4. y\n")
    assert [(b.marker, b.depth, b.tight) for b in blocks if isinstance(b, Block)] == [
        ("•", 1, True),
        ("•", 2, True),
        ("•", 1, True),
        ("3.", 1, False),
        ("4.", 1, False),
    ]


def test_tables_have_header_rows_alignments_and_cells() -> None:
    (table,) = markdown_blocks(
        "| Opplysning | Verdi |\n|:--|--:|\n| **Areal** | 42,5 m² |\n| a \\| b |\n"
    )
    assert table == Table(
        rows=[
            [[Span("Opplysning", "B")], [Span("Verdi", "B")]],
            [[Span("Areal", "B")], [Span("42,5 m²")]],
            [[Span("a | b")], []],
        ],
        aligns=["left", "right"],
        header_rows=1,
    )


def test_code_rules_quotes_and_raw_html() -> None:
    blocks = markdown_blocks("    kode\n\n---\n\n> sitat\n\n<b>ikkje html</b>\n")
    assert blocks == [
        Block("code", [Span("kode")]),
        Block("rule"),
        Block("paragraph", [Span("sitat")], depth=1),
        Block("paragraph", [Span("<b>ikkje html</b>")]),
    ]


def test_every_byggesak_letter_keeps_its_words(
    templates: LetterTemplates, make_context: Callable[..., dict[str, Any]]
) -> None:
    escaped = {**RULES[2], "explanation": "Avstanden er 1,8 m. *Ikkje* [lenkje](x) 2. mars: a_b"}
    for outcome in OUTCOMES:
        for malform in ("nb", "nn"):
            for name, rules in (("Synnøve Testesen", RULES), ("Ola *Nord* [mann]", [escaped])):
                failed = [rule for rule in rules if rule["outcome"] != "oppfylt"]
                context = make_context(
                    outcome,
                    case=sample_case(applicant__name=name, measure__built_area_m2=61.3),
                    rules=rules,
                    failed_rules=failed,
                )
                markdown = templates.render(f"byggesak/{outcome}", malform, context).markdown
                assert_words_as_in_html(markdown)
                assert "Ola *Nord* [mann]" not in markdown or "Ola *Nord* [mann]" in " ".join(
                    _words_of_blocks(markdown)
                )


def test_escaped_case_text_stays_text() -> None:
    for value in ["1. mars", "# ikkje", "- ikkje", "| a |", "**ikkje fet**", "a. *b", "[x]: y"]:
        blocks = markdown_blocks(f"Vi fekk: {escape_markdown(value)}\n")
        assert blocks == [Block("paragraph", [Span(f"Vi fekk: {value}")])], value


# Documents made of lines that start blocks and inline text that starts constructs.
LINE_STARTS = [
    "", "- ", "* ", "1. ", "2) ", " ", "    ", "> ", "# ", "###### ", "| ", "|---|---|",
    "| a | b |", "---", "===", "[a]", "\t", "   - ", "- **", "-", "```", "~~~", "[a]: /u", "Å",
]  # fmt: skip
INLINE = [
    "a", "b c", "Ord", ". ", "*", "**", "_", "`", "[", "]", "(u)", "<http://x>", "&amp;",
    "\\", "!", "|", " ", "  ", "\0", "#", "\t", "\xa0", "\u2003",
]  # fmt: skip
_lines = st.builds(
    lambda start, parts: start + "".join(parts),
    st.sampled_from(LINE_STARTS),
    st.lists(st.sampled_from(INLINE), max_size=5),
)
_documents = st.lists(
    st.tuples(
        st.lists(_lines, min_size=1, max_size=4).map("\n".join), st.sampled_from(["\n", "\n\n"])
    ),
    max_size=6,
).map(lambda blocks: "".join(text + separator for text, separator in blocks))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_documents)
def test_generated_documents_keep_their_words(document: str) -> None:
    assert_words_as_in_html(document)
