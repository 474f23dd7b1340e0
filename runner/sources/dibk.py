"""DiBK's XML application "søknad om tiltak uten ansvarsrett" → the byggesak case.

The application is checked against the form's XSD (runner/sources/schemas/, see the note at the
top of that file on where it comes from), then mapped. Every element the case needs that is
missing, empty or holds a value the mapping cannot use becomes a problem naming its XML path
(`eiendomByggested/eiendom[1]/eiendomsidentifikasjon/gaardsnummer`), and the application is
quarantined with all of them, as the NAV source does with NAV's JSON paths.

Choices the form leaves open: the plan conformity is not a field of the form, so it is unknown
(the rules then make the case unclear for a caseworker); the plan's name is the plan id; a
measure type code outside the known ones for this form is `annet` (a caseworker decides),
while a purpose code the mapping does not know is a problem (it decides whether the measure is
for habitation); an applicant that is a company (organisasjonsnummer) cannot be a byggesak
case yet and is a problem.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import xmlschema
from pydantic import BaseModel

from runner.errors import CaseValidationError, FieldProblem
from runner.problems import problem

NAMESPACE = "http://skjema.kxml.no/dibk/tiltakutenansvarsrett/3.0"
ROOT = "TiltakUtenAnsvarsrett"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "tiltakutenansvarsrett-3.0.xsd"
REFERENCE_PREFIX = "BS-D-"
#: DiBK's measure type codes for this form (tiltaktype) → the case's measure kinds (M).
MEASURE_KINDS = {
    "nyttbyggunder70m2": "frittliggende_bygning",
    "nyttbyggdriftsbygningunder1000m2": "annet",
    "tilbyggunder50m2": "tilbygg",
    "endringbygningunder50m2": "annet",
    "levegg": "levegg",
}
#: Purpose codes (tiltaksformål) → (use, for habitation).
PURPOSES = {
    "garasje": ("garasje", False),
    "carport": ("carport", False),
    "bod": ("bod", False),
    "uthus": ("bod", False),
    "vedbu": ("vedbu", False),
    "vindfang": ("vindfang", False),
    "lager": ("lager", False),
    "bolig": ("bolig", True),
    "fritidsbolig": ("fritidsbolig", True),
    "annet": ("annet", False),
}
#: Attachment types (vedleggstype) → the attachment kinds the rules look for.
ATTACHMENT_KINDS = {
    "situasjonsplan": "situasjonsplan",
    "tegningnyfasade": "tegning",
    "tegningnyplan": "tegning",
    "tegningnyttsnitt": "tegning",
    "kvitteringnabovarsel": "nabovarsel",
    "nabovarsel": "nabovarsel",
    "avklaringavstandnabogrense": "nabosamtykke",
    "nabosamtykke": "nabosamtykke",
    "dispensasjonssoeknad": "dispensasjonssoknad",
}
#: Case field → XML path, to name the XML element when the mapped case fails validation.
ORIGINS = {
    "kommunenummer": "eiendomByggested/eiendom[1]/eiendomsidentifikasjon/kommunenummer",
    "applicant.name": "tiltakshaver/navn",
    "applicant.national_id": "tiltakshaver/foedselsnummer",
    "applicant.email": "tiltakshaver/epost",
    "applicant.address": "tiltakshaver/adresse",
    "property.gnr": "eiendomByggested/eiendom[1]/eiendomsidentifikasjon/gaardsnummer",
    "property.bnr": "eiendomByggested/eiendom[1]/eiendomsidentifikasjon/bruksnummer",
    "property.fnr": "eiendomByggested/eiendom[1]/eiendomsidentifikasjon/festenummer",
    "property.snr": "eiendomByggested/eiendom[1]/eiendomsidentifikasjon/seksjonsnummer",
    "property.address": "eiendomByggested/eiendom[1]/adresse",
    "measure.built_area_m2": "rammebetingelser/arealdisponering/arealBebyggelseNytt",
    "measure.usable_area_m2": "beskrivelseAvTiltak/BRA",
    "measure.ridge_height_m": "tilleggsopplysninger/moenehoeyde",
    "measure.eaves_height_m": "tilleggsopplysninger/gesimshoeyde",
    "measure.length_m": "tilleggsopplysninger/lengde",
    "measure.storeys": "tilleggsopplysninger/antallEtasjer",
    "measure.distance_to_boundary_m": "rammebetingelser/plassering/minsteAvstandNabogrense",
    "measure.distance_to_buildings_m": "rammebetingelser/plassering/minsteAvstandTilAnnenBygning",
    "measure.description": "beskrivelseAvTiltak/bruk/beskrivPlanlagtFormaal",
    "plan.plan_id": "rammebetingelser/plan/gjeldendePlan/navn",
    "neighbour_notice.objections": "varsling/antallMerknader",
    "attachments": "tilleggsopplysninger/vedlegg",
}


@cache
def form_schema() -> xmlschema.XMLSchema:
    """The form's XSD, loaded once."""
    return xmlschema.XMLSchema(SCHEMA_PATH)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Form:
    """Reads the application by path and collects every problem with its XML path."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self.problems: list[FieldProblem] = []

    def find(self, path: str, node: Element | None = None) -> Element | None:
        current: Element | None = node if node is not None else self.root
        for step in path.split("/"):
            if current is None:
                return None
            current = current.find(f"{{{NAMESPACE}}}{step}")
        return current

    def all(self, path: str, node: Element | None = None) -> list[Element]:
        parent_path, _, last = path.rpartition("/")
        parent = self.find(parent_path, node) if parent_path else (node or self.root)
        return [] if parent is None else parent.findall(f"{{{NAMESPACE}}}{last}")

    def text(self, path: str, node: Element | None = None) -> str | None:
        element = self.find(path, node)
        if element is None or element.text is None or not element.text.strip():
            return None
        return element.text.strip()

    def problem(self, where: str, key: str, **values: object) -> None:
        """The problem runner/problems.py DIBK[key] at `where`."""
        self.problems.append(problem(key, where, **values))

    def required(self, path: str, where: str, missing: str = "dibk_missing") -> str | None:
        value = self.text(path)
        if value is None:
            self.problem(where, missing)
        return value

    def number(self, path: str, where: str, *, required: bool = True) -> float | None:
        value = self.text(path)
        if value is None:
            if required:
                self.problem(where, "dibk_missing_number")
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.problem(where, "dibk_not_number", value=value)
            return None
        return float(number)

    def integer(self, path: str, where: str, *, default: int | None = None) -> int | None:
        value = self.text(path)
        if value is None:
            if default is None:
                self.problem(where, "dibk_missing")
            return default
        if not value.isdigit():
            self.problem(where, "dibk_not_integer", value=value)
            return None
        return int(value)

    def boolean(self, path: str, where: str, *, default: bool | None = None) -> bool | None:
        value = self.text(path)
        if value is None:
            if default is None:
                self.problem(where, "dibk_missing_yes_no")
            return default
        return value in ("true", "1")


def _validated_root(source: str, content: bytes) -> Element:
    """The application's root element after the XSD check; every XSD error is a problem."""
    try:
        resource = xmlschema.XMLResource(io.BytesIO(content), defuse="always", allow="none")
    except (xmlschema.XMLResourceError, SyntaxError, ValueError) as error:
        raise CaseValidationError(source, [problem("dibk_not_xml")]) from error
    root = resource.root
    if root.tag != f"{{{NAMESPACE}}}{ROOT}":
        raise CaseValidationError(
            source,
            [problem("dibk_wrong_form", _local(root.tag), namespace=NAMESPACE)],
        )
    problems = [_xsd_problem(error) for error in _errors(resource)]
    if problems:
        raise CaseValidationError(source, problems)
    return root


