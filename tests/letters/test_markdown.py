"""Letter Markdown to HTML: CommonMark with tables, raw HTML shown as text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from markdown_it import MarkdownIt

from runner.letters import LetterTemplates, markdown, markdown_to_html
from runner.letters.markdown import parse_markdown


def test_tables_are_enabled() -> None:
    html = markdown_to_html("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<table>" in html and "<td>2</td>" in html


def test_raw_html_is_text() -> None:
    html = markdown_to_html("<script>alert(1)</script>\n\nHei <b>du</b>\n")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;du&lt;/b&gt;" in html


def test_dangerous_links_are_not_links() -> None:
    html = markdown_to_html("[a](javascript:alert(1)) [b](data:text/html,x) [c](https://ok.no)")
    assert html.count("<a ") == 1 and 'href="https://ok.no"' in html


def _plain_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


DOCUMENTS = [
    "# Vedtak\n\nSøknaden er **innvilga**. Sjå [pbl. § 20-1](<https://lovdata.no/lov/§20-1>).\n",
    "- Søknaden er **innvilga**. Sjå [pbl. § 20-1](<https://lovdata.no/lov/§20-1>).\n- b\\*c\n",
    "| Søknaden er **innvilga**. | a\\\\b |\n|---|---|\n| `kode` | *x* y |\n",
    "[lov]: https://lovdata.no/\n\nSøknaden er **innvilga**. Sjå [lov] og [lov][].\n",
    "Søknaden er **innvilga**. Sjå [lov] og [lov][].\n",
    "![Kart *over* tomta](kart.png) og tekst\n\n![Kart *over* tomta](kart.png) og tekst\n",
    "Linje ein\\\nlinje to &amp; &copy; <https://askoy.kommune.no>\n",
]


def test_paragraphs_parsed_before_give_the_same_tokens_and_html(
    templates: LetterTemplates, make_context: Callable[..., dict[str, Any]]
) -> None:
    """Inline tokens are remembered per paragraph text; every parse, first or repeated,
    must equal a fresh markdown-it parse (link references and images included)."""
    drafts = [
        templates.render(f"byggesak/{outcome}", malform, make_context(outcome)).markdown
        for outcome in ("innvilget", "avslag")
        for malform in ("nb", "nn")
    ]
    plain = _plain_parser()
    for _round in range(3):
        for document in [*DOCUMENTS, *drafts]:
            expected = [token.as_dict() for token in plain.parse(document)]
            assert [token.as_dict() for token in parse_markdown(document)] == expected
            assert markdown_to_html(document) == plain.render(document)


def test_the_paragraph_memory_starts_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "INLINE_CACHE_SIZE", 3)
    plain = _plain_parser()
    for number in range(20):
        document = f"Avsnitt {number % 7} med **feit** tekst.\n\nAnna avsnitt {number}.\n"
        assert markdown_to_html(document) == plain.render(document)
