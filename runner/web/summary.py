"""A case's facts as a readable summary: labelled rows per case type, any other type generically."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


@dataclass
class Fact:
    """One row of the summary: a label and either a text or nested rows."""

    label: str
    text: str = ""
    children: list[Fact] = field(default_factory=list)


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def number(value: Any) -> str:
    """A number the Norwegian way: decimal comma, no trailing zeros."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return str(value)


def when(value: Any) -> str:
    """A timestamp or date as dd.mm.yyyy (HH:MM in Norwegian time)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) <= 10:
            return parsed.strftime("%d.%m.%Y")
        value = parsed
    if isinstance(value, datetime):
        local = value.astimezone(OSLO) if value.tzinfo else value
        return local.strftime("%d.%m.%Y %H:%M")
    return str(value)


def _text(value: Any, yes: str, no: str, unknown: str) -> str:
    if value is None:
        return unknown
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, int | float):
        return number(value)
    return str(value)


def masked_national_id(value: Any) -> str:
    """Birth date part only; the caseworker opens the raw item when the full number is needed."""
    text = str(value or "")
    return f"{text[:6]} *****" if len(text) == 11 else text


#: Byggesak: (path, label nb, label nn, kind). kind: text, m, m2, when, bool, id, address.
BYGGESAK: list[tuple[str, str, str, str]] = [
    ("reference", "Referanse", "Referanse", "text"),
    ("received_at", "Mottatt", "Motteke", "when"),
    ("applicant.name", "Tiltakshaver", "Tiltakshavar", "text"),
    ("applicant.national_id", "Fødselsnummer", "Fødselsnummer", "id"),
    ("applicant.address", "Adresse", "Adresse", "address"),
    ("applicant.email", "E-post", "E-post", "text"),
    ("property.address", "Eiendom", "Eigedom", "text"),
    ("property", "Gnr/bnr", "Gnr/bnr", "matrikkel"),
    ("property.is_developed", "Eiendommen er bebygd", "Eigedomen er bygd på", "bool"),
    ("measure.kind", "Type tiltak", "Type tiltak", "text"),
    ("measure.use", "Bruk", "Bruk", "text"),
    ("measure.for_habitation", "Til beboelse", "Til bustad", "bool"),
    ("measure.built_area_m2", "Bebygd areal (BYA)", "Bygd areal (BYA)", "m2"),
    ("measure.usable_area_m2", "Bruksareal (BRA)", "Bruksareal (BRA)", "m2"),
    ("measure.ridge_height_m", "Mønehøyde", "Mønehøgd", "m"),
    ("measure.eaves_height_m", "Gesimshøyde", "Gesimshøgd", "m"),
    ("measure.storeys", "Etasjer", "Etasjar", "text"),
    ("measure.has_basement", "Kjeller", "Kjellar", "bool"),
    ("measure.length_m", "Lengde", "Lengd", "m"),
    ("measure.distance_to_boundary_m", "Avstand til nabogrense", "Avstand til nabogrensa", "m"),
    (
        "measure.distance_to_buildings_m",
        "Avstand til andre bygninger",
        "Avstand til andre bygningar",
        "m",
    ),
    (
        "measure.over_pipes",
        "Over vann- eller avløpsledning",
        "Over vass- eller avløpsleidning",
        "bool",
    ),
    ("measure.description", "Beskrivelse", "Skildring", "text"),
    ("plan.conforms", "I samsvar med plan", "I samsvar med plan", "bool"),
    ("plan.plan_id", "Plan", "Plan", "text"),
    ("neighbour_notice.sent_on", "Nabovarsel sendt", "Nabovarsel sendt", "when"),
    ("neighbour_notice.objections", "Merknader fra naboer", "Merknader frå naboar", "text"),
    (
        "neighbour_notice.boundary_consent",
        "Samtykke fra nabo om avstand",
        "Samtykke frå nabo om avstand",
        "bool",
    ),
    ("dispensation_requested", "Søkt om dispensasjon", "Søkt om dispensasjon", "bool"),
]

SUMMARIES = {"byggesak": BYGGESAK}


def _format(kind: str, value: Any, words: tuple[str, str, str]) -> str:
    if kind == "when":
        return when(value) if value else words[2]
    if kind == "id":
        return masked_national_id(value)
    if kind == "address" and isinstance(value, dict):
        return f"{value.get('street', '')}, {value.get('postal_code', '')} {value.get('city', '')}"
    if kind == "matrikkel" and isinstance(value, dict):
        return "/".join(str(value.get(k, 0)) for k in ("gnr", "bnr", "fnr", "snr"))
    text = _text(value, *words)
    return f"{text} {'m²' if kind == 'm2' else 'm'}" if kind in ("m", "m2") and value else text


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def generic(data: Any, words: tuple[str, str, str]) -> list[Fact]:
    """Any JSON object as nested rows (for case types without a summary of their own)."""
    facts: list[Fact] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        label = _label(key) if isinstance(key, str) else f"{key + 1}."
        if key == "national_id":
            facts.append(Fact(label, masked_national_id(value)))
        elif isinstance(value, dict | list):
            facts.append(Fact(label, "" if value else "–", generic(value, words)))
        elif key in ("received_at",) or (isinstance(key, str) and key.endswith(("_at", "_date"))):
            facts.append(Fact(label, when(value) if value else words[2]))
        else:
            facts.append(Fact(label, _text(value, *words)))
    return facts


def summarise(case_type: str | None, data: dict[str, Any], malform: str) -> list[Fact]:
    """The facts of a case in the reader's målform."""
    words = ("ja", "nei", "ukjent" if malform == "nb" else "ukjend")
    rows = SUMMARIES.get(case_type or "")
    if rows is None:
        return generic(data, words)
    facts = []
    for path, nb, nn, kind in rows:
        value = _get(data, path)
        if value is None and kind not in ("bool", "when"):
            continue
        facts.append(Fact(nb if malform == "nb" else nn, _format(kind, value, words)))
    attachments = data.get("attachments") or []
    if attachments:
        label = "Vedlegg"
        facts.append(Fact(label, ", ".join(str(a.get("kind", "")) for a in attachments)))
    return facts
