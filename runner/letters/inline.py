"""The inline tokens of letter text, parsed a sentence at a time and remembered per sentence.

A list item or paragraph that carries a case's own numbers or names still shares most of
its sentences with other letters ("**Avstand til nabogrensa**: … Heimel: [pbl. § 29-4](…)."),
and links, the costliest part of inline parsing, sit in the shared sentences. So the text is
cut after ". ", ": " or "; " where nothing from one side can reach the other, each part is
parsed alone and remembered, and the parts' tokens put together give what markdown-it gives
for the whole text (adjacent text tokens are not joined: `_inline_spans` joins them, as
markdown-it's `text_join` would).

A cut at position k is safe because:

- nothing before k can reach past it: the text before has no ``[`` (links and images),
  `````` ` `````` (code spans), ``<`` (autolinks) or ``&`` (entities), whose rules look ahead;
  the character before k is a space, so no escape, line break or emphasis run ends at k;
- nothing after k looks back past it: the character at k starts no emphasis run and is no
  line break, so neither the emphasis flanking rules nor the hard-break rule (which look at
  the previous characters) see the text before; both sides treat the edge as a space;
- emphasis is paired across the whole text, but a closing ``*`` or ``_`` only pairs with an
  opener before it that is still unpaired; the text before k is kept whole unless parsing
  it alone leaves no ``*`` or ``_`` as text (every run in it was paired within it).
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it.token import Token

from runner.letters.markdown import inline_tokens

__all__ = ["inline_children"]

#: Sentence parts whose tokens are remembered (the least recently used are forgotten first).
PART_CACHE_SIZE = 8192

#: Where the text may be cut: after ". ", ": " or "; ", before a character that is not a
#: space, line break or emphasis marker.
_CUT = re.compile(r"[.:;] (?=[^\s*_])")

#: After the first of these nothing more is cut: their rules look ahead in the text.
_LOOKS_AHEAD = re.compile(r"[\[`<&]")


def inline_children(content: str) -> list[Token]:
    """The inline tokens of `content`, as markdown-it's inline parser gives them before
    `text_join`. The tokens are shared and must not be changed."""
    stop = _LOOKS_AHEAD.search(content)
    end = stop.start() + 1 if stop else len(content)  # a cut may come right before it
    children: list[Token] = []
    start = 0
    for cut in _CUT.finditer(content, 0, end):
        part = content[start : cut.end()]
        tokens = _part_tokens(part)
        if ("*" in part or "_" in part) and _unpaired_marker(tokens):
            continue  # an emphasis marker before the cut might pair with one after it
        children += tokens
        start = cut.end()
    children += _part_tokens(content[start:])
    return children


@lru_cache(maxsize=PART_CACHE_SIZE)
def _part_tokens(part: str) -> tuple[Token, ...]:
    """The inline tokens of one part parsed alone."""
    if not part:
        return ()
    return tuple(inline_tokens(part))


def _unpaired_marker(tokens: tuple[Token, ...]) -> bool:
    """Whether an emphasis marker stayed text (unpaired, escaped or inside a word)."""
    return any(
        token.type in ("text", "text_special") and ("*" in token.content or "_" in token.content)
        for token in tokens
    )
