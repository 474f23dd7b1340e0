"""DiBK's XML application "søknad om tiltak uten ansvarsrett" → the byggesak case.

The application is checked against the form's XSD (the robot source's `xsd:`, by default
runner/sources/schemas/, see the note at the top of that file on where it comes from), then
mapped. Every element the mapping reads is in the table of runner/sources/dibk_paths.py, which
`saksrobot kommuner check` holds against the configured XSD (runner/sources/dibk_schema.py).
Every element the case needs that is missing, empty or holds a value the mapping cannot use
becomes a problem naming its XML path
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
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import xmlschema
from pydantic import BaseModel

from runner.errors import CaseValidationError, FieldProblem
from runner.problems import problem
from runner.sources.dibk_paths import NAMESPACE, ROOT, FormPath
from runner.sources.dibk_schema import form_schema

REFERENCE_PREFIX = "BS-D-"
# The code lists below: V2 = read in a public secondary source, M = from memory (not found in
# any public source; a code DiBK does not use is never met, so the mapping stays safe: an
# unknown measure type is `annet`, an unknown purpose is a problem for a caseworker).
#: DiBK's measure type codes (tiltakstype, Geonorge's "tiltaktype") → the case's measure kinds.
#: V2: nyttbyggunder70m2, nyttbyggdriftsbygningunder1000m2, tilbyggunder50m2 with their names
#: ("Nytt bygg - Under 70 m2 - ikke boligformål", ...) in Arkitektum/ATIL.FeeCalculator
#: Data/Repository.cs (DiBK's contractor; the Geonorge codes). M: endringbygningunder50m2, levegg.
MEASURE_KINDS = {
    "nyttbyggunder70m2": "frittliggende_bygning",
    "nyttbyggdriftsbygningunder1000m2": "annet",
    "tilbyggunder50m2": "tilbygg",
    "endringbygningunder50m2": "annet",
    "levegg": "levegg",
}
#: Purpose codes (tiltaksformål) → (use, for habitation); compared in lower case.
#: V2: Bolig, Annet in DiBK's test data (Arkitektum/Dibk.Ftpb.ValidationService,
#: TestProject1/Data/ArbeidstilsynetsSamtykke_v2_dfv45957.xml). M: the others.
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
#: Attachment types (vedleggstype) → the attachment kinds the rules look for; compared in
#: lower case. V2: Situasjonsplan, TegningNyFasade, TegningNyPlan, TegningNyttSnitt,
#: KvitteringNabovarsel, Nabovarsel, Dispensasjonssoeknad in Fellestjenester BYGG's list of
#: attachment types (`Altinn.Common.Models.AttachmentSetting`, found by code search; the same
#: names in Arkitektum/Geointegrasjon.Matrikkelf-ring.Sample). M: AvklaringAvstandNabogrense,
#: Nabosamtykke (no such type in that list; a neighbour's consent may come as "Annet").
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
    "kommunenummer": FormPath.KOMMUNENUMMER.at(FormPath.ESTATE, 1),
    "applicant.name": FormPath.APPLICANT_NAME.path,
    "applicant.national_id": FormPath.APPLICANT_ID.path,
    "applicant.email": FormPath.APPLICANT_EMAIL.path,
    "applicant.address": "tiltakshaver/adresse",
    "property.gnr": FormPath.GNR.at(FormPath.ESTATE, 1),
    "property.bnr": FormPath.BNR.at(FormPath.ESTATE, 1),
    "property.fnr": FormPath.FNR.at(FormPath.ESTATE, 1),
    "property.snr": FormPath.SNR.at(FormPath.ESTATE, 1),
    "property.address": f"{FormPath.ESTATE.at(FormPath.ESTATE, 1)}/adresse",
    "measure.built_area_m2": FormPath.BUILT_AREA.path,
    "measure.usable_area_m2": FormPath.USABLE_AREA.path,
    "measure.ridge_height_m": FormPath.RIDGE_HEIGHT.path,
    "measure.eaves_height_m": FormPath.EAVES_HEIGHT.path,
    "measure.length_m": FormPath.LENGTH.path,
    "measure.storeys": FormPath.STOREYS.path,
    "measure.distance_to_boundary_m": FormPath.DISTANCE_TO_BOUNDARY.path,
    "measure.distance_to_buildings_m": FormPath.DISTANCE_TO_BUILDINGS.path,
    "measure.description": FormPath.DESCRIPTION.path,
    "plan.plan_id": FormPath.PLAN_NAME.path,
    "neighbour_notice.sent_on": FormPath.NOTICE_SENT_ON.path,
    "neighbour_notice.objections": FormPath.REMARKS.path,
    "attachments": FormPath.ATTACHMENT.path,
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


#: One element of a repeated element the mapping reads by itself (an eiendom, a vedlegg),
#: with its position (from 1).
Item = tuple[Element, FormPath, int]


class _Form:
    """Reads the application by the paths of FormPath and collects every problem with its
    XML path."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self.problems: list[FieldProblem] = []

    def _find(self, path: str, node: Element) -> Element | None:
        current: Element | None = node
        for step in path.split("/"):
            if current is None:
                return None
            current = current.find(f"{{{NAMESPACE}}}{step}")
        return current

    def find(self, field: FormPath) -> Element | None:
        return self._find(field.path, self.root)

    def items(self, field: FormPath) -> list[Item]:
        """Every element at the path of a repeated element, with its position."""
        parent_path, _, last = field.path.rpartition("/")
        parent = self._find(parent_path, self.root) if parent_path else self.root
        found = [] if parent is None else parent.findall(f"{{{NAMESPACE}}}{last}")
        return [(node, field, position) for position, node in enumerate(found, start=1)]

    def where(self, field: FormPath, item: Item | None = None) -> str:
        """The path a problem names: with the item's position when read in an item."""
        return field.path if item is None else field.at(item[1], item[2])

    def text(self, field: FormPath, item: Item | None = None) -> str | None:
        node, below = (self.root, field.path) if item is None else (item[0], field.below(item[1]))
        element = self._find(below, node)
        if element is None or element.text is None or not element.text.strip():
            return None
        return element.text.strip()

    def problem(self, where: str, key: str, **values: object) -> None:
        """The problem runner/problems.py DIBK[key] at `where`."""
        self.problems.append(problem(key, where, **values))

    def required(self, field: FormPath, missing: str = "dibk_missing") -> str | None:
        value = self.text(field)
        if value is None:
            self.problem(field.path, missing)
        return value

    def number(self, field: FormPath, *, required: bool = True) -> float | None:
        value = self.text(field)
        if value is None:
            if required:
                self.problem(field.path, "dibk_missing_number")
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            self.problem(field.path, "dibk_not_number", value=value)
            return None
        return float(number)

    def integer(
        self, field: FormPath, *, default: int | None = None, item: Item | None = None
    ) -> int | None:
        value = self.text(field, item)
        where = self.where(field, item)
        if value is None:
            if default is None:
                self.problem(where, "dibk_missing")
            return default
        if not (value.isascii() and value.isdigit()):
            self.problem(where, "dibk_not_integer", value=value)
            return None
        return int(value)

    def boolean(self, field: FormPath, *, default: bool | None = None) -> bool | None:
        value = self.text(field)
        if value is None:
            if default is None:
                self.problem(field.path, "dibk_missing_yes_no")
            return default
        return value in ("true", "1")


