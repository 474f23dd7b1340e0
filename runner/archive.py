"""The decision record next to each letter: JSON with the metadata a Noark 5 archive needs.

Written when a letter is finalised, as ``<key>.json`` beside ``<key>.pdf``: the record a
kommune without an archive integration keeps with its letters (the folder channel) and the
work-items channel's payload. A kommune with `[fiks_arkiv]` files each sent decision in its
archive over Fiks Arkiv instead (runner/fiksarkiv/: the official arkivmelding); this record is
then only the local copy. It holds saksmappe (case), journalpost (the outgoing letter, with its
parties), dokumentobjekt (the file, its size and SHA-256) and the decision (outcome, route,
rule set id, version and hash).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from runner.models.robot import RobotDefinition
from runner.settings import Settings
from runner.store.records import CaseRecord, DecisionRecord, LetterRecord

SCHEMA = "saksrobot.vedtaksdokument/1"


def record_path(letter_pdf: Path) -> Path:
    """Where the decision record of a letter lives: the same name with .json."""
    return letter_pdf.with_suffix(".json")


def decision_record(
    *,
    case: CaseRecord,
    letter: LetterRecord,
    decision: DecisionRecord,
    robot: RobotDefinition,
    settings: Settings,
    pdf_path: Path,
    sha256: str,
    size: int,
    document_date: date,
    key: str,
) -> dict[str, Any]:
    """The record as a JSON-able dict (Noark 5 element names where Noark has one)."""
    data = case.data
    applicant = data.get("applicant", {})
    address = applicant.get("address", {})
    title = robot.title.nn if letter.malform == "nn" else robot.title.nb
    kommune = settings.kommune_for(case.kommunenummer)
    department = kommune.letterhead.department_for(case.case_type, letter.malform)
    return {
        "schema": SCHEMA,
        "saksmappe": {
            "saksnummer": case.reference,
            "tittel": f"{title} – {data.get('property', {}).get('address', '')}".rstrip(" –"),
            "saksdato": str(data.get("received_at", ""))[:10] or None,
            "kommunenummer": case.kommunenummer,
            "administrativEnhet": department or kommune.name,
            "sakstype": case.case_type,
            "saksrobot_sak_id": case.id,
        },
        "journalpost": {
            "journalposttype": "U",  # utgående dokument
            "tittel": f"Vedtak – {title}",
            "dokumentetsDato": document_date.isoformat(),
            "korrespondansepart": [
                {
                    "korrespondanseparttype": "Mottaker",
                    "korrespondansepartNavn": applicant.get("name"),
                    "postadresse": [address.get("street", "")],
                    "postnummer": address.get("postal_code"),
                    "poststed": address.get("city"),
                    "epostadresse": applicant.get("email"),
                },
                {"korrespondanseparttype": "Avsender", "korrespondansepartNavn": kommune.name},
            ],
        },
        "dokumentbeskrivelse": {
            "tittel": f"Vedtak – {title}",
            "tilknyttetRegistreringSom": "Hoveddokument",
            "dokumentobjekt": {
                "versjonsnummer": letter.version,
                "variantformat": "Produksjonsformat",
                "format": "PDF",
                "referanseDokumentfil": pdf_path.name,
                "sjekksum": sha256,
                "sjekksumAlgoritme": "SHA-256",
                "filstoerrelse": size,
            },
        },
        "vedtak": {
            "utfall": decision.outcome,
            "rute": decision.route,
            "grunner": list(decision.reasons),
            "vedtaksdato": decision.decision_date,
            "regelsett": {
                "id": decision.rule_set_id,
                "versjon": decision.rule_set_version,
                "hash": decision.rule_set_hash,
            },
            "mal": {"id": letter.template_id, "hash": letter.template_hash},
            "maalform": letter.malform,
            "godkjent_av": letter.approved_by,
            "robot": {"id": robot.id, "versjon": robot.version},
            "utsendingsnokkel": key,
        },
    }


def record_bytes(record: dict[str, Any]) -> bytes:
    """The record as the file beside the letter holds it (UTF-8 JSON, indented)."""
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    return text.encode("utf-8")
