"""Text a caseworker must write before a letter may be approved.

A template marks it as `[[what to write]]`. Values put into a template are escaped (`\\[`),
so only a template (never an application's text) can make a placeholder. A letter that still
holds one cannot be approved (runner/web/actions.py).
"""

from __future__ import annotations

import re

__all__ = ["open_placeholders"]

_PLACEHOLDER = re.compile(r"(?<!\\)\[\[(?P<hint>.+?)(?<!\\)\]\]", re.DOTALL)


def open_placeholders(markdown: str) -> list[str]:
    """The hints of the placeholders still in `markdown`, in order (empty: none left)."""
    return [" ".join(match.group("hint").split()) for match in _PLACEHOLDER.finditer(markdown)]