def _validated_root(source: str, content: bytes, schema: Path | None) -> Element:
    """The application's root element after the XSD check; every XSD error is a problem."""
    try:
        resource = xmlschema.XMLResource(io.BytesIO(content), defuse="always", allow="none")
    except (xmlschema.XMLResourceError, SyntaxError, ValueError) as error:
        raise CaseValidationError(
            source,
            [problem("dibk_not_xml")],
        ) from error
    root = resource.root
    if root.tag != f"{{{NAMESPACE}}}{ROOT}":
        raise CaseValidationError(
            source,
            [problem("dibk_wrong_form", _local(root.tag), namespace=NAMESPACE)],
        )
    problems = [_xsd_problem(error) for error in _errors(resource, schema)]
    if problems:
        raise CaseValidationError(source, problems)
    return root


def claimed_dibk_kommune(content: bytes) -> str | None:
    """The kommunenummer of the application's first eiendomByggested, read without the XSD
    check (for an application put aside, so it is shown to that kommune's caseworkers);
    None when the XML cannot be read or has none. Entities and remote resources are refused."""
    try:
        resource = xmlschema.XMLResource(io.BytesIO(content), defuse="always", allow="none")
    except (xmlschema.XMLResourceError, SyntaxError, ValueError):
        return None
    if resource.root.tag != f"{{{NAMESPACE}}}{ROOT}":
        return None
    return _Form(resource.root).text(FormPath.KOMMUNENUMMER)


