"""Structured logging (structlog) whose last step before rendering redacts personal data."""

from __future__ import annotations

import logging
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal, TextIO

import structlog
from pydantic import BaseModel
from stdnum.no import fodselsnummer
from structlog.typing import EventDict, Processor, WrappedLogger

from runner.models.common import personal_field_names
from runner.models.registry import CASE_MODELS

__all__ = [
    "REDACTED",
    "THIRD_PARTY_LOGGERS",
    "clear_personal_values",
    "configure_logging",
    "get_logger",
    "personal_data_scope",
    "redact",
    "register_personal_values",
    "render_rich",
]

#: What a redacted value or passage becomes.
REDACTED = "***"

#: Libraries that may install handlers of their own; configure_logging routes them to root.
THIRD_PARTY_LOGGERS = (
    "RPA",
    "robot",
    "alembic",
    "sqlalchemy",
    "sqlalchemy.engine",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "fastapi",
    "httpx",
    "urllib3",
    "selenium",
    "py.warnings",
)

#: Keys whose values are always personal, whatever case model is registered.
_ALWAYS_PERSONAL_KEYS = frozenset(
    {"national_id", "fodselsnummer", "foedselsnummer", "d_nummer", "account_number", "kontonummer"}
)
#: Keys added by our own processors; their values never hold personal data.
_OWN_KEYS = frozenset({"timestamp", "level", "logger"})
_MAX_DEPTH = 12
_MIN_LENGTH = 3
_CACHED_LENGTH = 100
_CACHE_SIZE = 4096

# An 11-digit run, or 6 + space + 5 digits. Written out digit by digit, with no lookbehind,
# because the regex engine then scans for the first digit fast; the digit before the match
# is checked in _national_id_or_text instead.
_NATIONAL_ID_CANDIDATE = re.compile("[0-9]" * 6 + " ?" + "[0-9]" * 5 + "(?![0-9])")
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# Between the digits of a registered number: "11 500", "1234.56.78903", "11\u00a0500".
_DIGIT_SEPARATOR = "[ .\u00a0]?"
_WORD_TRIM = ",.;:()[]{}\"'"


