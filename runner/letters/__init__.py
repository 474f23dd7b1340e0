"""Letters: sandboxed templates, Markdown → HTML → PDF, and the appeal deadline."""

from runner.letters.deadlines import appeal_deadline
from runner.letters.escaping import TrustedMarkdown, escape_markdown
from runner.letters.markdown import markdown_to_html
from runner.letters.pdf import PdfRenderer
from runner.letters.templates import LetterDraft, LetterTemplates

__all__ = [
    "LetterDraft",
    "LetterTemplates",
    "PdfRenderer",
    "TrustedMarkdown",
    "appeal_deadline",
    "escape_markdown",
    "markdown_to_html",
]