def _errors(
    resource: xmlschema.XMLResource, schema: Path | None
) -> Iterator[xmlschema.XMLSchemaValidationError]:
    yield from form_schema(schema).iter_errors(resource)


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
    estates = form.items(FormPath.ESTATE)
    if not estates:
        form.problem(FormPath.ESTATE.path, "dibk_no_property")
        return None, None
    if len(estates) > 1:
        form.problem(FormPath.ESTATE.at(FormPath.ESTATE, 2), "dibk_several_properties")
    estate = estates[0]
    kommunenummer = form.text(FormPath.KOMMUNENUMMER, estate)
    if kommunenummer is None:
        form.problem(form.where(FormPath.KOMMUNENUMMER, estate), "dibk_missing")
    numbers: dict[str, int | None] = {
        "gnr": form.integer(FormPath.GNR, item=estate),
        "bnr": form.integer(FormPath.BNR, item=estate),
        "fnr": form.integer(FormPath.FNR, item=estate, default=0),
        "snr": form.integer(FormPath.SNR, item=estate, default=0),
    }
    street = form.text(FormPath.ESTATE_STREET, estate)
    postal = form.text(FormPath.ESTATE_POSTAL_CODE, estate) or ""
    city = form.text(FormPath.ESTATE_CITY, estate) or ""
    if street is None:
        form.problem(form.where(FormPath.ESTATE_STREET, estate), "dibk_property_address_missing")
    developed = form.boolean(FormPath.DEVELOPED)
    address = ", ".join(part for part in (street, f"{postal} {city}".strip()) if part)
    return kommunenummer, {**numbers, "address": address, "is_developed": developed}


def _applicant(form: _Form) -> dict[str, Any] | None:
    if form.find(FormPath.APPLICANT) is None:
        form.problem(FormPath.APPLICANT.path, "dibk_no_applicant")
        return None
    kind = (form.text(FormPath.APPLICANT_KIND) or "").lower()
    if kind and kind != "privatperson":
        form.problem(FormPath.APPLICANT_KIND.path, "dibk_applicant_not_person", kind=kind)
        return None
    national_id = form.required(FormPath.APPLICANT_ID, "dibk_missing_national_id")
    name = form.required(FormPath.APPLICANT_NAME)
    email = form.required(FormPath.APPLICANT_EMAIL, "dibk_missing_email")
    street = form.required(FormPath.APPLICANT_STREET)
    postal = form.required(FormPath.APPLICANT_POSTAL_CODE)
    city = form.required(FormPath.APPLICANT_CITY)
    return {
        "name": name,
        "national_id": national_id,
        "email": email,
        "address": {"street": street, "postal_code": postal, "city": city},
    }