@dataclass(frozen=True)
class _Registry:
    """The personal values of the case being processed, compiled into patterns."""

    texts: frozenset[str] = frozenset()  # anywhere, any letter case
    words: frozenset[str] = frozenset()  # whole words, as written (name and address parts)
    numbers: frozenset[str] = frozenset()  # whole digit tokens, separators allowed
    keys: frozenset[str] = _ALWAYS_PERSONAL_KEYS
    # The four patterns below, each built the first time a log line needs it: most cases
    # log nothing at the usual level, and building them for a case's values costs ~0.5 ms.
    compiled: dict[int, re.Pattern[str] | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    # Short strings repeat (event names, keys, rule ids): remember their redacted form.
    cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def _pattern(self, index: int) -> re.Pattern[str] | None:
        if index not in self.compiled:
            if index == 0:
                pattern = _compiled(_alternatives(text.lower() for text in self.texts))
            elif index == 1:
                pattern = _compiled(_alternatives(self.texts), re.IGNORECASE)
            elif index == 2:
                pattern = _compiled(_alternatives(self.words), suffix=r"(?!\w)")
            else:
                spaced = [_DIGIT_SEPARATOR.join(n) for n in _longest_first(self.numbers)]
                pattern = _compiled("|".join(spaced), suffix="(?![0-9])")
            self.compiled[index] = pattern
        return self.compiled[index]

    @property
    def lower_texts(self) -> re.Pattern[str] | None:
        """Texts, lower-cased, matched against the lower-cased line (ten times faster than
        (?i))."""
        return self._pattern(0)

    @property
    def any_case_texts(self) -> re.Pattern[str] | None:
        """Texts in any letter case, for lines whose length lower() changes."""
        return self._pattern(1)

    # Words and numbers: the character before a match is checked in Python, because a
    # lookbehind would stop the engine from skipping to the first character.
    @property
    def words_pattern(self) -> re.Pattern[str] | None:
        return self._pattern(2)

    @property
    def numbers_pattern(self) -> re.Pattern[str] | None:
        return self._pattern(3)

    def extended(
        self,
        texts: Iterable[str] = (),
        words: Iterable[str] = (),
        numbers: Iterable[str] = (),
        keys: Iterable[str] = (),
    ) -> _Registry:
        return _Registry(
            texts=self.texts | frozenset(texts),
            words=self.words | frozenset(words),
            numbers=self.numbers | frozenset(numbers),
            keys=self.keys | frozenset(keys),
        )


def _compiled(alternatives: str, flags: int = 0, suffix: str = "") -> re.Pattern[str] | None:
    return re.compile(f"(?:{alternatives}){suffix}", flags) if alternatives else None


def _longest_first(values: Iterable[str]) -> list[str]:
    return sorted(set(values), key=lambda value: (-len(value), value))


def _alternatives(values: Iterable[str]) -> str:
    return "|".join(map(re.escape, _longest_first(values)))


@cache
def _personal_names(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(personal_field_names(model))


@cache
def _base_registry() -> _Registry:
    keys: set[str] = set()
    for model in CASE_MODELS.values():
        keys |= personal_field_names(model)
    return _Registry().extended(keys=keys)


class _Pending:
    """A case's personal values not yet sorted into a registry: most cases log nothing at
    the usual level, so the work (~45 µs a case) waits for the first line that is logged.
    The case is read then, so it must not change inside its `personal_data_scope`."""

    def __init__(self, base: _Registry | _Pending, data: object, keys: frozenset[str]) -> None:
        self._base: _Registry | _Pending | None = base
        self._data = data
        self._keys = keys
        self._registry: _Registry | None = None

    def registry(self) -> _Registry:
        if self._registry is None:
            assert self._base is not None
            base = self._base.registry() if isinstance(self._base, _Pending) else self._base
            data = self._data.model_dump() if isinstance(self._data, BaseModel) else self._data
            found: list[object] = []
            _collect(data, self._keys, found, inside=False)
            self._registry = _with_values(found, self._keys, base=base)
            self._base = self._data = None  # the registry holds what is needed from now on
        return self._registry


_registry: ContextVar[_Registry | _Pending] = ContextVar("saksrobot_personal_values")


def _current() -> _Registry:
    try:
        current = _registry.get()
    except LookupError:
        return _base_registry()
    return current.registry() if isinstance(current, _Pending) else current


# --- collecting personal values ---------------------------------------------------------


def _is_whole(number: float | Decimal) -> bool:
    if isinstance(number, int):
        return True
    finite = number.is_finite() if isinstance(number, Decimal) else math.isfinite(number)
    return finite and number == int(number)


def _split(value: object, texts: set[str], words: set[str], numbers: set[str]) -> None:
    """Sort one personal value into texts, words and numbers, with its common spellings."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int | float | Decimal):
        if _is_whole(value):
            digits = str(abs(int(value)))
            if len(digits) >= _MIN_LENGTH:
                numbers.add(digits)
        else:
            text = str(value)
            texts.update({text, text.replace(".", ",")})
        return
    if isinstance(value, datetime):
        texts.add(value.isoformat())
        value = value.date()
    if isinstance(value, date):
        texts.update({value.isoformat(), value.strftime("%d.%m.%Y")})
        return
    text = str(value).strip()
    compact = re.sub(r"[ .\u00a0-]", "", text)
    if compact.isascii() and compact.isdigit():
        if len(compact) >= _MIN_LENGTH:
            numbers.add(compact)
        if compact != text and len(text) >= _MIN_LENGTH:
            texts.add(text)  # also as written, e.g. "2026-09-21"
        return
    if len(text) < _MIN_LENGTH:
        return
    texts.add(text)
    for part in text.split(","):
        if len(part.strip()) >= _MIN_LENGTH and part.strip() != text:
            _split(part.strip(), texts, words, numbers)
    tokens = text.split()
    if 1 < len(tokens) <= 4:  # names and addresses: each part counts, not only the whole
        for token in (t.strip(_WORD_TRIM) for t in tokens):
            if token.isascii() and token.isdigit():
                if len(token) >= _MIN_LENGTH:
                    numbers.add(token)
            elif len(token) >= _MIN_LENGTH and token[0].isupper():
                words.add(token)


def _collect(data: object, keys: frozenset[str], found: list[object], inside: bool) -> None:
    """Every leaf value under a personal key, at any depth of dicts and lists."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            _collect(value, keys, found, inside or key in keys)
    elif isinstance(data, list | tuple):
        for item in data:
            _collect(item, keys, found, inside)
    elif inside:
        found.append(data)


def _with_values(
    values: Iterable[object], keys: Iterable[str] = (), *, base: _Registry | None = None
) -> _Registry:
    texts: set[str] = set()
    words: set[str] = set()
    numbers: set[str] = set()
    for value in values:
        _split(value, texts, words, numbers)
    return (base or _current()).extended(texts, words, numbers, keys)


def register_personal_values(values: Iterable[object]) -> None:
    """Redact these values from every later log line in the current context.

    Strings of 3 characters or more are matched anywhere, in any letter case; numbers of
    3 digits or more as whole tokens. Prefer `personal_data_scope`, which forgets them
    again; after this function, call `clear_personal_values`.
    """
    _registry.set(_with_values(values))


def clear_personal_values() -> None:
    """Forget every value registered in the current context."""
    _registry.set(_base_registry())


@contextmanager
def personal_data_scope(
    case: BaseModel | Mapping[str, Any], model: type[BaseModel] | None = None
) -> Iterator[None]:
    """Redact the case's personal fields from every log line written inside the block.

    `case` is a validated model or a raw dict (also one that failed validation); `model`
    names the case model when `case` is a dict. The values live in a context variable, so
    concurrent cases (threads, asyncio tasks) never see each other's values; a thread
    started inside the block does not inherit them (run it with `contextvars.copy_context`).
    The values are read from the case when the block's first line is logged: do not change
    the case inside the block.
    """
    if model is None:
        if not isinstance(case, BaseModel):
            raise TypeError("personal_data_scope needs the case model class for a raw dict")
        model = type(case)
    names = _personal_names(model)
    try:
        base: _Registry | _Pending = _registry.get()
    except LookupError:
        base = _base_registry()
    token = _registry.set(_Pending(base, case, names))
    try:
        yield
    finally:
        _registry.reset(token)


# --- redaction ----------------------------------------------------------------------------


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


def _redact_texts(text: str, registry: _Registry) -> str:
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


def _redact_text(text: str, registry: _Registry) -> str:
    if len(text) > _CACHED_LENGTH:
        return _redact_uncached(text, registry)
    cache = registry.cache
    redacted = cache.get(text)
    if redacted is None:
        if len(cache) >= _CACHE_SIZE:
            cache.clear()
        redacted = cache[text] = _redact_uncached(text, registry)
    return redacted


def _redact_uncached(text: str, registry: _Registry) -> str:
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


def _is_personal(key: object, value: object, registry: _Registry) -> bool:
    return key in registry.keys and value is not None and value != ""


def _redact_value(value: Any, registry: _Registry, depth: int) -> Any:
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
    registry = _current()
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


# --- configuration ------------------------------------------------------------------------

_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
    structlog.processors.format_exc_info,
]


def configure_logging(
    level: str = "info",
    fmt: Literal["console", "json"] = "console",
    stream: TextIO | None = None,
) -> None:
    """Send structlog and the standard library's logging through one redacting handler.

    Logs go to `stream` (default stderr; stdout is kept for the CLI's --json output). The
    handler becomes the only handler of any logger that exists now or is named in
    THIRD_PARTY_LOGGERS: they all propagate to root, so no record is written unredacted.
    Call it again to change level, format or stream. A library that adds a handler later
    (uvicorn's log_config, SQLAlchemy's echo=True, alembic's fileConfig) bypasses this:
    pass log_config=None, use log levels instead of echo, and skip fileConfig.
    """
    numeric_level = logging.getLevelNamesMapping().get(level.upper())
    if numeric_level is None:
        raise ValueError(f"Unknown log level '{level}'; use debug, info, warning or error.")
    target = stream if stream is not None else sys.stderr
    renderer: Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    else:
        is_terminal = getattr(target, "isatty", None)
        renderer = structlog.dev.ConsoleRenderer(
            colors=bool(is_terminal and is_terminal()),
            exception_formatter=structlog.dev.plain_traceback,
        )
    handler = logging.StreamHandler(target)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*_SHARED[:3], structlog.stdlib.ExtraAdder(), *_SHARED[3:]],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                redact,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    existing = list(logging.Logger.manager.loggerDict.values())
    loggers = [root, *(logging.getLogger(name) for name in THIRD_PARTY_LOGGERS)]
    loggers += [item for item in existing if isinstance(item, logging.Logger)]
    for each in loggers:  # no handler but ours may write a record
        for old in list(each.handlers):
            each.removeHandler(old)
        each.propagate = True
    root.addHandler(handler)
    root.setLevel(numeric_level)
    for chatty in ("alembic", "fontTools"):  # their info lines say nothing an operator needs
        logging.getLogger(chatty).setLevel(max(numeric_level, logging.WARNING))
    logging.captureWarnings(True)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(ignore_frame_names=["runner.logs"]),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """A structlog logger; `name` defaults to the calling module's name."""
    logger: structlog.stdlib.BoundLogger = (
        structlog.stdlib.get_logger() if name is None else structlog.stdlib.get_logger(name)
    )
    return logger
