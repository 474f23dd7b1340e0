"""Letter Markdown to HTML: CommonMark with tables, raw HTML shown as text."""

from __future__ import annotations

from runner.letters import markdown_to_html


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
