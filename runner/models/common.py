"""Building blocks shared by every case model: parties, addresses, attachments, identifiers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from stdnum.no import fodselsnummer

from runner.problems import invalid

#: Marks a field whose value is personal data: it is redacted from logs.
PERSONAL: dict[str, Any] = {"personal": True}


class FrozenModel(BaseModel):
    """Base for models at the edges: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Malform(StrEnum):
    """Written standard of Norwegian: bokmål or nynorsk."""

    nb = "nb"
    nn = "nn"


def _check_national_id(value: str) -> str:
    digits = value.replace(" ", "")
    if not digits.isdigit() or len(digits) != 11:
        raise invalid("national_id_digits")
    if not fodselsnummer.is_valid(digits):
        raise invalid("national_id_check")
    return digits


def _check_kommunenummer(value: str) -> str:
    if len(value) != 4 or not value.isdigit():
        raise invalid("kommunenummer_format")
    return value


def _check_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise invalid("time_zone_missing")
    return value


def _not_in_future(value: datetime) -> datetime:
    from datetime import UTC, timedelta

    if value > datetime.now(UTC) + timedelta(hours=1):
        raise invalid("received_in_future")
    return value


NationalId = Annotated[str, AfterValidator(_check_national_id)]
Kommunenummer = Annotated[str, AfterValidator(_check_kommunenummer)]
AwareDatetime = Annotated[datetime, AfterValidator(_check_aware)]
#: When an application was received: with a time zone, and not in the future.
ReceivedAt = Annotated[datetime, AfterValidator(_check_aware), AfterValidator(_not_in_future)]
ShortText = Annotated[str, Field(max_length=200)]
#: The longest free text a case holds (an application's own words); never cut, a longer one
#: is a problem the caseworker sees.
FREE_TEXT_MAX = 4000
FreeText = Annotated[str, Field(max_length=FREE_TEXT_MAX)]


class Address(FrozenModel):
    """A postal address."""

    street: ShortText = Field(json_schema_extra=PERSONAL)
    postal_code: Annotated[str, Field(pattern=r"^\d{4}$")] = Field(json_schema_extra=PERSONAL)
    city: ShortText = Field(json_schema_extra=PERSONAL)


Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]


class Applicant(FrozenModel):
    """The person applying: name, national identity number and postal address."""

    name: ShortText = Field(json_schema_extra=PERSONAL)
    national_id: NationalId = Field(json_schema_extra=PERSONAL)
    address: Address


class Attachment(FrozenModel):
    """A document sent with the application; `file` is relative to the inbox."""

    kind: Annotated[str, Field(min_length=1, max_length=60)]
    file: Annotated[str, Field(min_length=1, max_length=300)]

    @field_validator("file")
    @classmethod
    def _relative_inside_inbox(cls, value: str) -> str:
        path = PurePosixPath(value.replace("\\", "/"))
        if path.is_absolute() or value.startswith(("/", "\\")) or ":" in path.parts[0]:
            raise invalid("attachment_absolute")
        if ".." in path.parts:
            raise invalid("attachment_outside")
        return value


class VerificationSource(StrEnum):
    """Who confirmed a fact the applicant declared."""

    register = "register"  # a public register (matrikkel, folkeregister, …)
    kartdata = "kartdata"  # the kommune's map and plan data
    saksbehandler = "saksbehandler"  # a caseworker checked it


class Verification(FrozenModel):
    """A fact of the case confirmed by a register, map data or a caseworker.

    `fact` is a path below the case (`plan.conforms`); a fact not listed is declared: the
    applicant said it. The sending system states this, never the applicant.
    """

    fact: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=120)]
    source: VerificationSource
    reference: ShortText | None = None  # e.g. the plan register's id, or who checked
    verified_on: date | None = None


def verified_facts(case: BaseModel) -> dict[str, str]:
    """Fact path → its source, for the facts a case marks as verified."""
    found = getattr(case, "verified", None) or []
    return {item.fact: item.source.value for item in found if isinstance(item, Verification)}


def personal_field_names(model: type[BaseModel]) -> set[str]:
    """Names of fields marked personal anywhere in a model tree (used by log redaction)."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()

    def visit(current: type[BaseModel]) -> None:
        if current in seen:
            return
        seen.add(current)
        for name, info in current.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and extra.get("personal"):
                names.add(name)
            for sub in _model_types(info.annotation):
                visit(sub)

    visit(model)
    return names


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_model_types(arg))
    return found
