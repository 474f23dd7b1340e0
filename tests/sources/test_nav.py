"""NAV's digital sosialhjelp søknad → the case: fields, unknown codes, NAV paths, end to end."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from runner.errors import CaseValidationError
from runner.models import SosialhjelpCase
from runner.rules import evaluate, load_rule_set
from runner.settings import CONTENT_ROOT, Settings
from runner.sources.nav import nav_case, nav_to_case
from runner.store import Store, open_store
from tests.sources.helpers import run

FIXTURE = Path(__file__).parent / "fixtures" / "nav-soknad.json"
HASH = "0123456789abcdef" * 4
ARRIVED = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def _document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def _map(document: dict[str, Any]) -> dict[str, Any]:
    return nav_to_case("soknad.json", document, content_hash=HASH, received_at=ARRIVED)


def _evaluate(settings: Settings, document: dict[str, Any]) -> dict[str, str]:
    case = nav_case(
        "soknad.json",
        json.dumps(document).encode("utf-8"),
        "sosialhjelp",
        content_hash=HASH,
        received_at=ARRIVED,
    )
    assert isinstance(case, SosialhjelpCase)
    day = case.case_date()
    rule_set = load_rule_set(CONTENT_ROOT / "rules" / "sosialhjelp-livsopphold")
    norms = settings.kommune.rule_parameters("sosialhjelp", day)
    evaluation = evaluate(rule_set, case, on=day, kommune=norms)
    decision = evaluation.decision
    results = {r.rule_id: str(r.outcome) for r in evaluation.results}
    return results | {"_outcome": decision.outcome, "_route": str(decision.route)}


def test_fields_are_mapped() -> None:
    case = _map(_document())
    applicant = case["applicant"]
    assert applicant["name"] == "Kari Testsøker Nordmann"
    assert applicant["national_id"] == "14038845250"
    assert applicant["account_number"] == "99758833220"
    assert applicant["address"] == {
        "street": "Storgata 7",
        "postal_code": "5300",
        "city": "Kleppestø",
    }
    assert case["kommunenummer"] == "4627"
    assert case["reference"] == "SH-N-0123456789"
    assert case["received_at"] == "2026-11-03T09:15:00+00:00"  # innsendingstidspunkt
    assert case["period"] == "2026-11"
    assert case["household"] == {
        "adults": 1,
        "shared_housing": False,
        "children": [{"birth_date": "2019-08-02"}],
    }
    assert case["housing"] == {
        "kind": "leier",
        "rent": 9500,
        "electricity": 900,
        "housing_allowance": 0,
    }
    assert case["income"] == [{"kind": "dagpenger", "amount": 10400, "documented": True}]
    assert case["assets"] == {"bank_deposits": 1200, "other": 0}
    assert case["request"]["kind"] == "livsopphold"
    assert "Dagpengene dekker ikke" in case["request"]["reason"]
    # Only uploaded attachments count, under the kinds the rules look for.
    assert case["attachments"] == [
        {"kind": "husleiekontrakt", "file": "husleiekontrakt.pdf"},
        {"kind": "stromregning", "file": "stromregning-oktober.pdf"},
    ]


def test_couple_and_emergency_and_typed_in_income() -> None:
    document = _document()
    data = document["data"]
    data["familie"]["sivilstatus"] = {"kilde": "bruker", "status": "gift", "borSammenMed": True}
    data["begrunnelse"]["hvaSokesOm"] = "Nødhjelp til mat i dag"
    data["okonomi"]["oversikt"]["inntekt"].append(
        {
            "kilde": "bruker",
            "type": "jobb",
            "tittel": "Lønn",
            "brutto": 3000,
            "overstyrtAvBruker": False,
        }
    )
    data["bosituasjon"]["antallPersoner"] = 4
    case = _map(document)
    assert case["household"]["adults"] == 2
    # "gift" is the spouse the couple-rate rule looks for, not an adult of unknown relation.
    assert case["household"]["other_adults"] == [{"relationship": "ektefelle"}]
    assert case["household"]["shared_housing"] is True  # four live there, three in the household
    assert case["request"]["kind"] == "nodhjelp"
    assert case["income"][1] == {"kind": "lonn", "amount": 3000, "documented": False}


@pytest.mark.parametrize(
    ("status", "relationship"), [("gift", "ektefelle"), ("samboer", "samboer")]
)
def test_a_couple_from_nav_gets_the_couple_rate_question_settled(
    settings: Settings, status: str, relationship: str
) -> None:
    document = _document()
    document["data"]["familie"]["sivilstatus"] = {"kilde": "bruker", "status": status}
    case = _map(document)
    assert case["household"]["other_adults"] == [{"relationship": relationship}]
    assert _evaluate(settings, document)["par"] == "oppfylt"


def test_a_spouse_living_elsewhere_is_not_in_the_household() -> None:
    document = _document()
    status = {"kilde": "bruker", "status": "gift", "borSammenMed": False}
    document["data"]["familie"]["sivilstatus"] = status
    household = _map(document)["household"]
    assert household["adults"] == 1
    assert "other_adults" not in household


def test_the_fixture_is_granted_by_the_rules(settings: Settings) -> None:
    assert _evaluate(settings, _document())["_outcome"] == "innvilget"


def test_unknown_codes_make_the_case_unclear_never_crash(settings: Settings) -> None:
    document = _document()
    okonomi = document["data"]["okonomi"]
    okonomi["opplysninger"]["utbetaling"] = [
        {"kilde": "system", "type": "navytelse", "tittel": "Ukjent ytelse", "netto": 812.6},
        "not an object",
    ]
    okonomi["oversikt"]["formue"].append({"kilde": "bruker", "type": "kryptovaluta", "belop": 5000})
    okonomi["oversikt"]["utgift"].append(
        {"kilde": "bruker", "type": "barnehage", "tittel": "Barnehage", "belop": 1400}
    )
    document["data"]["bosituasjon"]["botype"] = "venner"
    case = _map(document)
    assert {"kind": "navytelse", "amount": 813, "documented": True} in case["income"]
    assert case["assets"]["other"] == 5000
    assert case["housing"]["kind"] == "annet"
    assert "Barnehage 1400 kr" in case["request"]["reason"]
    results = _evaluate(settings, document)
    assert results["inntektstyper"] == "uavklart"
    assert results["annen_formue"] == "uavklart"
    assert results["_route"] == "review"  # any uavklart rule: a caseworker decides


def _problems(document: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(CaseValidationError) as caught:
        nav_case(
            "soknad.json",
            json.dumps(document).encode("utf-8"),
            "sosialhjelp",
            content_hash=HASH,
            received_at=ARRIVED,
        )
    return {p.location: p.reason for p in caught.value.problems}


def test_missing_pieces_are_quarantined_with_the_nav_path() -> None:
    document = copy.deepcopy(_document())
    data = document["data"]
    del data["personalia"]["kontonummer"]["verdi"]
    del document["mottaker"]
    del data["familie"]["forsorgerplikt"]["ansvar"][0]["barn"]["fodselsdato"]
    del data["okonomi"]["oversikt"]["inntekt"][0]["netto"]
    del data["okonomi"]["oversikt"]["inntekt"][0]["brutto"]
    data["personalia"].pop("oppholdsadresse")
    data["personalia"].pop("folkeregistrertAdresse")
    assert set(_problems(document)) == {
        "data.personalia.kontonummer.verdi",
        "mottaker.kommunenummer",
        "data.familie.forsorgerplikt.ansvar[0].barn.fodselsdato",
        "data.okonomi.oversikt.inntekt[0].netto",
        "data.personalia.oppholdsadresse",
    }
    assert _problems({"version": "1"}) == {"data": "mangler i NAV-søknaden"}


def test_model_errors_name_the_nav_field() -> None:
    document = _document()
    document["data"]["personalia"]["personIdentifikator"]["verdi"] = "12345678901"
    (location, reason), *_ = _problems(document).items()
    assert location == "data.personalia.personIdentifikator.verdi (applicant.national_id)"
    assert "kontrollsiffer" in reason


def test_end_to_end_through_the_nav_robot(settings: Settings, tmp_path: Path) -> None:
    store: Store = open_store(settings.database_url)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "soknad-1.json").write_bytes(FIXTURE.read_bytes())
    broken = _document()
    del broken["data"]["personalia"]["kontonummer"]["verdi"]
    (inbox / "soknad-2.json").write_text(json.dumps(broken), encoding="utf-8")
    reports = run(settings, store, "sosialhjelp-nav", inbox)
    good, bad = reports["soknad-1.json"], reports["soknad-2.json"]
    assert good.state == "pending_review", good.errors  # every welfare draft is reviewed
    case = store.get_case(good.case_id)
    assert case.outcome == "innvilget" and case.reference is not None
    assert case.reference.startswith("SH-N-") and case.deadline is not None
    assert bad.state == "quarantined"
    assert [e["field"] for e in bad.errors] == ["data.personalia.kontonummer.verdi"]