def _errors(resource: xmlschema.XMLResource) -> Iterator[xmlschema.XMLSchemaValidationError]:
    yield from form_schema().iter_errors(resource)


def _xsd_problem(error: xmlschema.XMLSchemaValidationError) -> FieldProblem:
    path = _short_path(error.path or "")
    reason = str(error.reason or "").strip()
    if "is not an element of the schema" in reason or "Unexpected child" in reason:
        key = "dibk_xsd_element"
    elif "missing" in reason.lower() or "not complete" in reason.lower():
        key = "dibk_xsd_missing"
    else:
        key = "dibk_xsd_value"
    found = problem(key, path)
    # the validator's own words (English) for the operator only; the reader gets the words
    return replace(found, reason=f"{found.reason}: {reason}") if reason else found


def _short_path(path: str) -> str:
    """An XPath from xmlschema without the namespace prefixes and the root element."""
    steps = [step.rsplit(":", 1)[-1] for step in path.strip("/").split("/") if step]
    if steps and steps[0] == ROOT:
        steps = steps[1:]
    return "/".join(steps)


def _property(form: _Form) -> tuple[str | None, dict[str, Any] | None]:
    estates = form.all("eiendomByggested/eiendom")
    if not estates:
        form.problem("eiendomByggested/eiendom", "dibk_no_property")
        return None, None
    if len(estates) > 1:
        form.problem("eiendomByggested/eiendom[2]", "dibk_several_properties")
    estate, base = estates[0], "eiendomByggested/eiendom[1]"
    ident = f"{base}/eiendomsidentifikasjon"

    def value(name: str) -> str | None:
        return form.text(f"eiendomsidentifikasjon/{name}", estate)

    kommunenummer = value("kommunenummer")
    if kommunenummer is None:
        form.problem(f"{ident}/kommunenummer", "dibk_missing")
    numbers: dict[str, int] = {}
    for key, name, required in (
        ("gnr", "gaardsnummer", True),
        ("bnr", "bruksnummer", True),
        ("fnr", "festenummer", False),
        ("snr", "seksjonsnummer", False),
    ):
        text = value(name)
        if text is None:
            if required:
                form.problem(f"{ident}/{name}", "dibk_missing")
            else:
                numbers[key] = 0
        else:
            numbers[key] = int(text)  # the XSD has checked it is an integer
    street = form.text("adresse/adresselinje1", estate)
    postal = form.text("adresse/postnr", estate) or ""
    city = form.text("adresse/poststed", estate) or ""
    if street is None:
        form.problem(f"{base}/adresse/adresselinje1", "dibk_property_address_missing")
    developed = form.boolean(
        "tilleggsopplysninger/eiendomErBebygd", "tilleggsopplysninger/eiendomErBebygd"
    )
    address = ", ".join(part for part in (street, f"{postal} {city}".strip()) if part)
    return kommunenummer, {**numbers, "address": address, "is_developed": developed}


