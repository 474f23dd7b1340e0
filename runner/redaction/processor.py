"""The structlog processor that redacts a log line: every valid fødselsnummer and D-nummer,
and the personal values of the case being processed (values.py), become ***.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from stdnum.no import fodselsnummer
from structlog.typing import EventDict, WrappedLogger

from runner.redaction.values import PersonalValues, current_values

__all__ = ["REDACTED", "redact", "render_rich"]

#: What a redacted value or passage becomes.
REDACTED = "***"
#: Keys added by our own processors; their values never hold personal data.
_OWN_KEYS = frozenset({"timestamp", "level", "logger"})
_MAX_DEPTH = 12
_CACHED_LENGTH = 100
_CACHE_SIZE = 4096
# An 11-digit run, or 6 + space + 5 digits. Written out digit by digit, with no lookbehind,
# because the regex engine then scans for the first digit fast; the digit before the match
# is checked in _national_id_or_text instead.
_NATIONAL_ID_CANDIDATE = re.compile("[0-9]" * 6 + " ?" + "[0-9]" * 5 + "(?![0-9])")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def _follows(match: re.Match[str], is_joined: Callable[[str], bool]) -> bool:
    """Whether the match continues a run (a digit before a number, a letter before a word)."""
    start = match.start()
    return start > 0 and is_joined(match.string[start - 1])


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _national_id_or_text(match: re.Match[str]) -> str:
    found = match.group()
    if _follows(match, _is_digit) or not fodselsnummer.is_valid(found.replace(" ", "")):
        return found
    return REDACTED


def _word_or_text(match: re.Match[str]) -> str:
    return match.group() if _follows(match, _is_word_char) else REDACTED


def _number_or_text(match: re.Match[str]) -> str:
    return match.group() if _follows(match, _is_digit) else REDACTED


def _redact_texts(text: str, registry: PersonalValues) -> str:
    assert registry.lower_texts is not None and registry.any_case_texts is not None
    lowered = text.lower()
    if len(lowered) != len(text):
        return registry.any_case_texts.sub(REDACTED, text)
    parts: list[str] = []
    end = 0
    for match in registry.lower_texts.finditer(lowered):
        parts += (text[end : match.start()], REDACTED)
        end = match.end()
    if not parts:
        return text
    parts.append(text[end:])
    return "".join(parts)


def _redact_text(text: str, registry: PersonalValues) -> str:
    if len(text) > _CACHED_LENGTH:
        return _redact_uncached(text, registry)
    cache = registry.cache
    redacted = cache.get(text)
    if redacted is None:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        redacted = cache[text] = _redact_uncached(text, registry)
    return redacted


def _redact_uncached(text: str, registry: PersonalValues) -> str:
    if "\x1b" in text:  # rich or colour output: colour codes could split a number
        text = _ANSI_ESCAPE.sub("", text)
    if len(text) >= 11:
        text = _NATIONAL_ID_CANDIDATE.sub(_national_id_or_text, text)
    if registry.lower_texts is not None:
        text = _redact_texts(text, registry)
    if registry.words_pattern is not None:
        text = registry.words_pattern.sub(_word_or_text, text)
    if registry.numbers_pattern is not None:
        text = registry.numbers_pattern.sub(_number_or_text, text)
    return text


def _is_personal(key: object, value: object, registry: PersonalValues) -> bool:
    return key in registry.keys and value is not None and value != ""


def _redact_value(value: Any, registry: PersonalValues, depth: int) -> Any:
    if isinstance(value, str):
        return _redact_text(value, registry)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        text = str(value)
        return value if _redact_text(text, registry) == text else REDACTED
    if depth > _MAX_DEPTH:
        return _redact_text(repr(value), registry)
    if isinstance(value, Mapping):
        return {
            (_redact_text(key, registry) if isinstance(key, str) else key): (
                REDACTED
                if _is_personal(key, item, registry)
                else _redact_value(item, registry, depth + 1)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = [_redact_value(item, registry, depth + 1) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, BaseModel):
        return _redact_value(value.model_dump(mode="json"), registry, depth + 1)
    if hasattr(value, "__rich_console__") or hasattr(value, "__rich__"):
        return _redact_text(render_rich(value), registry)
    # Renderers print other objects by repr(); redact that text, keep the object if clean.
    text = repr(value)
    redacted = _redact_text(text, registry)
    return value if redacted == text else redacted


def redact(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: fødselsnummer, D-nummer and registered personal values → ***.

    Runs last but one, after exceptions and stacks are formatted into strings. If redaction
    itself fails, the line is withheld rather than written unredacted.
    """
    registry = current_values()
    try:
        return {
            key: (
                value
                if key in _OWN_KEYS
                else REDACTED
                if _is_personal(key, value, registry)
                else _redact_value(value, registry, 0)
            )
            for key, value in event_dict.items()
        }
    except Exception as error:  # never let an unredacted line through
        return {
            "event": "log line withheld: redaction failed",
            "level": event_dict.get("level", method_name),
            "timestamp": event_dict.get("timestamp"),
            "redaction_error": type(error).__name__,
        }


def render_rich(renderable: Any, width: int = 120) -> str:
    """Render a rich table, text or panel to plain text (which log redaction then sees)."""
    from rich.console import Console

    console = Console(width=width, color_system=None, force_terminal=False, soft_wrap=False)
    with console.capture() as captured:
        console.print(renderable)
    return captured.get().rstrip("\n")
