"""Redaction of personal data from log lines: every valid fødselsnummer and D-nummer, and
the personal values (names, addresses, numbers, dates) of the case being processed.

`personal_data_scope` registers a case's personal fields for the lines logged inside it
(values.py); `redact` is the structlog processor that replaces them with *** (processor.py).
runner/logs.py puts it last but one in every log line's way out.
"""

from runner.redaction.processor import REDACTED, redact, render_rich
from runner.redaction.values import (
    clear_personal_values,
    personal_data_scope,
    register_personal_values,
)

__all__ = [
    "REDACTED",
    "clear_personal_values",
    "personal_data_scope",
    "redact",
    "register_personal_values",
    "render_rich",
]
