"""Applicant text stays literal in Markdown, HTML and PDF; templates cannot leave the sandbox."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from io import BytesIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from runner.errors import TemplateError
from runner.kommuner.settings import KommuneSettings
from runner.letters import LetterTemplates, PdfRenderer, TrustedMarkdown, markdown_to_html
from runner.letters.escaping import (
    LINE_START,
    _escape_all,
    escape_line_start,
    escape_markdown,
    finalize_value,
    place_values,
    strip_invisible,
)

INJECTIONS = [
    "{{ ''.__class__ }}",
    "{% for x in y %}",
    "<script>alert(1)</script>",
    "**bold**",
    "[x](javascript:alert(1))",
    "![bilde](https://example.org/x.png)",
    "&amp; &lt;",
    "`kode`",
    "a | b",
    "_skrå_ ~~borte~~",
    "<https://example.org>",
]
LINE_STARTS = [
    "# Overskrift",
    "- punkt",
    "+ punkt",
    "> sitat",
    "1. liste",
    "3) liste",
    "---",
    "===",
]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


@pytest.mark.parametrize("text", INJECTIONS + LINE_STARTS)
def test_value_comes_through_markdown_and_html_literally(text: str) -> None:
    markdown = f"{escape_line_start(escape_markdown(text))}\n"
    html = markdown_to_html(markdown)
    assert html.startswith("<p>"), html
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert "<strong>" not in html and "<em>" not in html and "<code>" not in html
    unescaped = html.removeprefix("<p>").removesuffix("</p>\n")
    unescaped = unescaped.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert unescaped.replace("&amp;", "&") == text


def test_injections_in_a_case_stay_literal_through_template_html_and_pdf(
    template_dir: Callable[[dict[str, str]], LetterTemplates],
    renderer: PdfRenderer,
    kommune: KommuneSettings,
) -> None:
    templates = template_dir(
        {"test/brev.nb.md.j2": "# Brev\n\n{% for text in texts %}\n{{ text }}\n\n{% endfor %}"}
    )
    draft = templates.render("test/brev", "nb", {"texts": INJECTIONS})
    html = markdown_to_html(draft.markdown)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="' not in html and "<strong>" not in html
    pdf = renderer.render(
        draft.markdown,
        letterhead=kommune.letterhead,
        malform="nb",
        title="Brev",
        reference="BS-1",
        letter_date=date(2026, 1, 22),
        recipient=["Navn"],
    )
    text = _pdf_text(pdf)
    for injection in INJECTIONS:
        assert injection in text


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ case.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ rules.append(1) }}",
        "{{ case.update({'a': 1}) }}",
    ],
)
def test_unsafe_template_code_raises_template_error(
    template_dir: Callable[[dict[str, str]], LetterTemplates], source: str
) -> None:
    templates = template_dir({"test/ond.nb.md.j2": f"Hei\n{source}\n"})
    with pytest.raises(TemplateError) as caught:
        templates.render("test/ond", "nb", {"case": {}, "rules": []})
    assert "test/ond.nb.md.j2" in str(caught.value)
    assert "line 2" in str(caught.value)


def test_security_error_is_named_as_such(
    template_dir: Callable[[dict[str, str]], LetterTemplates],
) -> None:
    templates = template_dir({"test/ond.nb.md.j2": "{{ ''.__class__.__mro__ }}"})
    with pytest.raises(TemplateError, match="sandbox forbids") as caught:
        templates.render("test/ond", "nb", {})
    assert "unsafe" in str(caught.value)


def test_safe_filter_gives_no_way_around_escaping(
    template_dir: Callable[[dict[str, str]], LetterTemplates],
) -> None:
    templates = template_dir({"test/safe.nb.md.j2": "{{ text|safe }} {{ text|e }}"})
    draft = templates.render("test/safe", "nb", {"text": "**x**"})
    assert "<strong>" not in markdown_to_html(draft.markdown)


def test_trusted_markdown_is_the_only_way_through() -> None:
    assert finalize_value(TrustedMarkdown("**ja**")) == "**ja**"
    assert finalize_value("**nei**") == "\\*\\*nei\\*\\*"
    assert finalize_value(42.5) == "42.5"


@pytest.mark.parametrize("value", [None, True, False])
def test_none_and_booleans_are_template_bugs(
    template_dir: Callable[[dict[str, str]], LetterTemplates], value: object
) -> None:
    templates = template_dir({"test/verdi.nb.md.j2": "Verdi: {{ value }}"})
    with pytest.raises(TemplateError, match="cannot stand in a letter"):
        templates.render("test/verdi", "nb", {"value": value})


def test_whitespace_and_control_characters_are_normalised() -> None:
    assert escape_markdown("  a\n\n    b\tc \x00d\u202e ") == "a b c d"
    assert escape_markdown("2026. januar") == "2026. januar"  # inside a line: nothing
    assert escape_line_start("2026. januar") == "2026\\. januar"  # at a line start: a list


#: Values that mean nothing to Markdown inside a line: no backslash in the letter's text
#: (which is also the text the caseworker edits).
PLAIN_INSIDE_A_LINE = [
    "10. juni 2026",
    "ola_nordmann@example.no",
    "Hansen & Co",
    "Gnr. 8 / bnr. 354 - tilbygg",
    "3) tredje",
    "# 3",
    "a > b",
    "100 %",
    "C:\\mappe\\fil",
]


@pytest.mark.parametrize("text", PLAIN_INSIDE_A_LINE)
def test_plain_values_get_no_backslash_inside_a_line(text: str) -> None:
    assert escape_markdown(text) == text
    html = markdown_to_html(f"Dato: {text}\n")
    assert "<em>" not in html and "<ol" not in html and "<h1>" not in html
    shown = html.removeprefix("<p>Dato: ").removesuffix("</p>\n")
    assert shown.replace("&gt;", ">").replace("&amp;", "&") == text


@pytest.mark.parametrize("text", INJECTIONS + LINE_STARTS + PLAIN_INSIDE_A_LINE)
def test_values_are_escaped_for_a_line_start_only_where_they_land_at_one(text: str) -> None:
    value = finalize_value(text)
    inside = place_values(f"Vi mottok {value} i dag.\n")
    starting = place_values(f"Tekst\n{value}\n\n- {value}\n\n| a |\n|---|\n| {value} |\n")
    assert LINE_START not in inside + starting
    assert inside == f"Vi mottok {escape_markdown(text)} i dag.\n"
    line_start = escape_line_start(escape_markdown(text))
    assert starting.split("\n")[1] == line_start and starting.split("\n")[3] == f"- {line_start}"
    assert starting.split("\n")[7] == f"| {escape_markdown(text)} |"
    html = markdown_to_html(starting)
    assert "<h1>" not in html and "<ol" not in html and "<blockquote>" not in html
    assert "<h2>" not in html and "<hr" not in html and "<em>" not in html


def test_the_line_start_mark_cannot_come_from_input() -> None:
    assert escape_markdown(f"a{LINE_START}b") == "ab"


_TRICKY = (
    "#>+=-0123456789.) \t\n\xa0\u2009\\`*_[]<>&|~\x00\x1f\x7f\x85\x9f\u202a\u202e\u2066\u2069æøåáŋ"
)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(_TRICKY) | st.characters(), max_size=40))
def test_the_quick_check_for_plain_text_agrees_with_the_full_escape(text: str) -> None:
    """Text that needs no escaping is returned as it is without the five substitutions;
    whatever the quick check lets through, the full escape would have left unchanged."""
    assert escape_markdown(text) == _escape_all(text)


@pytest.mark.parametrize("char", sorted(set(_TRICKY)))
def test_the_quick_check_sees_every_special_character_anywhere(char: str) -> None:
    for text in (char, f"{char}a", f"a{char}", f"a{char}b", f"ab cd{char}", f"1{char} x"):
        assert escape_markdown(text) == _escape_all(text), repr(text)


_CONTEXTS = [
    "Tekst {} slutt.\n",
    "{}\n",
    "Tekst\n{}\n",
    "- {}\n",
    "| a | b |\n|---|---|\n| {} | x |\n",
    "# Tittel {}\n",
    "**{}**: forklaring\n",
    "> {}\n",
    "1. {}\n",
    "Fra x{}y til\n",
]


@settings(max_examples=1500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(_TRICKY + "!:;#")
        | st.characters(blacklist_categories=("Cs", "Co")),
        min_size=1,
        max_size=16,
    ),
    st.sampled_from(_CONTEXTS),
)
def test_a_value_shows_literally_wherever_the_template_puts_it(text: str, context: str) -> None:
    """The HTML of a letter with the value is the HTML with a plain word in its place, that
    word replaced by the value (one run of text, HTML-escaped): it formats nothing."""
    shown = " ".join(strip_invisible(text).split())
    if not shown:
        return
    value = place_values(context.replace("{}", finalize_value(text)))
    stand_in = markdown_to_html(context.replace("{}", "ZZZ"))
    expected = stand_in.replace("ZZZ", html.escape(shown, quote=True).replace("&#x27;", "'"))
    assert markdown_to_html(value) == expected
