"""The personal values of the case being processed, which log lines must not show.

`personal_data_scope` (or `register_personal_values`) sorts a case's personal fields into
texts, words and numbers, each compiled into a pattern the first time a line is logged, and
keeps them in a context variable, so concurrent cases never see each other's values.
`current_values` is what the redaction (processor.py) matches against.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel

from runner.models.common import personal_field_names
from runner.models.registry import CASE_MODELS

__all__ = [
    "PersonalValues",
    "clear_personal_values",
    "current_values",
    "personal_data_scope",
    "register_personal_values",
]

#: Keys whose values are always personal, whatever case model is registered.
_ALWAYS_PERSONAL_KEYS = frozenset(
    {"national_id", "fodselsnummer", "foedselsnummer", "d_nummer", "account_number", "kontonummer"}
)
#: Shortest text or number (in characters or digits) registered as a personal value.
_MIN_LENGTH = 3
# Between the digits of a registered number: "11 500", "1234.56.78903", "11\u00a0500".
_DIGIT_SEPARATOR = "[ .\u00a0]?"
_WORD_TRIM = ",.;:()[]{}\"'"


@dataclass(frozen=True)
class PersonalValues:
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
    ) -> PersonalValues:
        return PersonalValues(
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
def _base_registry() -> PersonalValues:
    keys: set[str] = set()
    for model in CASE_MODELS.values():
        keys |= personal_field_names(model)
    return PersonalValues().extended(keys=keys)


class _Pending:
    """A case's personal values not yet sorted into a registry: most cases log nothing at
    the usual level, so the work (~45 µs a case) waits for the first line that is logged.
    The case is read then, so it must not change inside its `personal_data_scope`."""

    def __init__(self, base: PersonalValues | _Pending, data: object, keys: frozenset[str]) -> None:
        self._base: PersonalValues | _Pending | None = base
        self._data = data
        self._keys = keys
        self._registry: PersonalValues | None = None

    def registry(self) -> PersonalValues:
        if self._registry is None:
            assert self._base is not None
            base = self._base.registry() if isinstance(self._base, _Pending) else self._base
            data = self._data.model_dump() if isinstance(self._data, BaseModel) else self._data
            found: list[object] = []
            _collect(data, self._keys, found, inside=False)
            self._registry = _with_values(found, self._keys, base=base)
            self._base = self._data = None  # the registry holds what is needed from now on
        return self._registry


_registry: ContextVar[PersonalValues | _Pending] = ContextVar("saksrobot_personal_values")


def current_values() -> PersonalValues:
    """The personal values registered in the current context (the base ones if none)."""
    try:
        current = _registry.get()
    except LookupError:
        return _base_registry()
    return current.registry() if isinstance(current, _Pending) else current


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
    values: Iterable[object], keys: Iterable[str] = (), *, base: PersonalValues | None = None
) -> PersonalValues:
    texts: set[str] = set()
    words: set[str] = set()
    numbers: set[str] = set()
    for value in values:
        _split(value, texts, words, numbers)
    return (base or current_values()).extended(texts, words, numbers, keys)


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
        base: PersonalValues | _Pending = _registry.get()
    except LookupError:
        base = _base_registry()
    token = _registry.set(_Pending(base, case, names))
    try:
        yield
    finally:
        _registry.reset(token)