def _applicant(form: _Form) -> dict[str, Any] | None:
    party = form.find("tiltakshaver")
    if party is None:
        form.problem("tiltakshaver", "dibk_no_applicant")
        return None
    kind = (form.text("partstype/kodeverdi", party) or "").lower()
    if kind and kind != "privatperson":
        form.problem("tiltakshaver/partstype/kodeverdi", "dibk_applicant_not_person", kind=kind)
        return None
    national_id = form.required(
        "tiltakshaver/foedselsnummer",
        "tiltakshaver/foedselsnummer",
        "dibk_missing_national_id",
    )
    name = form.required("tiltakshaver/navn", "tiltakshaver/navn")
    email = form.required("tiltakshaver/epost", "tiltakshaver/epost", "dibk_missing_email")
    street = form.required(
        "tiltakshaver/adresse/adresselinje1", "tiltakshaver/adresse/adresselinje1"
    )
    postal = form.required("tiltakshaver/adresse/postnr", "tiltakshaver/adresse/postnr")
    city = form.required("tiltakshaver/adresse/poststed", "tiltakshaver/adresse/poststed")
    return {
        "name": name,
        "national_id": national_id,
        "email": email,
        "address": {"street": street, "postal_code": postal, "city": city},
    }


def _measure(form: _Form) -> dict[str, Any]:
    codes = [
        (f"beskrivelseAvTiltak/type[{i}]/kodeverdi", form.text("kodeverdi", node))
        for i, node in enumerate(form.all("beskrivelseAvTiltak/type"), start=1)
    ]
    kind: str | None = None
    if not codes:
        form.problem("beskrivelseAvTiltak/type", "dibk_measure_kind_missing")
    else:
        where, code = codes[0]
        if code is None:
            form.problem(where, "dibk_measure_kind_missing")
        else:
            kind = MEASURE_KINDS.get(code.lower(), "annet")
        if len(codes) > 1:
            kind = "annet"  # several measures in one application: a caseworker decides
    use, habitation = None, None
    purpose_path = "beskrivelseAvTiltak/bruk/tiltaksformaal[1]/kodeverdi"
    purposes = form.all("beskrivelseAvTiltak/bruk/tiltaksformaal")
    purpose = form.text("kodeverdi", purposes[0]) if purposes else None
    if purpose is None:
        form.problem(purpose_path, "dibk_purpose_missing")
    elif purpose.lower() not in PURPOSES:
        form.problem(purpose_path, "dibk_purpose_unknown", purpose=purpose)
    else:
        use, habitation = PURPOSES[purpose.lower()]
    extra = "tilleggsopplysninger"
    measure: dict[str, Any] = {
        "kind": kind,
        "use": use,
        "for_habitation": habitation,
        "built_area_m2": form.number(
            "rammebetingelser/arealdisponering/arealBebyggelseNytt",
            ORIGINS["measure.built_area_m2"],
        ),
        "usable_area_m2": form.number("beskrivelseAvTiltak/BRA", ORIGINS["measure.usable_area_m2"]),
        "ridge_height_m": form.number(f"{extra}/moenehoeyde", f"{extra}/moenehoeyde"),
        "eaves_height_m": form.number(f"{extra}/gesimshoeyde", f"{extra}/gesimshoeyde"),
        "storeys": form.integer(f"{extra}/antallEtasjer", f"{extra}/antallEtasjer"),
        "has_basement": form.boolean(f"{extra}/harKjeller", f"{extra}/harKjeller"),
        "distance_to_boundary_m": form.number(
            "rammebetingelser/plassering/minsteAvstandNabogrense",
            ORIGINS["measure.distance_to_boundary_m"],
        ),
        "distance_to_buildings_m": form.number(
            "rammebetingelser/plassering/minsteAvstandTilAnnenBygning",
            ORIGINS["measure.distance_to_buildings_m"],
        ),
        "over_pipes": form.boolean(
            "rammebetingelser/plassering/konfliktVannOgAvloepsanlegg",
            "rammebetingelser/plassering/konfliktVannOgAvloepsanlegg",
        ),
        "description": form.text("beskrivelseAvTiltak/bruk/beskrivPlanlagtFormaal") or "",
    }
    length = form.number(f"{extra}/lengde", f"{extra}/lengde", required=False)
    if length is not None:
        measure["length_m"] = length
    return measure


