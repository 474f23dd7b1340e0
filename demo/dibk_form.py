"""Synthetic DiBK applications ("søknad om tiltak uten ansvarsrett", XML) from demo cases.

`application_xml(case)` writes a byggesak case made by demo/synthetic.py as the XML the
national building portal sends (namespace and elements as runner/sources/schemas/
tiltakutenansvarsrett-3.0.xsd), so tests and the demo read realistic applications with
synthetic persons.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

NAMESPACE = "http://skjema.kxml.no/dibk/tiltakutenansvarsrett/3.0"
#: DiBK's data format id and version for the form (M: not verified against Altinn).
DATA_FORMAT_ID, DATA_FORMAT_VERSION = "6741", "45753"
MEASURE_CODES = {
    "frittliggende_bygning": "nyttbyggunder70m2",
    "tilbygg": "tilbyggunder50m2",
    "levegg": "levegg",
    "annet": "endringbygningunder50m2",
}
PURPOSE_CODES = {
    "garasje": "Garasje",
    "garasje med bod": "Garasje",
    "dobbelgarasje": "Garasje",
    "carport": "Carport",
    "bod": "Bod",
    "vedbu": "Vedbu",
    "lager": "Lager",
    "uisolert lager": "Lager",
    "vindfang": "Vindfang",
    "anneks": "Bolig",
    "hybel": "Bolig",
    "gjestehus": "Bolig",
    "bolig": "Bolig",
}
ATTACHMENT_CODES = {
    "situasjonsplan": "Situasjonsplan",
    "tegning": "TegningNyFasade",
    "nabosamtykke": "AvklaringAvstandNabogrense",
    "nabovarsel": "KvitteringNabovarsel",
    "dispensasjonssoknad": "Dispensasjonssoeknad",
}


def _add(parent: ElementTree.Element, path: str, value: object = None) -> ElementTree.Element:
    """The element at `path` below parent (created step by step), with the value as text."""
    node = parent
    for step in path.split("/"):
        found = node.find(f"{{{NAMESPACE}}}{step}")
        node = (
            found if found is not None else ElementTree.SubElement(node, f"{{{NAMESPACE}}}{step}")
        )
    if value is not None:
        node.text = str(value).lower() if isinstance(value, bool) else str(value)
    return node


def _new(parent: ElementTree.Element, name: str) -> ElementTree.Element:
    return ElementTree.SubElement(parent, f"{{{NAMESPACE}}}{name}")


def application_xml(case: dict[str, Any], *, ftb_id: str = "demo") -> bytes:
    """The DiBK application for a demo byggesak case, as UTF-8 XML."""
    ElementTree.register_namespace("", NAMESPACE)
    root = ElementTree.Element(
        f"{{{NAMESPACE}}}TiltakUtenAnsvarsrett",
        {
            "dataFormatProvider": "SERES",
            "dataFormatId": DATA_FORMAT_ID,
            "dataFormatVersion": DATA_FORMAT_VERSION,
        },
    )
    estate = _new(_add(root, "eiendomByggested"), "eiendom")
    prop = case["property"]
    street, _, place = prop["address"].partition(", ")
    postal, _, city = place.partition(" ")
    _add(estate, "adresse/adresselinje1", street)
    _add(estate, "adresse/postnr", postal)
    _add(estate, "adresse/poststed", city)
    ident = "eiendomsidentifikasjon"
    _add(estate, f"{ident}/kommunenummer", case["kommunenummer"])
    _add(estate, f"{ident}/gaardsnummer", prop["gnr"])
    _add(estate, f"{ident}/bruksnummer", prop["bnr"])
    _add(estate, f"{ident}/festenummer", prop.get("fnr", 0))
    _add(estate, f"{ident}/seksjonsnummer", prop.get("snr", 0))
    measure = case["measure"]
    purpose = _new(_add(root, "beskrivelseAvTiltak/bruk"), "tiltaksformaal")
    _add(purpose, "kodeverdi", PURPOSE_CODES.get(measure["use"], "Annet"))
    _add(root, "beskrivelseAvTiltak/bruk/beskrivPlanlagtFormaal", measure.get("description"))
    _add(root, "beskrivelseAvTiltak/BRA", measure["usable_area_m2"])
    kind = _new(_add(root, "beskrivelseAvTiltak"), "type")
    _add(kind, "kodeverdi", MEASURE_CODES[measure["kind"]])
    _add(root, "rammebetingelser/arealdisponering/arealBebyggelseNytt", measure["built_area_m2"])
    place_path = "rammebetingelser/plassering"
    _add(root, f"{place_path}/konfliktVannOgAvloepsanlegg", measure["over_pipes"])
    _add(root, f"{place_path}/minsteAvstandNabogrense", measure["distance_to_boundary_m"])
    _add(root, f"{place_path}/minsteAvstandTilAnnenBygning", measure["distance_to_buildings_m"])
    if case["plan"].get("plan_id"):
        _add(root, "rammebetingelser/plan/gjeldendePlan/navn", case["plan"]["plan_id"])
    if case.get("dispensation_requested"):
        dispensation = _new(_add(root, "dispensasjon"), "dispensasjon")
        _add(dispensation, "dispensasjonstype/kodeverdi", "PLAN")
        _add(dispensation, "begrunnelse", "Søkjer om dispensasjon frå planføresegnene.")
    applicant = case["applicant"]
    _add(root, "tiltakshaver/partstype/kodeverdi", "Privatperson")
    _add(root, "tiltakshaver/foedselsnummer", applicant["national_id"])
    _add(root, "tiltakshaver/navn", applicant["name"])
    _add(root, "tiltakshaver/adresse/adresselinje1", applicant["address"]["street"])
    _add(root, "tiltakshaver/adresse/postnr", applicant["address"]["postal_code"])
    _add(root, "tiltakshaver/adresse/poststed", applicant["address"]["city"])
    _add(root, "tiltakshaver/epost", applicant["email"])
    notice = case["neighbour_notice"]
    _add(root, "varsling/fritattFraNabovarsling", notice["sent_on"] is None)
    _add(root, "varsling/foreliggerMerknader", notice["objections"] > 0)
    _add(root, "varsling/antallMerknader", notice["objections"])
    _add(root, "metadata/fraSluttbrukersystem", "saksrobot demo")
    _add(root, "metadata/ftbId", ftb_id)
    extra = "tilleggsopplysninger"
    _add(root, f"{extra}/eiendomErBebygd", prop["is_developed"])
    _add(root, f"{extra}/moenehoeyde", measure["ridge_height_m"])
    _add(root, f"{extra}/gesimshoeyde", measure["eaves_height_m"])
    if measure.get("length_m") is not None:
        _add(root, f"{extra}/lengde", measure["length_m"])
    _add(root, f"{extra}/antallEtasjer", measure["storeys"])
    _add(root, f"{extra}/harKjeller", measure["has_basement"])
    if notice["sent_on"]:
        _add(root, f"{extra}/nabovarselSendtDato", notice["sent_on"])
    _add(root, f"{extra}/samtykkeByggingNaerNabogrense", notice["boundary_consent"])
    for attachment in case.get("attachments", []):
        node = _new(_add(root, extra), "vedlegg")
        _add(node, "vedleggstype/kodeverdi", ATTACHMENT_CODES.get(attachment["kind"], "Annet"))
        _add(node, "filnavn", attachment["file"].rsplit("/", 1)[-1])
    return bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True))
