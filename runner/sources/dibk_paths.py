"""Every element of DiBK's "søknad om tiltak uten ansvarsrett" the mapping reads, in one table.

`FormPath` is the table: each member is an element's path from the root element (without
positions) and how the mapping reads it. The mapper (runner/sources/dibk.py) reads elements
only through it, and the schema check (runner/sources/dibk_schema.py) walks the configured XSD
for every member, so a schema the mapping cannot read is found before an application arrives.
"""

from __future__ import annotations

from enum import Enum, unique
from typing import Literal

NAMESPACE = "http://skjema.kxml.no/dibk/tiltakutenansvarsrett/3.0"
ROOT = "TiltakUtenAnsvarsrett"

#: How the mapping reads an element: only that it is there (a container), its text as it
#: is, or its text as a number, whole number, yes/no or date. "number or text" and
#: "integer or text": the form carries the value as free text (xs:string) and the mapping
#: parses it, naming the path of a value that is not a number.
Reads = Literal[
    "element", "text", "number", "number or text", "integer", "integer or text", "boolean", "date"
]


@unique
class FormPath(Enum):
    """The elements the mapping reads: (path from the root element, how it is read)."""

    ESTATE = ("eiendomByggested/eiendom", "element")
    KOMMUNENUMMER = ("eiendomByggested/eiendom/eiendomsidentifikasjon/kommunenummer", "text")
    GNR = ("eiendomByggested/eiendom/eiendomsidentifikasjon/gaardsnummer", "integer")
    BNR = ("eiendomByggested/eiendom/eiendomsidentifikasjon/bruksnummer", "integer")
    FNR = ("eiendomByggested/eiendom/eiendomsidentifikasjon/festenummer", "integer")
    SNR = ("eiendomByggested/eiendom/eiendomsidentifikasjon/seksjonsnummer", "integer")
    ESTATE_STREET = ("eiendomByggested/eiendom/adresse/adresselinje1", "text")
    ESTATE_POSTAL_CODE = ("eiendomByggested/eiendom/adresse/postnr", "text")
    ESTATE_CITY = ("eiendomByggested/eiendom/adresse/poststed", "text")
    APPLICANT = ("tiltakshaver", "element")
    APPLICANT_KIND = ("tiltakshaver/partstype/kodeverdi", "text")
    APPLICANT_ID = ("tiltakshaver/foedselsnummer", "text")
    APPLICANT_NAME = ("tiltakshaver/navn", "text")
    APPLICANT_EMAIL = ("tiltakshaver/epost", "text")
    APPLICANT_STREET = ("tiltakshaver/adresse/adresselinje1", "text")
    APPLICANT_POSTAL_CODE = ("tiltakshaver/adresse/postnr", "text")
    APPLICANT_CITY = ("tiltakshaver/adresse/poststed", "text")
    MEASURE_TYPE = ("beskrivelseAvTiltak/type", "element")
    MEASURE_TYPE_CODE = ("beskrivelseAvTiltak/type/kodeverdi", "text")
    PURPOSE = ("beskrivelseAvTiltak/bruk/tiltaksformaal", "element")
    PURPOSE_CODE = ("beskrivelseAvTiltak/bruk/tiltaksformaal/kodeverdi", "text")
    DESCRIPTION = ("beskrivelseAvTiltak/bruk/beskrivPlanlagtFormaal", "text")
    USABLE_AREA = ("beskrivelseAvTiltak/BRA", "number or text")
    BUILT_AREA = ("rammebetingelser/arealdisponering/arealBebyggelseNytt", "number")
    DISTANCE_TO_BOUNDARY = ("rammebetingelser/plassering/minsteAvstandNabogrense", "number")
    DISTANCE_TO_BUILDINGS = ("rammebetingelser/plassering/minsteAvstandTilAnnenBygning", "number")
    OVER_PIPES = ("rammebetingelser/plassering/konfliktVannOgAvloepsanlegg", "boolean")
    PLAN_NAME = ("rammebetingelser/plan/gjeldendePlan/navn", "text")
    DISPENSATION = ("dispensasjon/dispensasjon", "element")
    DISPENSATION_CODE = ("dispensasjon/dispensasjon/dispensasjonstype/kodeverdi", "text")
    DISPENSATION_REASON = ("dispensasjon/dispensasjon/begrunnelse", "text")
    NOTICE_EXEMPT = ("varsling/fritattFraNabovarsling", "boolean")
    HAS_REMARKS = ("varsling/foreliggerMerknader", "boolean")
    REMARKS = ("varsling/antallMerknader", "integer or text")
    DEVELOPED = ("tilleggsopplysninger/eiendomErBebygd", "boolean")
    RIDGE_HEIGHT = ("tilleggsopplysninger/moenehoeyde", "number")
    EAVES_HEIGHT = ("tilleggsopplysninger/gesimshoeyde", "number")
    LENGTH = ("tilleggsopplysninger/lengde", "number")
    STOREYS = ("tilleggsopplysninger/antallEtasjer", "integer")
    BASEMENT = ("tilleggsopplysninger/harKjeller", "boolean")
    NOTICE_SENT_ON = ("tilleggsopplysninger/nabovarselSendtDato", "date")
    BOUNDARY_CONSENT = ("tilleggsopplysninger/samtykkeByggingNaerNabogrense", "boolean")
    ATTACHMENT = ("tilleggsopplysninger/vedlegg", "element")
    ATTACHMENT_CODE = ("tilleggsopplysninger/vedlegg/vedleggstype/kodeverdi", "text")
    ATTACHMENT_FILE = ("tilleggsopplysninger/vedlegg/filnavn", "text")

    @property
    def path(self) -> str:
        """The element's path from the root element, without positions."""
        path: str = self.value[0]
        return path

    @property
    def reads(self) -> Reads:
        """How the mapping reads the element."""
        reads: Reads = self.value[1]
        return reads

    def below(self, parent: FormPath) -> str:
        """The path from `parent` (a repeated element the mapping reads one by one)."""
        prefix = f"{parent.path}/"
        if not self.path.startswith(prefix):
            raise ValueError(f"{self.path} is not below {parent.path}")
        return self.path.removeprefix(prefix)

    def at(self, parent: FormPath, position: int) -> str:
        """The path with the position of `parent` in it, as a problem names it
        (`eiendomByggested/eiendom[1]/eiendomsidentifikasjon/gaardsnummer`)."""
        inside = self.below(parent) if self is not parent else ""
        return f"{parent.path}[{position}]" + (f"/{inside}" if inside else "")