def _measure(form: _Form) -> dict[str, Any]:
    codes = [
        (form.where(FormPath.MEASURE_TYPE_CODE, item), form.text(FormPath.MEASURE_TYPE_CODE, item))
        for item in form.items(FormPath.MEASURE_TYPE)
    ]
    kind: str | None = None
    if not codes:
        form.problem(FormPath.MEASURE_TYPE.path, "dibk_measure_kind_missing")
    else:
        where, code = codes[0]
        if code is None:
            form.problem(where, "dibk_measure_kind_missing")
        else:
            kind = MEASURE_KINDS.get(code.lower(), "annet")
        if len(codes) > 1:
            kind = "annet"  # several measures in one application: a caseworker decides
    use, habitation = None, None
    purpose_path = FormPath.PURPOSE_CODE.at(FormPath.PURPOSE, 1)
    purposes = form.items(FormPath.PURPOSE)
    purpose = form.text(FormPath.PURPOSE_CODE, purposes[0]) if purposes else None
    if purpose is None:
        form.problem(purpose_path, "dibk_purpose_missing")
    elif purpose.lower() not in PURPOSES:
        form.problem(purpose_path, "dibk_purpose_unknown", purpose=purpose)
    else:
        use, habitation = PURPOSES[purpose.lower()]
    measure: dict[str, Any] = {
        "kind": kind,
        "use": use,
        "for_habitation": habitation,
        "built_area_m2": form.number(FormPath.BUILT_AREA),
        "usable_area_m2": form.number(FormPath.USABLE_AREA),
        "ridge_height_m": form.number(FormPath.RIDGE_HEIGHT),
        "eaves_height_m": form.number(FormPath.EAVES_HEIGHT),
        "storeys": form.integer(FormPath.STOREYS),
        "has_basement": form.boolean(FormPath.BASEMENT),
        "distance_to_boundary_m": form.number(FormPath.DISTANCE_TO_BOUNDARY),
        "distance_to_buildings_m": form.number(FormPath.DISTANCE_TO_BUILDINGS),
        "over_pipes": form.boolean(FormPath.OVER_PIPES),
        "description": form.text(FormPath.DESCRIPTION) or "",
    }
    length = form.number(FormPath.LENGTH, required=False)
    if length is not None:
        measure["length_m"] = length
    return measure


def _neighbour_notice(form: _Form) -> dict[str, Any]:
    exempt = form.boolean(FormPath.NOTICE_EXEMPT, default=False)
    sent_on = form.text(FormPath.NOTICE_SENT_ON)
    if sent_on is None and not exempt:
        form.problem(FormPath.NOTICE_SENT_ON.path, "dibk_notice_date_missing")
    has_remarks = form.boolean(FormPath.HAS_REMARKS, default=False)
    objections = form.integer(FormPath.REMARKS, default=1 if has_remarks else 0)
    if has_remarks and objections == 0:
        form.problem(FormPath.REMARKS.path, "dibk_objections_zero")
    consent = form.boolean(FormPath.BOUNDARY_CONSENT, default=False)
    return {"sent_on": sent_on, "objections": objections, "boundary_consent": consent}


def _attachments(form: _Form, folder: str) -> list[dict[str, str]]:
    found = []
    for item in form.items(FormPath.ATTACHMENT):
        code = form.text(FormPath.ATTACHMENT_CODE, item)
        name = form.text(FormPath.ATTACHMENT_FILE, item)
        if code is None or name is None:
            form.problem(form.where(FormPath.ATTACHMENT, item), "dibk_attachment_incomplete")
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
    schema: Path | None = None,
) -> dict[str, Any]:
    """The byggesak case JSON for one DiBK application, checked against the XSD at `schema`
    (None: the shipped one);
    every problem names its XML path."""
    form = _Form(_validated_root(source, content, schema))
    kommunenummer, estate = _property(form)
    applicant = _applicant(form)
    measure = _measure(form)
    notice = _neighbour_notice(form)
    dispensations = [
        item
        for item in form.items(FormPath.DISPENSATION)
        if form.text(FormPath.DISPENSATION_CODE, item)
        or form.text(FormPath.DISPENSATION_REASON, item)
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
            "plan_id": form.text(FormPath.PLAN_NAME),
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
    schema: Path | None = None,
) -> BaseModel:
    """Check (against the XSD at `schema`, None: the shipped one), map and validate a DiBK
    application; problems name the XML element."""
    from runner.intake import validate_mapped

    case = dibk_to_case(
        source,
        content,
        content_hash=content_hash,
        received_at=received_at,
        attachment_folder=attachment_folder,
        schema=schema,
    )
    return validate_mapped(source, case, case_model, ORIGINS)
