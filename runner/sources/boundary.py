"""The item boundary of a source: any exception while reading, parsing or mapping one item
becomes that item's error (quarantined with a Norwegian reason), never the run's.

Our own errors pass through unchanged (they already say what is wrong and how to fix it), and
so do OSError (disk, temp files: the pipeline retries and parks those). Everything else a
library raises on a hostile item (UnicodeDecodeError, TypeError, a ValueError from Python's
integer-digit limit, RecursionError ...) is turned into an `UnreadableItemError` naming what
could not be read, with the exception type and a traceback without messages for the operator.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from runner.errors import FieldProblem, SaksrobotError, UnreadableItemError
from runner.logs import get_logger
from runner.problems import PROBLEMS, problem

log = get_logger("saksrobot.sources.boundary")
T = TypeVar("T")

#: The fix when nobody knows a better one: the sender corrects the item, the operator looks.
GENERAL_FIX = PROBLEMS["item_unexpected"][1][0]  # in bokmål, for the sources' own messages


def redacted_trace(error: BaseException) -> list[str]:
    """The traceback as 'file:line in function' frames, without messages or source lines
    (a message may quote the item, e.g. the bytes a codec failed on)."""
    frames = traceback.extract_tb(error.__traceback__)
    return [f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}" for f in frames]


def too_many_digits(content: bytes) -> bool:
    """Whether the content holds a run of digits longer than Python turns into an integer."""
    limit = sys.get_int_max_str_digits()
    return limit > 0 and re.search(rb"\d{%d}" % (limit + 1), content) is not None


def unexpected_problem(error: BaseException, content: bytes = b"") -> FieldProblem:
    """What a caseworker reads about an exception nobody foresaw, in Norwegian."""
    if isinstance(error, ValueError) and too_many_digits(content):
        return problem("item_too_many_digits", digits=sys.get_int_max_str_digits())
    if isinstance(error, UnicodeError):
        return problem("item_encoding")
    if isinstance(error, RecursionError):
        return problem("item_too_deep")
    if isinstance(error, MemoryError):
        return problem("item_too_large")
    return problem("item_unexpected", error=type(error).__name__)


def unreadable(source: str, error: BaseException, content: bytes = b"") -> UnreadableItemError:
    """The item's error for an exception nobody foresaw; logged with a redacted traceback."""
    trace = redacted_trace(error)
    log.warning("item_unreadable", source_ref=source, exception=type(error).__name__, trace=trace)
    return UnreadableItemError(
        source,
        [unexpected_problem(error, content)],
        exception_type=type(error).__name__,
        trace=trace,
    )


def guarded(source: str, content: bytes, action: Callable[[], T]) -> T:
    """action(), with any exception but our own and OSError turned into the item's error."""
    try:
        return action()
    except (SaksrobotError, OSError):
        raise
    except Exception as error:
        raise unreadable(source, error, content) from error
