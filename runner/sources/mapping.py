"""Field mappings: named values from a form or a sheet row become a case object, with types."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from runner.errors import CaseValidationError, FieldProblem
from runner.models.common import FrozenModel
from runner.problems import VALUE_REASONS, fill, problem

OSLO = ZoneInfo("Europe/Oslo")
CasePath = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")]
ValueType = Literal["text", "number", "integer", "bool", "checkbox", "date", "datetime"]

_TRUE = {"ja", "yes", "true", "1", "x", "on", "/yes", "/on", "sant"}
_FALSE = {"nei", "no", "false", "0", "off", "/off", "usant"}
_UNKNOWN = {"ukjent", "vet ikkje", "vet ikke", "uavklart"}


class FieldMap(FrozenModel):
    """Where one source value (form field or column) goes in the case, and its type."""

    to: CasePath
    type: ValueType = "text"
    when_empty: Literal["error", "null", "omit"] = "error"
    #: The form or sheet may lack this field altogether (one made before it was added, such
    #: as the position fields): then it is left out, as an empty `omit` field is.
    optional: bool = False


class CaseMapping(FrozenModel):
    """How named source values become a case: fields, constants and a generated reference."""

    fields: dict[str, FieldMap | CasePath] = Field(min_length=1)
    constants: dict[CasePath, Any] = Field(default_factory=dict)
    reference_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,40}$")] = "S-"
    received_at: CasePath = Field(
        default="received_at",
        description="Case path set to the time the item arrived when no field gives it",
    )

    def field_maps(self) -> dict[str, FieldMap]:
        return {
            name: spec if isinstance(spec, FieldMap) else FieldMap(to=spec)
            for name, spec in self.fields.items()
        }


class EmptyValue(ValueError):
    """The source value is empty."""


class BadValue(ValueError):
    """A source value that is not of its field's type: `reason` names what is wrong
    (runner/problems.py VALUE_REASONS), `value` is the value as shown (cut to 40 characters);
    the message is the reason in bokmål."""

    def __init__(self, reason: str, value: object = "") -> None:
        self.reason = reason
        self.value = str(value)[:40]
        super().__init__(fill(VALUE_REASONS[reason][0], {"value": self.value}, "nb"))


@dataclass(frozen=True)
class Unreadable:
    """A source value that could not be decoded: a problem only where the mapping reads that
    field, named by the field. `key` names its words (runner/problems.py FORMS), `error` the
    exception's type where one is named."""

    key: str
    error: str = ""


def convert_value(value: object, kind: ValueType) -> Any:
    """Convert one raw value (text from a form, a cell) to the JSON value the case model reads."""
    if isinstance(value, str):
        value = value.strip()
    if kind == "checkbox":
        return value not in (None, "", "/Off", "Off", False) and _truth(value) is not False
    if value is None or value == "":
        raise EmptyValue("feltet er tomt")
    if kind == "text":
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if kind in ("number", "integer"):
        number = _number(value)
        if kind == "integer":
            if not float(number).is_integer():
                raise BadValue("not_integer", value)
            return int(number)
        return number
    if kind == "bool":
        truth = _truth(value)
        if truth is None and str(value).lower() not in _UNKNOWN:
            raise BadValue("not_yes_no", value)
        return truth
    if kind == "date":
        return _date(value).isoformat()
    return _datetime(value).isoformat()


def _truth(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _number(value: object) -> float:
    number = _parsed_number(value)
    if not math.isfinite(number):  # NaN, Infinity, 1e999: no area or height is that
        raise BadValue("not_finite", value)
    return number


def _parsed_number(value: object) -> float:
    if isinstance(value, bool):
        raise BadValue("checkbox_number")
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            raise BadValue("too_large") from None
    text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):  # 1.250,5: dots group thousands
        text = text.replace(".", "")
    text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        raise BadValue("not_number", value) from None


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T00:00(:00)?", text):  # a date cell read as datetime
        text = text[:10]
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise BadValue("not_date", value)


def _datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        found = value
    elif isinstance(value, date):
        found = datetime.combine(value, time(12, 0))
    else:
        text = str(value).strip()
        try:
            found = datetime.fromisoformat(text)
        except ValueError:
            try:
                found = datetime.strptime(text, "%d.%m.%Y %H:%M")
            except ValueError:
                raise BadValue("not_time", value) from None
    return found if found.tzinfo is not None else found.replace(tzinfo=OSLO)


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        child = target.setdefault(part, {})
        if not isinstance(child, dict):
            raise ValueError(f"{path}: {part} er allerede en verdi")
        target = child
    target[parts[-1]] = value


def build_case(
    source: str,
    values: Mapping[str, object],
    mapping: CaseMapping,
    *,
    content_hash: str,
    received_at: datetime,
    locate: Callable[[str], str],
) -> dict[str, Any]:
    """The case object from named values; every problem names the source field (via `locate`)."""
    case: dict[str, Any] = {}
    for path, constant in mapping.constants.items():
        _put(case, path, constant)
    problems: list[FieldProblem] = []
    for name, spec in mapping.field_maps().items():
        if name not in values:
            if spec.optional:
                continue
            problems.append(problem("form_field_unknown", locate(name)))
            continue
        value = values[name]
        if isinstance(value, Unreadable):
            values_of = {"error": value.error} if value.error else {}
            problems.append(problem(value.key, locate(name), **values_of))
            continue
        try:
            converted = convert_value(value, spec.type)
        except EmptyValue:
            if spec.when_empty == "omit":
                continue
            if spec.when_empty == "null":
                converted = None
            else:
                problems.append(problem(f"value_empty_{spec.type}", locate(name)))
                continue
        except BadValue as error:
            key = f"value_{error.reason}_{spec.type}"
            problems.append(problem(key, locate(name), value=error.value))
            continue
        _put(case, spec.to, converted)
    if problems:
        raise CaseValidationError(source, problems)
    if "reference" not in case:
        case["reference"] = f"{mapping.reference_prefix}{content_hash[:10].upper()}"
    if _get(case, mapping.received_at) is None:
        _put(case, mapping.received_at, received_at.astimezone(OSLO).isoformat())
    return case


def _get(case: Mapping[str, Any], path: str) -> Any:
    current: Any = case
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return None
        current = current[part]
    return current


def relocate(
    error: CaseValidationError, mapping: CaseMapping, locate: Callable[[str], str]
) -> CaseValidationError:
    """Rename problems at case paths to the source field they came from, where one did."""
    by_path = {spec.to: name for name, spec in mapping.field_maps().items()}
    renamed = [
        replace(p, location=f"{locate(by_path[p.location])} → {p.location}")
        if p.location in by_path
        else p
        for p in error.problems
    ]
    return CaseValidationError(error.source, renamed)


def validate_mapped(
    source: str,
    case: dict[str, Any],
    case_model: str,
    mapping: CaseMapping,
    locate: Callable[[str], str],
) -> BaseModel:
    """Validate a mapped case object; problems name the source field where there is one."""
    from runner.intake import validate_case

    content = json.dumps(case, ensure_ascii=False).encode("utf-8")
    try:
        return validate_case(source, content, case_model)
    except CaseValidationError as error:
        raise relocate(error, mapping, locate) from error
