"""Fixtures for the letter tests: the shipped templates, a sample byggesak context, a renderer."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from stdnum.no import fodselsnummer

from runner.kommuner.settings import KommuneSettings
from runner.letters import LetterTemplates, PdfRenderer
from runner.models import ByggesakCase
from runner.settings import CONTENT_ROOT

#: The shared example case (byggesak-garasje.json), received in January.
EXAMPLE_CASE: dict[str, Any] = {
    "case_type": "byggesak",
    "reference": "BS-2026-000417",
    "received_at": "2026-01-21T14:02:00+01:00",
    "kommunenummer": "4627",
    "malform": "nn",
    "applicant": {
        "name": "Synnøve Testesen",
        "national_id": "24118812345",
        "address": {"street": "Kleppevegen 7", "postal_code": "5300", "city": "Kleppestø"},
        "email": "synnove@example.no",
    },
    "property": {
        "gnr": 3,
        "bnr": 118,
        "fnr": 0,
        "snr": 0,
        "address": "Kleppevegen 7, 5300 Kleppestø",
        "is_developed": True,
    },
    "measure": {
        "kind": "frittliggende_bygning",
        "use": "garasje",
        "for_habitation": False,
        "built_area_m2": 42.5,
        "usable_area_m2": 40.0,
        "ridge_height_m": 3.9,
        "eaves_height_m": 2.8,
        "storeys": 1,
        "has_basement": False,
        "distance_to_boundary_m": 1.8,
        "distance_to_buildings_m": 4.0,
        "over_pipes": False,
        "description": "Frittliggjande garasje i tre med saltak",
    },
    "plan": {"conforms": True, "plan_id": "4627-2011003"},
    "neighbour_notice": {"sent_on": "2026-01-01", "objections": 0, "boundary_consent": False},
    "dispensation_requested": False,
    "attachments": [{"kind": "situasjonsplan", "file": "BS-2026-000417/situasjonsplan.pdf"}],
}

OUTCOMES = ("ikke_soknadspliktig", "innvilget", "avslag", "avvist", "mangler_dokumentasjon")
LOVDATA_SAK10 = "https://lovdata.no/forskrift/2010-03-26-488/§3-1"
RULES: list[dict[str, Any]] = [
    {
        "id": "bebygd_eiendom",
        "title": "Eigedomen er bebygd",
        "outcome": "oppfylt",
        "legal_basis": [{"ref": "SAK10 § 3-1 første ledd bokstav a", "url": LOVDATA_SAK10}],
        "explanation": "Det står bygningar på eigedomen frå før.",
    },
    {
        "id": "areal",
        "title": "Bebygd areal er høgst 70 m²",
        "outcome": "oppfylt",
        "legal_basis": [{"ref": "SAK10 § 3-1 første ledd bokstav a", "url": LOVDATA_SAK10}],
        "explanation": "Garasjen har BYA 42,5 m².",
    },
    {
        "id": "avstand_nabogrense",
        "title": "Avstand til nabogrensa",
        "outcome": "ikke_oppfylt",
        "legal_basis": [
            {"ref": "pbl. § 29-4", "url": "https://lovdata.no/lov/2008-06-27-71/§29-4"}
        ],
        "explanation": "Avstanden er 1,8 m; han må vere minst 4 m utan samtykke frå naboen.",
    },
    {
        "id": "plan",
        "title": "Tiltaket følgjer arealplanen",
        "outcome": "uavklart",
        "legal_basis": [],
        "explanation": "Søknaden seier ikkje kva plan som gjeld.",
    },
]


def valid_national_id(first_nine: str = "241188123") -> str:
    """A fødselsnummer with correct check digits (synthetic)."""
    first = fodselsnummer.calc_check_digit1(first_nine)
    return first_nine + first + fodselsnummer.calc_check_digit2(first_nine + first)


def sample_case(**changes: Any) -> dict[str, Any]:
    """The example case as the pipeline passes it: validated, dumped in JSON mode."""
    raw = json.loads(json.dumps(EXAMPLE_CASE))
    raw["applicant"]["national_id"] = valid_national_id()
    for dotted, value in changes.items():
        target = raw
        *path, last = dotted.split("__")
        for key in path:
            target = target[key]
        target[last] = value
    return ByggesakCase.model_validate(raw).model_dump(mode="json")


@pytest.fixture(scope="session")
def kommune() -> KommuneSettings:
    return KommuneSettings.model_validate(
        {
            "kommunenummer": "4627",
            "name": "Askøy kommune",
            "letterhead": {
                "title": "Askøy kommune",
                "department": {"nb": "Byggesak", "nn": "Byggesak"},
                "postal_address": "Postboks 323, 5323 Kleppestø",
                "visiting_address": "Klampavikvegen 1, Kleppestø",
                "phone": "56 15 80 00",
                "email": "postmottak@askoy.kommune.no",
                "web": "askoy.kommune.no",
                "org_number": "964 338 442",
            },
            "appeal_body": {"byggesak": "Statsforvaltaren i Vestland"},
        }
    )


@pytest.fixture
def make_context(kommune: KommuneSettings) -> Callable[..., dict[str, Any]]:
    """A letter context as in the pipeline's contract; keyword arguments replace entries."""

    def build(outcome: str = "innvilget", **overrides: Any) -> dict[str, Any]:
        failed = [rule for rule in RULES if rule["outcome"] in ("ikke_oppfylt", "uavklart")]
        context: dict[str, Any] = {
            "case": sample_case(),
            "kommune": kommune.model_dump(mode="json"),
            "decision": {
                "outcome": outcome,
                "route": "auto",
                "reasons": [rule["id"] for rule in failed],
                "automatic": True,
            },
            "rules": RULES,
            "failed_rules": failed,
            "fee": 6400,
            "fee_reference": "Gebyrregulativ for byggesak 2026, kap. 2",
            "letter_date": date(2026, 1, 22),
            "appeal_deadline": date(2026, 2, 12),
            "appeal_weeks": 3,
            "byggefrist_ar": 3,
            "missing_documents": ["Situasjonsplan", "Teikningar av fasadane"],
            "reference": "BS-2026-000417",
            "appeal_body": kommune.appeal_body_for("byggesak", "nb"),
            "decided_points": [],
        }
        context.update(overrides)
        return context

    return build


@pytest.fixture(scope="session")
def templates() -> LetterTemplates:
    return LetterTemplates(CONTENT_ROOT / "templates")


@pytest.fixture(scope="session")
def renderer() -> PdfRenderer:
    return PdfRenderer()


@pytest.fixture
def template_dir(tmp_path: Path) -> Callable[[dict[str, str]], LetterTemplates]:
    """LetterTemplates over a temporary folder holding the given files."""

    def build(files: dict[str, str]) -> LetterTemplates:
        for name, text in files.items():
            path = tmp_path / "templates" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return LetterTemplates(tmp_path / "templates")

    return build
