"""The arkivmelding for a sent decision, as KS's Fiks Arkiv protocol defines it (v1).

One message `no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett` with the file
`arkivmelding.xml` and the letter PDF: a saksmappe (the case: its reference and title,
matrikkelnummer, the kommune's unit) and a journalpost of type U (utgående dokument) placed
in it by our external key, with the applicant as korrespondansepart of type EM (mottaker) and
one dokumentbeskrivelse (hoveddokument) whose dokumentobjekt refers to the PDF in the same
container. Element names, order and code values follow the official XSD and code lists
(runner/fiksarkiv/schemas/, from ks-no/fiks-arkiv-specification); every message built is
validated against that XSD before it is sent.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import xmlschema

from runner.errors import ApplicationError

__all__ = [
    "ARKIVMELDING_FILE",
    "ARKIVMELDING_TYPE",
    "NAMESPACE",
    "ArchiveEntry",
    "arkivmelding_schema",
    "build_arkivmelding",
    "validate_arkivmelding",
]

SCHEMAS = Path(__file__).parent / "schemas"
NAMESPACE = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
#: The Noark 5 metadata catalogue's namespace: the children of its complex types (kode,
#: eksternNoekkel) are declared there (elementFormDefault qualified).
CATALOGUE = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ARKIVMELDING_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
ARKIVMELDING_FILE = "arkivmelding.xml"  # the protocol's payload file name (meldingstyper.json)
#: The external system our keys belong to (referanseEksternNoekkel/fagsystem).
SYSTEM = "saksrobot"


class ArkivmeldingError(ApplicationError):
    """An arkivmelding we built is not valid against the official XSD (a bug or bad data)."""


@dataclass(frozen=True)
class ArchiveEntry:
    """What the archive gets for one sent letter (plain values; personal data as given)."""

    key: str  # the outbox key: our external key of the journalpost
    case_key: str  # our external key of the case folder (the same for every letter of a case)
    case_title: str
    letter_title: str
    received: date | None
    document_date: date
    sent: datetime  # when the letter went out (with its time zone)
    administrative_unit: str | None
    kommunenummer: str | None
    property: tuple[int, int, int, int] | None  # gnr, bnr, fnr, snr
    recipient_name: str
    recipient_national_id: str | None
    recipient_organisation: str | None
    recipient_street: str | None
    recipient_postal_code: str | None
    recipient_city: str | None
    recipient_email: str | None
    pdf_name: str  # the file's name in the container
    pdf: bytes
    letter_version: int
    archive_part: str | None = None  # arkivdel, when the kommune's archive wants one
    classification: tuple[str, str] | None = None  # (klassifikasjonssystem, klasseID)


def _element(
    parent: ElementTree.Element, name: str, text: object = None, namespace: str = NAMESPACE
) -> ElementTree.Element:
    child = ElementTree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        child.text = str(text)
    return child


def _code(parent: ElementTree.Element, name: str, code: str, description: str) -> None:
    element = _element(parent, name)
    _element(element, "kode", code, CATALOGUE)
    _element(element, "beskrivelse", description, CATALOGUE)


def _external_key(
    parent: ElementTree.Element, name: str, key: str, namespace: str = NAMESPACE
) -> None:
    element = _element(parent, name, namespace=namespace)
    _element(element, "fagsystem", SYSTEM, CATALOGUE)
    _element(element, "noekkel", key, CATALOGUE)


def build_arkivmelding(entry: ArchiveEntry) -> bytes:
    """The arkivmelding.xml for one letter (UTF-8), valid against the official XSD."""
    ElementTree.register_namespace("", NAMESPACE)
    ElementTree.register_namespace("n5mdk", CATALOGUE)
    ElementTree.register_namespace("xsi", XSI)
    root = ElementTree.Element(f"{{{NAMESPACE}}}arkivmelding")
    _element(root, "system", SYSTEM)
    _element(root, "antallFiler", 1)

    folder = _element(root, "mappe")
    folder.set(f"{{{XSI}}}type", "saksmappe")
    _element(folder, "tittel", entry.case_title)
    if entry.archive_part:
        _code(folder, "arkivdel", entry.archive_part, entry.archive_part)
    if entry.classification:
        klass = _element(folder, "klassifikasjon")
        _element(klass, "klassifikasjonssystemID", entry.classification[0])
        _element(klass, "klasseID", entry.classification[1])
    _external_key(folder, "referanseEksternNoekkel", entry.case_key)
    if entry.received is not None:
        _element(folder, "saksdato", entry.received.isoformat())
    if entry.administrative_unit:
        unit = _element(folder, "administrativEnhet")  # identifikatorer: navn, …
        _element(unit, "navn", entry.administrative_unit, CATALOGUE)
    if entry.property is not None and entry.kommunenummer:
        gnr, bnr, fnr, snr = entry.property
        number = _element(folder, "matrikkelnummer")
        _element(number, "kommunenummer", entry.kommunenummer)
        _element(number, "gardsnummer", gnr)
        _element(number, "bruksnummer", bnr)
        if fnr:
            _element(number, "festenummer", fnr)
        if snr:
            _element(number, "seksjonsnummer", snr)

    record = _element(root, "registrering")
    record.set(f"{{{XSI}}}type", "journalpost")
    parent = _element(record, "referanseForelderMappe")
    _external_key(parent, "referanseEksternNoekkel", entry.case_key, CATALOGUE)
    document = _element(record, "dokumentbeskrivelse")
    _code(document, "dokumenttype", "KORR", "Korrespondanse")
    _code(document, "dokumentstatus", "F", "Dokumentet er ferdigstilt")
    _element(document, "tittel", entry.letter_title)
    _code(document, "tilknyttetRegistreringSom", "H", "Hoveddokument")
    _element(document, "dokumentnummer", 1)
    item = _element(document, "dokumentobjekt")
    _element(item, "versjonsnummer", entry.letter_version)
    _code(item, "variantformat", "P", "Produksjonsformat")
    _code(item, "format", "RA-PDF", "PDF")
    _element(item, "mimeType", "application/pdf")
    _element(item, "filnavn", entry.pdf_name)
    _element(item, "referanseDokumentfil", entry.pdf_name)
    _element(item, "sjekksum", hashlib.sha256(entry.pdf).hexdigest())
    _element(item, "sjekksumAlgoritme", "SHA-256")
    _element(item, "filstoerrelse", len(entry.pdf))
    _element(record, "tittel", entry.letter_title)
    party = _element(record, "korrespondansepart")
    _code(party, "korrespondanseparttype", "EM", "Mottaker")
    _element(party, "korrespondansepartNavn", entry.recipient_name)
    if entry.recipient_organisation:
        _element(party, "organisasjonid", entry.recipient_organisation)
    elif entry.recipient_national_id:
        _element(party, "personid", entry.recipient_national_id)
    if entry.recipient_street:
        _element(party, "postadresse", entry.recipient_street)
    if entry.recipient_postal_code:
        _element(party, "postnummer", entry.recipient_postal_code)
    if entry.recipient_city:
        _element(party, "poststed", entry.recipient_city)
    if entry.recipient_email:
        _element(party, "epostadresse", entry.recipient_email)
    _element(party, "erPersonnavn", "false" if entry.recipient_organisation else "true")
    _external_key(record, "referanseEksternNoekkel", entry.key)
    _code(record, "journalposttype", "U", "Utgående dokument")
    _code(record, "journalstatus", "E", "Ekspedert")
    _element(record, "dokumentetsDato", entry.document_date.isoformat())
    _element(record, "sendtDato", entry.sent.isoformat(timespec="seconds"))
    _element(record, "antallVedlegg", 0)

    xml: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    validate_arkivmelding(xml)
    return xml


@cache
def arkivmelding_schema() -> xmlschema.XMLSchema:
    """The official arkivmelding (opprett) XSD, loaded once."""
    return xmlschema.XMLSchema(SCHEMAS / f"{ARKIVMELDING_TYPE}.xsd")


def validate_arkivmelding(xml: bytes) -> None:
    """Raise ArkivmeldingError naming the first problem if `xml` breaks the XSD."""
    resource = xmlschema.XMLResource(io.BytesIO(xml), defuse="always", allow="none")
    errors: list[Any] = list(arkivmelding_schema().iter_errors(resource))
    if errors:
        first = errors[0]
        raise ArkivmeldingError(
            f"Arkivmeldingen er ikke gyldig etter Fiks Arkiv-skjemaet: {first.path}: "
            f"{first.reason}",
            fix="Dette er en feil i saksrobot eller i saksdataene; gi driftsansvarlig "
            "saksnummeret.",
        )
