"""The item boundary: an exception nobody foresaw becomes the item's error, without its message."""

from __future__ import annotations

import re

import pytest

from runner.errors import CaseValidationError, SourceError, UnreadableItemError
from runner.sources.boundary import guarded


def _fails(error: BaseException) -> object:
    def action() -> object:
        raise error

    return action


def test_a_foreign_exception_becomes_the_items_error_without_its_message() -> None:
    secret = "fødselsnummer 23060661723"
    with pytest.raises(UnreadableItemError) as caught:
        guarded("a.json", b"{}", _fails(TypeError(secret)))  # type: ignore[arg-type]
    error = caught.value
    assert isinstance(error, CaseValidationError)  # the pipeline quarantines it
    assert error.exception_type == "TypeError"
    assert error.trace[-1].startswith("test_boundary.py:")  # file:line in function, no text
    assert all(re.fullmatch(r"[\w.]+:\d+ in [\w<>]+", frame) for frame in error.trace)
    assert secret not in str(error.as_dict())
    (problem,) = error.problems
    assert "TypeError" in problem.reason and problem.fix


def test_too_many_digits_and_bad_encodings_say_what_is_wrong() -> None:
    with pytest.raises(UnreadableItemError) as caught:
        guarded("a.json", b'{"a": ' + b"9" * 5000 + b"}", _fails(ValueError("digits")))  # type: ignore[arg-type]
    assert "sifre" in caught.value.problems[0].reason
    with pytest.raises(UnreadableItemError) as caught:
        guarded("a.pdf", b"", _fails(UnicodeDecodeError("utf-16", b"\x00", 0, 1, "x")))  # type: ignore[arg-type]
    assert "tegnkoding" in caught.value.problems[0].reason


@pytest.mark.parametrize("error", [SourceError("disk"), OSError(28, "No space left")])
def test_our_errors_and_os_errors_pass_through(error: Exception) -> None:
    with pytest.raises(type(error)):
        guarded("a.json", b"{}", _fails(error))  # type: ignore[arg-type]
