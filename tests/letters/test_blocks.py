"""The PDF's blocks: a letter is parsed piece by piece, sentence by sentence and table row by
table row, with what was parsed before remembered. Whatever was seen before, in whatever
order, the blocks must be those of a plain markdown-it parse of the whole letter."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from runner.letters import LetterTemplates, blocks, inline, markdown
from runner.letters.blocks import markdown_blocks
from runner.letters.escaping import escape_markdown
from runner.letters.pieces import pieces

from .conftest import OUTCOMES, PLAIN, RULES, assert_blocks_as_plain, forget_blocks, sample_case


def _byggesak_letters(
    templates: LetterTemplates, make_context: Callable[..., dict[str, Any]]
) -> list[str]:
    """Every byggesak letter in both målformer, for two applicants and two sets of rules."""
    letters = []
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
                letters.append(templates.render(f"byggesak/{outcome}", malform, context).markdown)
    return letters


def test_every_byggesak_letter_gives_the_plain_blocks(
    templates: LetterTemplates, make_context: Callable[..., dict[str, Any]]
) -> None:
    letters = _byggesak_letters(templates, make_context)
    assert all(pieces(letter) for letter in letters), "the shipped letters are cut in pieces"
    assert_blocks_as_plain(letters)


TRICKY = [
    # lists: loose over blank lines, tight, nested, lazy lines, numbering, ends
    "- a\n- b\n\n- c\n\nTekst.\n",
    "- a\n\n  b\n\n- c\n",
    "- a\nlat linje\n\n- b\n",
    "Tekst:\n- a\n\n- b\n",
    "1. a\n2. b\n\nTekst\n\n3. c\n4. d\n",
    "2. a\n\n1. b\n\n- c\n\n* d\n\n+ e\n\n1) f\n",
    "- a\n  - b\n\n    c\n- d\n\n# Overskrift etter lista\n",
    "- a\n\n\n- b\n",
    "   - a\n\n- b\n",
    "- a\n-\n\n- b\n",
    "- # Overskrift i punkt\n\nTekst etter.\n",
    "- | a | b |\n  |---|---|\n  | 1 | 2 |\n\nTekst.\n",
    "- ---\n- a\n\n- - -\n\n***\n\n- ***\n\nTekst\n",
    "- **Fet**: a. b.\n- *Skrå*: c.\n- Vanleg\n",
    "- a\n- # b\n- c\n\nd\n",
    "> - a\n\n- b\n\n> c\n\n> d\n",
    # code: indented, fenced across blank lines
    "    kode\n\n    meir kode\n\nTekst\n",
    "Tekst\n\n    kode\n\n\n    kode\nTekst\n",
    "```\nkode\n\n- ikkje liste\n```\n\nTekst\n",
    "- a\n\n  ~~~\n  kode\n\n  ~~~\n- b\n",
    # tables: rows, escaped pipes, ragged rows, cells with inline, a table in a quote
    "| a | b |\n|:--|--:|\n| 1 | 2 |\n| 3 |\n| 4 | 5 | 6 |\n\nTekst\n",
    "| a \\| b | `c|d` |\n|---|:-:|\n| **x** | [l](u) |\n|  |  |\n",
    "a | b\n--|--\n1 | 2\n\n| a |\n|---|\n| 1 |\n",
    "| a | b |\n|---|---|\n- c\n\n| a | b |\n|---|\n| 1 | 2 |\n",
    "> | a |\n> |---|\n> | 1 |\n\n| x |\n|---|\n| y |\n# z\n",
    # link references, defined anywhere
    "[lov]\n\nTekst\n\n[lov]: https://lovdata.no/\n",
    "- [lov]: https://lovdata.no/\n\n[lov]\n",
    # headings, rules, setext underlines after blank lines
    "Tittel\n===\n\nTekst\n\n===\n\n---\n\nTittel\n---\n",
    "# A\n## B\nTekst\n\n###### C\n####### D\n",
    "# Tittel #\n\n## Tittel ##  \n\n#Ikkje tittel\n\n#\tTittel\t\n\n# \n\nOrd\n",
    # pieces made without the block parser: trimmed as markdown-it trims
    "- Ord  \n- **B** \t\n\nOrd\xa0\nOrd\u2003\n\n- Ord\x85\n\nÅ\x1f\n",
    # inline: emphasis over sentence cuts, hard breaks, escapes, entities, autolinks
    "Ein *lang. Setning* her. **Fet: ja** og _a. b_. Slutt.\n",
    "Med helsing\\\nAskøy kommune  \nByggesak\n",
    "Dato 2\\. mars. Ikkje \\*fet\\*. Ein &amp; to. <https://a.no> tre. `a. b` fire.\n",
    "Sjå: [pbl. § 20-1](<https://lovdata.no/lov/§20-1>). Og: ![bilde. Her](b.png) slik.\n",
    "*a. b. c. d* e. **f. g** h. *i. **j. k** l.* m.\n",
    "a. *b. c* d. e* f. g_ h. _i_ j.\n",
    "Tekst\r\nmed CR\r\n\r\n- a\r\n",
    "| a |\n|---|\n| x\0 |\n\nTekst\0 her. Meir.\n\n- a\0\n- b\n",
    "\n\n  \nTekst\n\n\t\nMeir\n  \n",
    "",
]


def test_tricky_documents_give_the_plain_blocks() -> None:
    assert_blocks_as_plain(TRICKY)


def test_escaped_case_text_gives_the_plain_blocks() -> None:
    values = ["1. mars", "# ikkje", "- ikkje", "| a |", "**ikkje fet**", "a. *b", "[x]: y"]
    documents = [
        f"Vi fekk søknaden: {escape_markdown(value)}. Heimel: [pbl.](<https://lovdata.no/>).\n"
        f"\n- **{escape_markdown(value)}**: a. {escape_markdown(value)}. b.\n- c\n"
        f"\n| a | {escape_markdown(value)} |\n|---|---|\n| {escape_markdown(value)} | b |\n"
        for value in values
    ]
    assert_blocks_as_plain(documents)


def test_where_letters_are_cut() -> None:
    assert pieces("# A\n\nTekst\nmeir\n\n\n- a\n- b\n") == ["# A", "Tekst\nmeir", "- a", "- b"]
    assert pieces("- a\n\n- b\n\nc\n\n  d\n\n1. e\n") == ["- a\n\n- b", "c\n\n  d", "1. e"]
    assert pieces("Tekst:\n- a\n\n- b\n") == ["Tekst:\n- a\n\n- b"]
    assert pieces("- # a\n- b\n") == ["- # a\n- b"]
    assert pieces("\n \n\t\n") == []
    for whole in ("```\na\n```\n", "~~~\na\n", "[a]: b\n", "a\r\nb\n", "a\0\n"):
        assert pieces(whole) is None


def test_inline_text_is_parsed_in_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    original = inline._part_tokens

    def spy(part: str) -> tuple[Token, ...]:
        parsed.append(part)
        return original(part)

    monkeypatch.setattr(inline, "_part_tokens", spy)
    text = "**Avstand**: Står 3 m frå grensa. Ikkje *a. b* c. Heimel: [pbl.](<https://lov/>). d. e"
    inline.inline_children(text)
    assert parsed == [
        "**Avstand**: ",
        "Står 3 m frå grensa. ",
        "Ikkje *a. ",  # an unpaired marker: not cut here
        "Ikkje *a. b* c. ",
        "Heimel: ",
        "[pbl.](<https://lov/>). d. e",  # nothing after a link's bracket
    ]


def test_the_parser_has_the_rules_the_cutting_was_reasoned_for() -> None:
    """`pieces` and `inline` rely on which CommonMark rules run (tables on, raw HTML off,
    nothing else): a rule added or enabled must be thought through there first."""
    parser = markdown._block_parser()
    assert parser.options["html"] is False
    assert parser.block.ruler.get_active_rules() == [
        "table", "code", "fence", "blockquote", "hr", "list", "reference", "html_block",
        "heading", "lheading", "paragraph",
    ]  # fmt: skip
    assert parser.inline.ruler.get_active_rules() == [
        "text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink",
        "html_inline", "entity",
    ]  # fmt: skip
    assert parser.inline.ruler2.get_active_rules() == [
        "balance_pairs", "emphasis", "fragments_join",
    ]  # fmt: skip
    assert parser.core.ruler.get_active_rules() == ["normalize", "block"]
    assert markdown._parser().core.ruler.get_active_rules() == [
        "normalize", "block", "inline", "text_join", "inline_cache",
    ]  # fmt: skip


def test_memory_stays_flat_over_10000_letters() -> None:
    """Each letter has its own heading, sentence, list item and table row; what is remembered
    stays within its bounds, and as many objects live after letter 10,000 as after 9,000."""
    forget_blocks()

    def render(numbers: range) -> int:
        for number in numbers:
            markdown_blocks(
                f"# Brev {number}\n\nFelles. Eigen {number}. Heimel: [a](<b>).\n\n"
                f"- **Regel**: verdi {number}. Slutt.\n- Felles punkt\n\n"
                f"| a | b |\n|---|---|\n| felles | rad |\n| eigen | {number} |\n"
            )
        gc.collect()
        return len(gc.get_objects())

    render(range(8_000))
    before = render(range(8_000, 9_000))
    after = render(range(9_000, 10_000))
    assert after - before < 1_000, f"{after - before} more objects"
    assert blocks._piece_blocks.cache_info().currsize == blocks.PIECE_CACHE_SIZE
    assert inline._part_tokens.cache_info().currsize == inline.PART_CACHE_SIZE
    assert blocks._table_row.cache_info().currsize == blocks.TABLE_ROW_CACHE_SIZE
    assert blocks._table_head.cache_info().currsize == 1


# Documents made of lines that start blocks and inline text that starts constructs, put
# together in blocks separated by blank lines (sometimes with spaces or tabs) or not.
LINE_STARTS = [
    "", "", "- ", "- ", "- ", "* ", "+ ", "1. ", "2. ", "2) ", " ", "  ", "   ", "    ", "> ",
    "# ", "## ", "| ", "|---|---|", "|", "| a | b |", "---", "===", "[a]", "\t", "   - ",
    "  - ", "- **", "-", "1.", "- #", "- |", "- >", "-  ", "- - ", "***", "- ***", "<", "&",
    "```", "~~~", "[a]: /u", "#\t", "###### ", "####### ", "#", "Ord ", "Å",
]  # fmt: skip
INLINE = [
    "a", "b c", "Ord", ". ", ": ", "; ", "*", "**", "_", "`", "[", "]", "(u)", "<http://x>",
    "&amp;", "\\", "!", "|", " ", "  ", "x. Y", "**B**: ", "2\\. ", "|-|", "\0", "#", " #",
    "\t", "\xa0", "\u2003", "\x85", "\x1f",  # whitespace to markdown-it, Python, or both
]  # fmt: skip
_lines = st.builds(
    lambda start, parts: start + "".join(parts),
    st.sampled_from(LINE_STARTS),
    st.lists(st.sampled_from(INLINE), max_size=5),
)
_separators = st.sampled_from(["\n\n", "\n\n", "\n", "\n\n\n", "\n  \n", "\n\t\n"])
_documents = st.lists(
    st.tuples(st.lists(_lines, min_size=1, max_size=4).map("\n".join), _separators),
    max_size=8,
).map(lambda blocks: "".join(text + separator for text, separator in blocks))
_texts = st.lists(
    st.sampled_from([*INLINE, "\n", "a\n", "  \n", ".  ", "Z", "*a. b*", "_a_. "]),
    max_size=14,
).map("".join)
_lines_of_one_kind = st.builds(
    lambda start, parts: start + "".join(parts),
    st.sampled_from(["- ", "- **", "- *", "# ", "## ", "###### ", "####### ", "#", "#\t", ""]),
    st.lists(st.sampled_from([*INLINE, "Ord", "å", "Å ", "1. "]), max_size=6),
)
_cells = st.lists(st.sampled_from(["a", " ", "\\|", "`", "*", "1. ", "b. c", "[x](y)"]), max_size=4)
_rows = st.lists(_cells, max_size=5).map(lambda cells: "|" + "|".join(map("".join, cells)) + "|")
_tables = st.builds(
    lambda head, align, rows: "\n".join([head, align, *rows]) + "\n",
    st.sampled_from(["| a | b |", "|a|", "| a | b | c |", "a | b"]),
    st.sampled_from(["|---|---|", "|:-:|--:|", "|---|", "| - | :- | -: |", "--|--"]),
    st.lists(st.one_of(_rows, st.sampled_from(["| 1 | 2 |", "|", "| a \\| b |"])), max_size=6),
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_documents, min_size=1, max_size=3))
def test_generated_documents_give_the_plain_blocks(documents: list[str]) -> None:
    assert_blocks_as_plain(documents)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_lines_of_one_kind, min_size=1, max_size=6))
def test_generated_lines_of_one_kind_give_the_plain_blocks(lines: list[str]) -> None:
    """Headings, bullet items and paragraph lines, alone and together: the pieces made
    without the block parser, and ones that only look like them."""
    assert_blocks_as_plain(["\n\n".join(lines) + "\n", "\n".join(lines) + "\n"])


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_tables, min_size=1, max_size=4))
def test_generated_tables_give_the_plain_blocks(tables: list[str]) -> None:
    assert_blocks_as_plain(tables)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_texts, min_size=1, max_size=3), st.sampled_from(["", "B"]))
def test_generated_text_gives_the_plain_spans(texts: list[str], base_style: str) -> None:
    forget_blocks()
    for text in [*texts, *texts]:
        plain: list[Token] = []
        PLAIN.inline.parse(text, PLAIN, {}, plain)
        fast = blocks._inline_spans(inline.inline_children(text), base_style)
        assert fast == blocks._inline_spans(plain, base_style), text