def _neighbour_notice(form: _Form) -> dict[str, Any]:
    exempt = form.boolean(
        "varsling/fritattFraNabovarsling", "varsling/fritattFraNabovarsling", default=False
    )
    sent_on = form.text("tilleggsopplysninger/nabovarselSendtDato")
    if sent_on is None and not exempt:
        form.problem("tilleggsopplysninger/nabovarselSendtDato", "dibk_notice_date_missing")
    has_remarks = form.boolean(
        "varsling/foreliggerMerknader", "varsling/foreliggerMerknader", default=False
    )
    objections = form.integer(
        "varsling/antallMerknader", "varsling/antallMerknader", default=1 if has_remarks else 0
    )
    if has_remarks and objections == 0:
        form.problem("varsling/antallMerknader", "dibk_objections_zero")
    consent = form.boolean(
        "tilleggsopplysninger/samtykkeByggingNaerNabogrense",
        "tilleggsopplysninger/samtykkeByggingNaerNabogrense",
        default=False,
    )
    return {"sent_on": sent_on, "objections": objections, "boundary_consent": consent}


def _attachments(form: _Form, folder: str) -> list[dict[str, str]]:
    found = []
    for index, node in enumerate(form.all("tilleggsopplysninger/vedlegg"), start=1):
        where = f"tilleggsopplysninger/vedlegg[{index}]"
        code = form.text("vedleggstype/kodeverdi", node)
        name = form.text("filnavn", node)
        if code is None or name is None:
            form.problem(where, "dibk_attachment_incomplete")
            continue
        kind = ATTACHMENT_KINDS.get(code.lower(), code.lower())
        found.append({"kind": kind, "file": f"{folder}/{name}" if folder else name})
    return found


def dibk_to_case(
    source: str,
    content: bytes,
    *,
    content_hash: str,
    received_at: datetime,
    attachment_folder: str = "",
) -> dict[str, Any]:
    """The byggesak case JSON for one DiBK application; every problem names its XML path."""
    form = _Form(_validated_root(source, content))
    kommunenummer, estate = _property(form)
    applicant = _applicant(form)
    measure = _measure(form)
    notice = _neighbour_notice(form)
    dispensations = [
        node
        for node in form.all("dispensasjon/dispensasjon")
        if form.text("dispensasjonstype/kodeverdi", node) or form.text("begrunnelse", node)
    ]
    attachments = _attachments(form, attachment_folder)
    if form.problems:
        raise CaseValidationError(source, form.problems)
    return {
        "case_type": "byggesak",
        "reference": f"{REFERENCE_PREFIX}{content_hash[:10].upper()}",
        "received_at": received_at.isoformat(),
        "kommunenummer": kommunenummer,
        "applicant": applicant,
        "property": estate,
        "measure": measure,
        "plan": {
            "conforms": None,
            "plan_id": form.text("rammebetingelser/plan/gjeldendePlan/navn"),
        },
        "neighbour_notice": notice,
        "dispensation_requested": bool(dispensations),
        "attachments": attachments,
    }


def dibk_case(
    source: str,
    content: bytes,
    case_model: str,
    *,
    content_hash: str,
    received_at: datetime,
    attachment_folder: str = "",
) -> BaseModel:
    """Check, map and validate a DiBK application; problems name the XML element."""
    from runner.intake import validate_mapped

    case = dibk_to_case(
        source,
        content,
        content_hash=content_hash,
        received_at=received_at,
        attachment_folder=attachment_folder,
    )
    return validate_mapped(source, case, case_model, ORIGINS)
