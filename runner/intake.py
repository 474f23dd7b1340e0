"""Turn a raw item's bytes into a validated case model, or into a list of field problems."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError

from runner.errors import CaseValidationError, FieldProblem
from runner.models.registry import CASE_MODELS
from runner.problems import VALIDATION, problem

MAX_DEPTH = 12
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _problem(location: str, item: Any) -> FieldProblem:
    """A pydantic error as a problem: by its type's words (runner/problems.py VALIDATION,
    pydantic's types and our validators'), its context the values; a type without words
    keeps its own message."""
    kind = str(item["type"])
    if kind in VALIDATION:
        context = {
            key: _plain(value) for key, value in (item.get("ctx") or {}).items() if key != "error"
        }
        try:
            return problem(kind, location, **context)
        except (KeyError, IndexError, ValueError):
            pass  # a context the words do not fit
    message = str(item["msg"]).removeprefix("Value error, ")
    return FieldProblem(location, message, "rett verdien")


def _plain(value: Any) -> Any:
    """A context value as shown: whole numbers without decimals, pydantic's list of allowed
    values ("'a', 'b' or 'c'") with Norwegian "eller"."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    return str(value).replace("' or '", "' eller '")


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _depth(value: Any, limit: int) -> int:
    """Depth of nested containers, stopping early once past the limit."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _control_characters(value: Any, path: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(value, str):
        if _CONTROL.search(value):
            found.append(path)
    elif isinstance(value, dict):
        for key, child in value.items():
            found.extend(_control_characters(child, f"{path}.{key}" if path else str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_control_characters(child, f"{path}[{index}]"))
    return found


#: The json module's messages (English) as the words for them; any other is left out (the
#: line and column are still named).
JSON_ERRORS = {
    "Expecting value": "json_expecting_value",
    "Expecting property name enclosed in double quotes": "json_expecting_name",
    "Expecting ':' delimiter": "json_expecting_colon",
    "Expecting ',' delimiter": "json_expecting_comma",
    "Unterminated string starting at": "json_unterminated",
    "Invalid control character at": "json_control",
    "Invalid \\escape": "json_escape",
    "Extra data": "json_extra",
    "Illegal trailing comma before end of object": "json_comma_object",
    "Illegal trailing comma before end of array": "json_comma_array",
}


def parse_json_object(source: str, content: bytes) -> dict[str, Any]:
    """Decode UTF-8 JSON strictly; raise CaseValidationError naming what is wrong."""

    def fail(name: str, location: str = "", /, **values: object) -> CaseValidationError:
        return CaseValidationError(source, [problem(name, location, **values)])

    if not content.strip():
        raise fail("file_empty")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise fail("not_utf8", byte=error.start) from error
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as error:
        raise fail("duplicate_key", str(error.args[0]), key=str(error.args[0])) from error
    except json.JSONDecodeError as error:
        key = JSON_ERRORS.get(error.msg, "json_invalid")
        raise fail(key, line=error.lineno, column=error.colno) from error
    except RecursionError as error:
        raise fail("json_too_deep", depth=MAX_DEPTH) from error
    if not isinstance(value, dict):
        raise fail("json_not_object", kind=type(value).__name__)
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise fail("json_too_deep", depth=MAX_DEPTH)
    bad = _control_characters(value)
    if bad:
        raise CaseValidationError(source, [problem("control_characters", path) for path in bad])
    return value


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def problems_from(error: ValidationError) -> list[FieldProblem]:
    """One FieldProblem per pydantic error, with the JSON path and a fix in Norwegian."""
    return [_problem(_location(item["loc"]), item) for item in error.errors(include_url=False)]


def validate_case(source: str, content: bytes, expected_case_type: str) -> BaseModel:
    """Parse and validate a raw item as a case of the robot's case type."""
    data = parse_json_object(source, content)
    case_type = data.get("case_type")
    if not isinstance(case_type, str) or case_type not in CASE_MODELS:
        known = ", ".join(sorted(CASE_MODELS))
        shown = json.dumps(case_type, ensure_ascii=False)[:60]
        found = (
            problem("case_type_missing", "case_type", known=known)
            if case_type is None
            else problem("case_type_unknown", "case_type", shown=shown, known=known)
        )
        raise CaseValidationError(source, [found])
    if case_type != expected_case_type:
        raise CaseValidationError(
            source, [problem("case_type_other_robot", "case_type", case_type=case_type)]
        )
    model = CASE_MODELS[case_type]
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise CaseValidationError(source, problems_from(error)) from error


def validate_mapped(
    source: str, case: Mapping[str, Any], case_model: str, origins: Mapping[str, str]
) -> BaseModel:
    """Validate a case a source mapped from its own document (NAV søknad, DiBK form): a
    problem names the document's own field (`origins`: case field → where it came from)
    beside the case field, so the sender can find it."""
    mapped = json.dumps(case, ensure_ascii=False).encode("utf-8")
    try:
        return validate_case(source, mapped, case_model)
    except CaseValidationError as error:
        problems = [replace(p, location=_origin(p.location, origins)) for p in error.problems]
        raise CaseValidationError(source, problems) from error


def _origin(location: str, origins: Mapping[str, str]) -> str:
    for field in sorted(origins, key=len, reverse=True):
        if location == field or location.startswith(field + "."):
            return f"{origins[field]} ({location})"
    return location
