"""The public surface of runner.letters: every name in __all__ imports. (What the letters use of
other libraries is checked with the rest of runner/ in tests/test_public_apis.py.)"""

from __future__ import annotations

import importlib

import runner.letters


def test_every_public_name_imports() -> None:
    module = importlib.import_module("runner.letters")
    for name in runner.letters.__all__:
        assert getattr(module, name) is not None, name
    assert {
        "LetterTemplates",
        "LetterDraft",
        "PdfRenderer",
        "appeal_deadline",
        "markdown_to_html",
    } <= set(runner.letters.__all__)
