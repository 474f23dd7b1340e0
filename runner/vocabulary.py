"""The words a caseworker or citizen reads for saksrobot's codes, in bokmål and nynorsk.

One place for every case state, history event, role, outcome, rule result and outbox
state: the review page (through `words(malform)`) and any other reader use these, never
the codes. tests/test_vocabulary.py fails when a CaseState member, a role, an event the code
records or an outcome a rule set or robot uses has no word here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

__all__ = ["KINDS", "Word", "word", "words"]

#: Pair = (bokmål, nynorsk).
Pair = tuple[str, str]

STATES: dict[str, Pair] = {
    "received": ("Mottatt", "Motteke"),
    "quarantined": ("I karantene", "I karantene"),
    "validated": ("Kontrollert", "Kontrollert"),
    "evaluated": ("Vurdert etter reglene", "Vurdert etter reglane"),
    "pending_review": ("Venter på saksbehandler", "Ventar på sakshandsamar"),
    "approved": ("Godkjent", "Godkjend"),
    "rejected": ("Avsluttet uten brev", "Avslutta utan brev"),
    "returned": ("Sendt tilbake", "Send tilbake"),
    "finalised": ("Ferdigstilt", "Ferdigstilt"),
    "sent": ("Sendt", "Sendt"),
    "parked": ("Stoppet av teknisk feil", "Stoppa av teknisk feil"),
}

EVENTS: dict[str, Pair] = {
    "received": ("Mottatt", "Motteke"),
    "validated": ("Kontrollert", "Kontrollert"),
    "evaluated": ("Vurdert etter reglene", "Vurdert etter reglane"),
    "drafted": ("Brevutkast skrevet", "Brevutkast skrive"),
    "letter_edited": ("Brevet redigert", "Brevet redigert"),
    "letter_edits_kept": (
        "Nytt utkast med endringene i brevet",
        "Nytt utkast med endringane i brevet",
    ),
    "letter_edits_conflict": (
        "Nytt utkast: endringer i brevet kunne ikke føres over",
        "Nytt utkast: endringar i brevet kunne ikkje førast over",
    ),
    "outcome_changed": ("Utfall endret", "Utfall endra"),
    "approved": ("Godkjent", "Godkjend"),
    "rejected": ("Avsluttet uten brev", "Avslutta utan brev"),
    "returned": ("Sendt tilbake", "Send tilbake"),
    "finalised": ("Brevet ferdigstilt", "Brevet ferdigstilt"),
    "sent": ("Brevet sendt", "Brevet sendt"),
    "letter_status": ("Ny leveransestatus for brevet", "Ny leveransestatus for brevet"),
    "archive_received": ("Mottatt av arkivet", "Motteke av arkivet"),
    "archive_filed": ("Arkivert", "Arkivert"),
    "archive_failed": ("Arkivet avviste arkivmeldingen", "Arkivet avviste arkivmeldinga"),
    "quarantined": ("Satt i karantene", "Sett i karantene"),
    "quarantine_handled": ("Karantene håndtert", "Karantene handtert"),
    "parked": ("Stoppet av teknisk feil", "Stoppa av teknisk feil"),
    "resubmitted": ("Sendt inn på nytt", "Send inn på nytt"),
    "retried": ("Prøvd på nytt", "Prøvd på nytt"),
    "assigned": ("Tildelt", "Tildelt"),
    "handed_back": ("Lagt tilbake i køen", "Lagd tilbake i køen"),
    "viewed": ("Lest", "Lese"),
    "forelopig_svar_sent": ("Foreløpig svar sendt", "Førebels svar sendt"),
    "points_answered": ("Åpne punkter avgjort", "Opne punkt avgjorde"),
    "note_added": ("Internt notat skrevet", "Internt notat skrive"),
    "personal_data_removed": (
        "Personopplysninger slettet etter oppbevaringstiden",
        "Personopplysningar sletta etter oppbevaringstida",
    ),
}

ROLES: dict[str, Pair] = {
    "caseworker": ("Saksbehandler", "Sakshandsamar"),
    "lead": ("Fagleder", "Fagleiar"),
    "admin": ("Administrator", "Administrator"),
    "deployment_admin": ("Driftsadministrator", "Driftsadministrator"),
}

OUTCOMES: dict[str, Pair] = {
    "innvilget": ("Innvilget", "Innvilga"),
    "avslag": ("Avslag", "Avslag"),
    "ikke_soknadspliktig": ("Ikke søknadspliktig", "Ikkje søknadspliktig"),
    "mangler_dokumentasjon": ("Mangler dokumentasjon", "Manglar dokumentasjon"),
    "til_vurdering": ("Til vurdering", "Til vurdering"),
    "avvist": ("Avvist", "Avvist"),
}

RESULTS: dict[str, Pair] = {
    "oppfylt": ("oppfylt", "oppfylt"),
    "ikke_oppfylt": ("ikke oppfylt", "ikkje oppfylt"),
    "uavklart": ("uavklart", "uavklart"),
    "ikke_aktuelt": ("ikke aktuelt", "ikkje aktuelt"),
}

OUTBOX: dict[str, Pair] = {
    "pending": ("Venter på sending", "Ventar på sending"),
    "sending": ("Sendes nå", "Blir send no"),
    "sent": ("Sendt", "Sendt"),
    "needs_human": ("Må sendes manuelt", "Må sendast manuelt"),
}

CHANNELS: dict[str, Pair] = {
    "folder": ("Mappe (arkiv)", "Mappe (arkiv)"),
    "smtp": ("E-post", "E-post"),
    "workitems": ("Arbeidskø", "Arbeidskø"),
    "fiksio": ("Fiks IO", "Fiks IO"),
    "svarut": ("SvarUt", "SvarUt"),
}

#: SvarUt's delivery statuses (its API's ForsendelseStatus), as a caseworker reads them.
DELIVERY: dict[str, Pair] = {
    "MOTTATT": ("Mottatt av SvarUt", "Motteke av SvarUt"),
    "AKSEPTERT": ("Godtatt av SvarUt", "Godteke av SvarUt"),
    "AVVIST": ("Avvist av SvarUt", "Avvist av SvarUt"),
    "VARSLET": ("Mottakeren er varslet", "Mottakaren er varsla"),
    "LEST": ("Lest av mottakeren", "Lese av mottakaren"),
    "SENDT_PRINT": ("Sendt til utskrift (papirpost)", "Send til utskrift (papirpost)"),
    "PRINTET": ("Skrevet ut og sendt som brev", "Skrive ut og send som brev"),
    "MANUELT_HANDTERT": ("Håndtert manuelt", "Handtert manuelt"),
    "SENDT_DIGITALT": ("Sendt digitalt", "Send digitalt"),
    "SENDT_SDP": ("Sendt til digital postkasse", "Send til digital postkasse"),
    "LEVERT_SDP": ("Levert i digital postkasse", "Levert i digital postkasse"),
    "KLAR_FOR_MOTTAK": ("Klar for mottak", "Klar for mottak"),
    "IKKE_LEVERT": ("Ikke levert", "Ikkje levert"),
}

SOURCES: dict[str, Pair] = {
    "folder": ("saksfil", "saksfil"),
    "pdfform": ("PDF-skjema", "PDF-skjema"),
    "excel": ("rad i regneark", "rad i rekneark"),
    "imap": ("e-post", "e-post"),
    "workitems": ("arbeidsoppgave", "arbeidsoppgåve"),
    "fiksio": ("Fiks IO-melding", "Fiks IO-melding"),
}

#: kind → its words; `word(kind, code, malform)` looks up here.
KINDS: Mapping[str, Mapping[str, Pair]] = {
    "state": STATES,
    "event": EVENTS,
    "role": ROLES,
    "outcome": OUTCOMES,
    "result": RESULTS,
    "outbox": OUTBOX,
    "channel": CHANNELS,
    "source": SOURCES,
    "delivery": DELIVERY,
}


class Word(NamedTuple):
    """A code to be shown as its word in the reader's målform (e.g. in an error's values)."""

    kind: str
    code: str | None


def word(kind: str, code: str | None, malform: str) -> str:
    """The word for `code` (a state, event, role, …) in the målform ('nn' or else bokmål).

    A code with no word yet is shown with spaces for underscores, never as an error: a page
    must not fail over a new event; the vocabulary test catches the gap.
    """
    if code is None or code == "":
        return "–"
    pair = KINDS.get(kind, {}).get(str(code))
    if pair is None:
        return str(code).replace("_", " ")
    return pair[1] if malform == "nn" else pair[0]


def words(malform: str) -> Callable[[str, str | None], str]:
    """word() bound to one målform, for templates: word('state', case.state)."""

    def bound(kind: str, code: str | None) -> str:
        return word(kind, code, malform)

    return bound
