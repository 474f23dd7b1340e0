"""Turn a raw item's bytes into a validated case model, or into a list of field problems."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from runner.errors import CaseValidationError, FieldProblem
from runner.models.registry import CASE_MODELS

MAX_DEPTH = 12
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_FIXES = {
    "missing": "legg til feltet",
    "extra_forbidden": "fjern feltet, eller sjekk stavemåten",
    "bool_type": "bruk true eller false",
    "int_type": "bruk et heltall",
    "int_parsing": "bruk et heltall",
    "float_type": "bruk et tall med punktum som desimaltegn",
    "float_parsing": "bruk et tall med punktum som desimaltegn",
    "string_type": "bruk tekst i anførselstegn",
    "greater_than_equal": "verdien kan ikke være negativ eller så liten",
    "less_than_equal": "verdien er urimelig stor; sjekk enheten (meter, m²)",
    "datetime_from_date_parsing": "bruk ISO 8601 med tidssone, f.eks. 2026-09-21T14:02:00+02:00",
    "datetime_parsing": "bruk ISO 8601 med tidssone, f.eks. 2026-09-21T14:02:00+02:00",
    "date_from_datetime_parsing": "bruk dato på formen ÅÅÅÅ-MM-DD",
    "enum": "bruk en av de tillatte verdiene",
    "literal_error": "bruk en av de tillatte verdiene",
    "string_pattern_mismatch": "følg formatet som er beskrevet",
    "too_long": "korte ned verdien",
    "string_too_long": "korte ned teksten",
}


#: pydantic's error types in Norwegian; {name} is filled from the error's context.
_REASONS = {
    "missing": "feltet mangler",
    "extra_forbidden": "feltet er ukjent",
    "bool_type": "skal være true eller false",
    "bool_parsing": "skal være true eller false",
    "int_type": "skal være et heltall",
    "int_parsing": "skal være et heltall",
    "int_from_float": "skal være et heltall, ikke et desimaltall",
    "float_type": "skal være et tall",
    "float_parsing": "skal være et tall",
    "finite_number": "skal være et endelig tall",
    "string_type": "skal være tekst",
    "dict_type": "skal være et objekt ({ ... })",
    "model_type": "skal være et objekt ({ ... })",
    "model_attributes_type": "skal være et objekt ({ ... })",
    "list_type": "skal være en liste ([ ... ])",
    "greater_than_equal": "verdien er for liten; den må være minst {ge}",
    "greater_than": "verdien er for liten; den må være over {gt}",
    "less_than_equal": "verdien er urimelig stor; den kan være høyst {le}",
    "less_than": "verdien er urimelig stor; den må være under {lt}",
    "string_too_long": "teksten er for lang; høyst {max_length} tegn",
    "string_too_short": "teksten er for kort; minst {min_length} tegn",
    "too_long": "for mange elementer; høyst {max_length}",
    "string_pattern_mismatch": "har feil format",
    "enum": "ukjent verdi; tillatt er {expected}",
    "literal_error": "ukjent verdi; tillatt er {expected}",
    "date_type": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_parsing": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "skal være en dato (ÅÅÅÅ-MM-DD)",
    "datetime_type": "skal være et tidspunkt med tidssone",
    "datetime_parsing": "skal være et tidspunkt med tidssone",
    "datetime_from_date_parsing": "skal være et tidspunkt med tidssone",
}


def _reason(item: Any) -> str:
    """The pydantic error in Norwegian when its type is known, else its own message."""
    message = str(item["msg"]).removeprefix("Value error, ")
    template = _REASONS.get(item["type"])
    if template is None:
        return message
    try:
        context = {
            key: int(value) if isinstance(value, float) and value.is_integer() else value
            for key, value in (item.get("ctx") or {}).items()
        }
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return message


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


#: The json module's messages (English) as the quarantine's reader reads them; any other is
#: left out (the line and column are still named).
JSON_ERRORS = {
    "Expecting value": "her mangler en verdi",
    "Expecting property name enclosed in double quotes": (
        "her skal det stå et feltnavn i doble anførselstegn"
    ),
    "Expecting ':' delimiter": "her mangler et kolon",
    "Expecting ',' delimiter": "her mangler et komma",
    "Unterminated string starting at": "en tekst her mangler det avsluttende anførselstegnet",
    "Invalid control character at": "et kontrolltegn står midt i en tekst",
    "Invalid \\escape": "en ugyldig omvendt skråstrek (\\) står i en tekst",
    "Extra data": "det står mer etter JSON-objektet",
    "Illegal trailing comma before end of object": "et komma står foran }",
    "Illegal trailing comma before end of array": "et komma står foran ]",
}


def parse_json_object(source: str, content: bytes) -> dict[str, Any]:
    """Decode UTF-8 JSON strictly; raise CaseValidationError naming what is wrong."""

    def fail(reason: str, fix: str, location: str = "") -> CaseValidationError:
        return CaseValidationError(source, [FieldProblem(location, reason, fix)])

    if not content.strip():
        raise fail("filen er tom", "send inn en JSON-fil med saken")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise fail(
            f"filen er ikke gyldig UTF-8 (byte {error.start})",
            "lagre filen som UTF-8",
        ) from error
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as error:
        raise fail(
            f"nøkkelen '{error.args[0]}' står to ganger i samme objekt",
            "fjern den ene forekomsten",
            str(error.args[0]),
        ) from error
    except json.JSONDecodeError as error:
        raise fail(
            f"ugyldig JSON på linje {error.lineno}, kolonne {error.colno}"
            + (f": {JSON_ERRORS[error.msg]}" if error.msg in JSON_ERRORS else ""),
            "rett syntaksen (komma, anførselstegn, klammer)",
        ) from error
    except RecursionError as error:
        raise fail("JSON er nøstet for dypt", f"saken kan ha høyst {MAX_DEPTH} nivåer") from error
    if not isinstance(value, dict):
        raise fail(
            f"toppnivået er {type(value).__name__}, ikke et JSON-objekt",
            'filen skal inneholde ett objekt: { "case_type": ..., ... }',
        )
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise fail("JSON er nøstet for dypt", f"saken kan ha høyst {MAX_DEPTH} nivåer")
    bad = _control_characters(value)
    if bad:
        raise CaseValidationError(
            source,
            [
                FieldProblem(path, "teksten inneholder kontrolltegn", "fjern usynlige tegn")
                for path in bad
            ],
        )
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
    problems = []
    for item in error.errors(include_url=False):
        problems.append(
            FieldProblem(
                _location(item["loc"]), _reason(item), _FIXES.get(item["type"], "rett verdien")
            )
        )
    return problems


def validate_case(source: str, content: bytes, expected_case_type: str) -> BaseModel:
    """Parse and validate a raw item as a case of the robot's case type."""
    data = parse_json_object(source, content)
    case_type = data.get("case_type")
    if not isinstance(case_type, str) or case_type not in CASE_MODELS:
        known = ", ".join(sorted(CASE_MODELS))
        shown = json.dumps(case_type, ensure_ascii=False)[:60]
        reason = "feltet mangler" if case_type is None else f"ukjent sakstype {shown}"
        raise CaseValidationError(
            source, [FieldProblem("case_type", reason, f"bruk en av: {known}")]
        )
    if case_type != expected_case_type:
        raise CaseValidationError(
            source,
            [
                FieldProblem(
                    "case_type",
                    f"sakstypen '{case_type}' hører ikke til denne roboten",
                    f"legg saken i innboksen for '{case_type}'",
                )
            ],
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
        problems = [
            FieldProblem(_origin(p.location, origins), p.reason, p.fix) for p in error.problems
        ]
        raise CaseValidationError(source, problems) from error


def _origin(location: str, origins: Mapping[str, str]) -> str:
    for field in sorted(origins, key=len, reverse=True):
        if location == field or location.startswith(field + "."):
            return f"{origins[field]} ({location})"
    return location

