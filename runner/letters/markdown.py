"""Letter Markdown: one CommonMark parser (tables on, raw HTML off) for HTML and PDF alike."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import inline as parse_inline
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

__all__ = ["inline_tokens", "markdown_to_html", "parse_block_tokens", "parse_markdown"]

#: Paragraphs whose inline tokens are remembered before the parser starts over.
INLINE_CACHE_SIZE = 4096


class _InlineCache:
    """The inline tokens of paragraphs already parsed, by their text.

    Letters from one template share most paragraphs word for word (conditions, the right
    to appeal, the greeting), and inline parsing is most of markdown-it's time. A paragraph
    parses the same wherever it stands, unless the document defines link references, so a
    document with references is parsed in full. The tokens are kept as finished (after
    markdown-it's `text_join`) and shared between documents: nothing that reads a parse
    changes them (markdown-it's HTML renderer sets an image's alt text, so paragraphs with
    images are not kept).
    """

    def __init__(self) -> None:
        self._children: dict[str, list[Token]] = {}

    def take(self, state: StateCore) -> None:
        """Replaces markdown-it's "inline" rule: known paragraphs get their tokens back."""
        if state.env.get("references"):
            parse_inline(state)
            return
        for token in state.tokens:
            if token.type != "inline":
                continue
            known = self._children.get(token.content)
            if known is not None:
                token.children = list(known)
            else:
                token.children = []
                state.md.inline.parse(token.content, state.md, state.env, token.children)

    def keep(self, state: StateCore) -> None:
        """After "text_join": remember the finished tokens of paragraphs parsed just now."""
        if state.env.get("references"):
            return
        for token in state.tokens:
            if token.type != "inline" or token.content in self._children:
                continue
            children = token.children or []
            if any(child.type == "image" for child in children):
                continue  # the HTML renderer writes an image's alt text into its token
            if len(self._children) >= INLINE_CACHE_SIZE:
                self._children.clear()
            self._children[token.content] = list(children)


def _configured() -> MarkdownIt:
    # "commonmark" with raw HTML disabled: a `<script>` a caseworker or template writes is
    # shown as text. markdown-it's own link validation refuses javascript:, vbscript:,
    # file: and data: links.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = _configured()
    cache = _InlineCache()
    parser.core.ruler.at("inline", cache.take)
    parser.core.ruler.push("inline_cache", cache.keep)
    return parser


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    """The same parser without its inline rules: for callers that parse inline text
    themselves (the PDF's blocks, a sentence at a time)."""
    return _configured().disable(["inline", "text_join"])


def parse_markdown(markdown: str) -> list[Token]:
    """The block and inline tokens of a letter, as markdown-it gives them."""
    return _parser().parse(markdown)


def parse_block_tokens(markdown: str) -> list[Token]:
    """The block tokens of `markdown`; its "inline" tokens have their text, no children yet."""
    return _block_parser().parse(markdown)


def inline_tokens(content: str) -> list[Token]:
    """The inline tokens of the text of one paragraph, heading or table cell, as markdown-it
    gives them before joining adjacent text (its `text_join` rule), with no link references."""
    parser = _block_parser()
    tokens: list[Token] = []
    parser.inline.parse(content, parser, {}, tokens)
    return tokens


def markdown_to_html(markdown: str) -> str:
    """The letter as an HTML fragment, for the review page and e-mail bodies."""
    html: str = _parser().render(markdown)
    return html
