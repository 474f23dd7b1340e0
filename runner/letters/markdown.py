"""Letter Markdown: one CommonMark parser (tables on, raw HTML off) for HTML and PDF alike."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["markdown_to_html", "parse_markdown"]

# "commonmark" with raw HTML disabled: a `<script>` a caseworker or template writes is shown
# as text. markdown-it's own link validation refuses javascript:, vbscript:, file: and data:
# links. A line break inside a paragraph is a line break in the letter (`breaks`), as the
# caseworker who types it expects: no backslash at the end of a line. A parse keeps no state
# in the parser, so one parser serves every letter.
_PARSER = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")


def parse_markdown(markdown: str) -> list[Token]:
    """The block and inline tokens of a letter, as markdown-it gives them."""
    return _PARSER.parse(markdown)


def markdown_to_html(markdown: str) -> str:
    """The letter as an HTML fragment, for the review page and e-mail bodies."""
    html: str = _PARSER.render(markdown)
    return html
