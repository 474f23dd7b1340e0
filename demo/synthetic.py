"""Synthetic identities, byggesak and sosialhjelp cases for the demo, tests and benchmarks.

Test and demo data must use these generators, never a real person's number or address.
The fødselsnummer and kontonummer made here pass the official check digits (so the case
models accept them), which also means one may by chance equal a real person's number:
they are random, not registered anywhere, and are never paired with real data. Names are
drawn from common Norwegian and Sámi first names and made-up or common surnames.
Everything is drawn from the `random.Random` passed in, so a seed gives the same output.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from stdnum.no import fodselsnummer, kontonr

__all__ = [
    "EXPECTED_OUTCOMES",
    "PLACES",
    "SCENARIOS",
    "WELFARE_EXPECTED_OUTCOMES",
    "WELFARE_SCENARIOS",
    "byggesak_case",
    "sosialhjelp_case",
    "synthetic_fodselsnummer",
    "synthetic_kontonummer",
    "synthetic_person",
]

FIRST_NAMES = (
    "Ola", "Kari", "Synnøve", "Håkon", "Ingrid", "Bjørn", "Åse", "Øystein", "Solveig",
    "Torbjørn", "Sigrid", "Jørgen", "Marte", "Eirik", "Ragnhild", "Asbjørn", "Åshild", "Kåre",
    "Liv", "Nils", "Gro", "Sølvi", "Tore", "Mari", "Even", "Hege", "Jon", "Brit", "Trygve",
)  # fmt: skip
SAMI_FIRST_NAMES = ("Máret", "Ánde", "Áilu", "Biret", "Niillas", "Ánne", "Issát", "Sárá")
LAST_NAMES = (
    "Testesen", "Eksempelsen", "Prøvestad", "Haugland", "Sæbø", "Strøm", "Ødegård", "Kvåle",
    "Bjørnstad", "Løvås", "Åsheim", "Nordli", "Fjærvik", "Dalen", "Myrbø", "Grønås", "Vik",
    "Tveitå", "Hølland", "Brekke", "Øvrebø", "Lie", "Stølen", "Kråkenes",
)  # fmt: skip
SAMI_LAST_NAMES = ("Čávžo", "Ŋuolla", "Šiellaš", "Ŧuoddár", "Đuolbmá", "Gáivuotna", "Eira")


@dataclass(frozen=True)
class Place:
    """A postal area in a kommune, with street names for synthetic addresses."""

    postal_code: str
    city: str
    streets: tuple[str, ...]


#: Postal areas by kommunenummer, for the kommuner the synthetic data covers.
PLACES: dict[str, tuple[Place, ...]] = {
    "4627": (  # Askøy
        Place("5300", "Kleppestø", ("Kleppevegen", "Kollevågvegen", "Juvikstølen")),
        Place("5305", "Florvåg", ("Florvågvegen", "Fromrevegen")),
        Place("5306", "Erdal", ("Erdalsvegen", "Hetlevikvegen")),
        Place("5307", "Ask", ("Askvegen", "Strømsnesvegen")),
        Place("5310", "Hauglandshella", ("Follesevegen", "Hauglandsvegen")),
    ),
    "4601": (  # Bergen
        Place("5006", "Bergen", ("Kalfarveien", "Sandviksveien")),
        Place("5055", "Bergen", ("Fjøsangerveien", "Solheimsgaten")),
        Place("5141", "Fyllingsdalen", ("Dag Hammarskjølds vei", "Vilhelm Bjerknes vei")),
        Place("5258", "Blomsterdalen", ("Blomsterdalsvegen", "Kokstadvegen")),
    ),
    "0301": (  # Oslo
        Place("0184", "Oslo", ("Storgata", "Grønlandsleiret")),
        Place("0557", "Oslo", ("Thorvald Meyers gate", "Toftes gate")),
        Place("0770", "Oslo", ("Holmenkollveien", "Slemdalsveien")),
        Place("1150", "Oslo", ("Lambertseterveien", "Bjørnåsveien")),
    ),
    "5001": (  # Trondheim
        Place("7010", "Trondheim", ("Kongens gate", "Olav Tryggvasons gate")),
        Place("7030", "Trondheim", ("Elgeseter gate", "Klostergata")),
        Place("7045", "Trondheim", ("Innherredsveien", "Mellomveien")),
        Place("7089", "Heimdal", ("Heimdalsvegen", "Kattemveien")),
    ),
}

_FNR_WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_FNR_WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_KONTONR_WEIGHTS = (6, 7, 8, 9, 4, 5, 6, 7, 8, 9)
_ATTEMPTS = 1000
# Letters that Unicode does not decompose into a base letter plus an accent.
_ASCII_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "đ": "d", "ŋ": "n", "ŧ": "t"})


# --- identities ---------------------------------------------------------------------------


def _individual_numbers(year: int) -> tuple[range, ...]:
    """Individual numbers (digits 7–9) that place a birth in `year` (Skatteetaten's ranges)."""
    if 1854 <= year <= 1899:
        return (range(500, 750),)
    if 1900 <= year <= 1939:
        return (range(0, 500),)
    if 1940 <= year <= 1999:
        return (range(0, 500), range(900, 1000))
    if 2000 <= year <= 2039:
        return (range(500, 1000),)
    raise ValueError(f"No fødselsnummer series covers birth year {year} (1854–2039).")


def _mod11_check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The check digit 11 − (weighted sum mod 11), 11 → 0; None where it would be 10."""
    digit = (11 - sum(w * int(d) for w, d in zip(weights, digits, strict=True)) % 11) % 11
    return None if digit == 10 else digit


def synthetic_fodselsnummer(
    rng: random.Random, *, birth_date: date | None = None, d_number: bool = False
) -> str:
    """A synthetic fødselsnummer (or D-nummer: first digit + 4) that passes the checks."""
    if birth_date is None:
        birth_date = date.fromordinal(
            rng.randint(date(1936, 1, 1).toordinal(), date(2007, 12, 31).toordinal())
        )
    if birth_date > date.today():
        raise ValueError(f"Birth date {birth_date} lies in the future; no number can have it.")
    day = birth_date.day + (40 if d_number else 0)
    prefix = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
    series = _individual_numbers(birth_date.year)
    for _ in range(_ATTEMPTS):
        individual = rng.choice(rng.choice(series))
        digits = f"{prefix}{individual:03d}"
        first = _mod11_check_digit(digits, _FNR_WEIGHTS_1)
        if first is None:
            continue  # remainder 10: this individual number is never issued
        second = _mod11_check_digit(f"{digits}{first}", _FNR_WEIGHTS_2)
        if second is None:
            continue
        number = f"{digits}{first}{second}"
        if fodselsnummer.is_valid(number):
            return number
    raise RuntimeError(f"No valid number found for {birth_date} in {_ATTEMPTS} attempts.")


def synthetic_kontonummer(rng: random.Random) -> str:
    """A synthetic 11-digit Norwegian bank account number with a valid mod-11 check digit."""
    for _ in range(_ATTEMPTS):
        digits = f"{rng.randint(1000, 9999)}{rng.randint(0, 999_999):06d}"
        check = sum(w * int(d) for w, d in zip(_KONTONR_WEIGHTS, digits, strict=True)) % 11
        if check != 10 and kontonr.is_valid(number := f"{digits}{check}"):
            return number
    raise RuntimeError(f"No valid account number found in {_ATTEMPTS} attempts.")


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.lower().translate(_ASCII_LETTERS))
    return "".join(c for c in folded if c.isascii() and c.isalnum())


def synthetic_person(
    rng: random.Random, *, kommunenummer: str | None = None, d_number: bool | None = None
) -> dict[str, Any]:
    """A synthetic applicant: name, national_id, address {street, postal_code, city}, email.

    The address lies in `kommunenummer` (one of PLACES; random when None). About one in
    ten names is Sámi and one in twenty national ids is a D-nummer unless `d_number` says.
    """
    if kommunenummer is None:
        kommunenummer = rng.choice(sorted(PLACES))
    if kommunenummer not in PLACES:
        known = ", ".join(sorted(PLACES))
        raise ValueError(f"No synthetic addresses for kommune {kommunenummer}; use one of {known}.")
    is_sami = rng.random() < 0.1
    first = rng.choice(SAMI_FIRST_NAMES if is_sami else FIRST_NAMES)
    last = rng.choice(SAMI_LAST_NAMES if is_sami else LAST_NAMES)
    place = rng.choice(PLACES[kommunenummer])
    street = f"{rng.choice(place.streets)} {rng.randint(1, 140)}"
    national_id = synthetic_fodselsnummer(
        rng, d_number=rng.random() < 0.05 if d_number is None else d_number
    )
    return {
        "name": f"{first} {last}",
        "national_id": national_id,
        "address": {"street": street, "postal_code": place.postal_code, "city": place.city},
        "email": f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@example.no",
    }


# --- byggesak scenarios -------------------------------------------------------------------


@dataclass(frozen=True)
class _Scenario:
    """The bounds a scenario's case is drawn from, and the outcome the rules should give."""

    description: str
    outcome: str
    kind: Literal["frittliggende_bygning", "tilbygg", "annet"]
    uses: tuple[str, ...]
    area_m2: tuple[float, float]
    ridge_m: tuple[float, float]
    eaves_m: tuple[float, float]
    boundary_m: tuple[float, float]
    buildings_m: tuple[float, float] = (1.0, 12.0)
    storeys: int = 1
    for_habitation: bool = False
    plan_conforms: bool | None = True
    objections: tuple[int, int] = (0, 0)
    boundary_consent: bool = False
    dispensation: bool = False
    situasjonsplan: bool = True
    is_exempt: bool = False  # exempt measures need no neighbour notice


_GARAGES = ("garasje", "garasje med bod", "dobbelgarasje")
_EXEMPT_GARAGES = ("garasje", "garasje med bod", "carport")
_LOW = (2.8, 4.0), (2.2, 3.0)  # ridge and eaves heights within SAK10 § 4-1 a
_TALLER = (3.5, 5.0), (2.4, 3.2)

#: The rooms of an extension, by its use (a closed list the rules classify).
_ROOMS = {
    "bod": ["bod"],
    "vindfang": ["vindfang"],
    "vedbu": ["vedbu"],
    "garasje": ["garasje"],
    "carport": ["carport"],
    "uisolert lager": ["lager"],
}

_SCENARIOS: dict[str, _Scenario] = {
    "unntatt_garasje": _Scenario(
        "Free-standing garage ≤ 50 m², ridge ≤ 4 m, eaves ≤ 3 m, ≥ 1 m from boundary and "
        "buildings, plan conforms: exempt from application (SAK10 § 4-1 a)",
        "ikke_soknadspliktig", "frittliggende_bygning", _EXEMPT_GARAGES, (15.0, 50.0), *_LOW,
        boundary_m=(1.0, 8.0), is_exempt=True,
    ),
    "unntatt_tilbygg": _Scenario(
        "Extension ≤ 15 m², not for habitation, ≥ 4 m from the boundary: exempt from "
        "application (SAK10 § 4-1 b)",
        "ikke_soknadspliktig", "tilbygg", ("bod", "vindfang", "vedbu"), (4.0, 15.0), *_LOW,
        boundary_m=(4.0, 12.0), buildings_m=(2.0, 12.0), is_exempt=True,
    ),
    "soknad_garasje_60": _Scenario(
        "Free-standing garage 51–70 m², ≥ 4 m from the boundary: application without "
        "ansvarsrett, granted (pbl. § 20-4 a)",
        "innvilget", "frittliggende_bygning", _GARAGES, (51.0, 70.0), *_TALLER,
        boundary_m=(4.0, 10.0),
    ),
    "soknad_tilbygg_40": _Scenario(
        "Extension 16–50 m², not for habitation, ≥ 4 m from the boundary: application "
        "without ansvarsrett, granted (pbl. § 20-4 a)",
        "innvilget", "tilbygg", ("garasje", "bod", "carport", "uisolert lager"), (16.0, 50.0),
        *_TALLER, boundary_m=(4.0, 10.0), buildings_m=(2.0, 12.0),
    ),
    "naer_grense_samtykke": _Scenario(
        "Garage 51–60 m², 1.5–3.5 m from the boundary, with the neighbour's written consent: "
        "the kommune *kan* approve it (pbl. § 29-4 third ledd a), which is discretion, and the "
        "consent must be verified: a caseworker decides",
        "review", "frittliggende_bygning", _GARAGES, (51.0, 60.0), *_TALLER,
        boundary_m=(1.5, 3.5), boundary_consent=True,
    ),
    "for_naer_grense": _Scenario(
        "Garage 55–70 m², 1.5–3.5 m from the boundary, no consent: refused (pbl. § 29-4)",
        "avslag", "frittliggende_bygning", _GARAGES, (55.0, 70.0), *_TALLER,
        boundary_m=(1.5, 3.5),
    ),
    "plan_strid": _Scenario(
        "Garage 51–70 m² against the zoning plan, no dispensation applied for: refused",
        "avslag", "frittliggende_bygning", _GARAGES, (51.0, 70.0), *_TALLER,
        boundary_m=(4.0, 10.0), plan_conforms=False,
    ),
    "beboelse": _Scenario(
        "Annex or bedsit 25–50 m² for habitation: needs ansvarsrett (pbl. § 20-3), dismissed",
        "avvist", "frittliggende_bygning", ("anneks", "hybel", "gjestehus"), (25.0, 50.0),
        *_TALLER, boundary_m=(4.0, 10.0), for_habitation=True,
    ),
    "for_stor": _Scenario(
        "Free-standing building 71–120 m², not for habitation: above the § 20-4 limit of "
        "70 m², dismissed",
        "avvist", "frittliggende_bygning", ("garasje med verksted", "uthus", "dobbelgarasje"),
        (71.0, 120.0), (4.5, 6.5), (3.0, 4.0), boundary_m=(4.0, 10.0),
    ),
    "nabomerknad": _Scenario(
        "Garage 51–70 m² with 1–3 objections from neighbours: a caseworker weighs them "
        "(pbl. § 21-3)",
        "review", "frittliggende_bygning", _GARAGES, (51.0, 70.0), *_TALLER,
        boundary_m=(4.0, 10.0), objections=(1, 3),
    ),
    "dispensasjon": _Scenario(
        "Garage 51–70 m² against the plan with a dispensation applied for: a caseworker "
        "decides (pbl. § 19-2)",
        "review", "frittliggende_bygning", _GARAGES, (51.0, 70.0), *_TALLER,
        boundary_m=(4.0, 10.0), plan_conforms=False, dispensation=True,
    ),
    "plan_ukjent": _Scenario(
        "Garage ≤ 50 m² where conformity with the zoning plan is unknown (null): uavklart, "
        "a caseworker checks",
        "review", "frittliggende_bygning", _EXEMPT_GARAGES, (15.0, 50.0), *_LOW,
        boundary_m=(1.0, 8.0), plan_conforms=None,
    ),
    "mangler_situasjonsplan": _Scenario(
        "Garage 51–70 m² that needs an application, sent without a situasjonsplan: "
        "missing documentation",
        "mangler_dokumentasjon", "frittliggende_bygning", _GARAGES, (51.0, 70.0), *_TALLER,
        boundary_m=(4.0, 10.0), situasjonsplan=False,
    ),
    "annet_tiltak": _Scenario(
        "Another kind of measure (retaining wall, terrace, jetty): a caseworker decides",
        "review", "annet", ("støttemur", "terrasse", "brygge"), (8.0, 40.0), (0.5, 1.8),
        (0.5, 1.8), boundary_m=(1.0, 6.0), buildings_m=(0.0, 5.0), storeys=0,
    ),
}  # fmt: skip

#: Scenario name → one-line description (measure, bounds and why it ends as it does).
SCENARIOS: dict[str, str] = {name: s.description for name, s in _SCENARIOS.items()}
#: Scenario name → expected outcome; "review" where a caseworker must decide.
EXPECTED_OUTCOMES: dict[str, str] = {name: s.outcome for name, s in _SCENARIOS.items()}

_DESCRIPTIONS = {
    "frittliggende_bygning": {
        "nb": "Frittliggende {use} i {material} med {roof}",
        "nn": "Frittliggjande {use} i {material} med {roof}",
    },
    "tilbygg": {
        "nb": "Tilbygg ({use}) til eksisterende bolig, i {material} med {roof}",
        "nn": "Tilbygg ({use}) til eksisterande bustad, i {material} med {roof}",
    },
    "annet": {"nb": "{Use} ved eksisterende bolig", "nn": "{Use} ved eksisterande bustad"},
    "habitation": {
        "nb": "{Use} med soverom, bad og kjøkken, i {material} med {roof}",
        "nn": "{Use} med soverom, bad og kjøkken, i {material} med {roof}",
    },
}
_ADDENDA = {
    "boundary_consent": {
        "nb": "Naboen har gitt skriftlig samtykke til plassering nær grensen.",
        "nn": "Naboen har gjeve skriftleg samtykke til plassering nær grensa.",
    },
    "objections": {
        "nb": "Naboer har kommet med merknader til plasseringen.",
        "nn": "Naboar har kome med merknader til plasseringa.",
    },
    "dispensation": {
        "nb": "Det søkes om dispensasjon fra byggegrensen i reguleringsplanen.",
        "nn": "Det vert søkt om dispensasjon frå byggjegrensa i reguleringsplanen.",
    },
}


def _tenths(rng: random.Random, low: float, high: float) -> float:
    """A value with one decimal in [low, high] (both bounds possible)."""
    return rng.randint(round(low * 10), round(high * 10)) / 10


def _description(rng: random.Random, spec: _Scenario, use: str, malform: str) -> str:
    kind = "habitation" if spec.for_habitation else spec.kind
    text = _DESCRIPTIONS[kind][malform].format(
        use=use,
        Use=use[0].upper() + use[1:],
        material=rng.choice(("tre", "betong", "mur")),
        roof=rng.choice(("saltak", "pulttak", "flatt tak")),
    )
    flags = {
        "boundary_consent": spec.boundary_consent,
        "objections": spec.objections[1] > 0,
        "dispensation": spec.dispensation,
    }
    for flag, is_set in flags.items():
        if is_set:
            text += ". " + _ADDENDA[flag][malform]
    return text


def byggesak_case(
    rng: random.Random,
    scenario: str,
    *,
    reference: str,
    received_at: datetime,
    kommunenummer: str = "4627",
    malform: Literal["nb", "nn"] = "nb",
    plan_verified: bool = True,
) -> dict[str, Any]:
    """A byggesak case as JSON-able dict, shaped like examples/byggesak-garasje.json.

    The measure's numbers are drawn within the bounds of `scenario` (see SCENARIOS); the
    applicant is a synthetic person living at the property. With `plan_verified` the
    sending system states that the kommune's plan data confirmed the plan conformity (a
    kommune with map-data verification); otherwise it is the applicant's declaration.
    """
    if scenario not in _SCENARIOS:
        raise ValueError(f"Unknown scenario '{scenario}'; use one of: {', '.join(_SCENARIOS)}.")
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware, e.g. 2026-09-21T14:02:00+02:00.")
    spec = _SCENARIOS[scenario]
    applicant = synthetic_person(rng, kommunenummer=kommunenummer)
    address = applicant["address"]
    built = _tenths(rng, *spec.area_m2)
    ridge = _tenths(rng, *spec.ridge_m)
    use = rng.choice(spec.uses)
    measure = {
        "kind": spec.kind,
        "use": use,
        "for_habitation": spec.for_habitation,
        "built_area_m2": built,
        "usable_area_m2": _tenths(rng, built * 0.85, built),
        "ridge_height_m": ridge,
        "eaves_height_m": _tenths(rng, min(spec.eaves_m[0], ridge), min(spec.eaves_m[1], ridge)),
        "storeys": spec.storeys,
        "has_basement": False,
        "distance_to_boundary_m": _tenths(rng, *spec.boundary_m),
        "distance_to_buildings_m": _tenths(rng, *spec.buildings_m),
        "over_pipes": False,
        "description": _description(rng, spec, use, malform),
    }
    if spec.kind == "tilbygg":
        measure["rooms"] = _ROOMS.get(use, ["annet"])
    plan_id = f"{kommunenummer}-{rng.randint(1995, 2022)}{rng.randint(1, 40):03d}"
    sent_on = received_at.date() - timedelta(days=rng.randint(15, 45))
    attachments = [
        {"kind": "tegning", "file": f"{reference}/fasad{'ar' if malform == 'nn' else 'er'}.pdf"}
    ]
    if spec.situasjonsplan:
        attachments.insert(0, {"kind": "situasjonsplan", "file": f"{reference}/situasjonsplan.pdf"})
    if spec.boundary_consent:
        attachments.append({"kind": "nabosamtykke", "file": f"{reference}/nabosamtykke.pdf"})
    if spec.dispensation:
        attachments.append({"kind": "dispensasjonssoknad", "file": f"{reference}/dispensasjon.pdf"})
    verified = []
    if plan_verified and spec.plan_conforms is not None:
        verified.append(
            {"fact": "plan.conforms", "source": "kartdata", "reference": f"planregister {plan_id}"}
        )
    extra: dict[str, Any] = {"verified": verified} if verified else {}
    property_extra: dict[str, Any] = {}
    if spec.kind == "tilbygg":
        property_extra["existing_small_buildings"] = []
    return {
        "case_type": "byggesak",
        "reference": reference,
        "received_at": received_at.isoformat(),
        "kommunenummer": kommunenummer,
        "malform": malform,
        "applicant": applicant,
        "property": {
            "gnr": rng.randint(1, 60),
            "bnr": rng.randint(1, 800),
            "fnr": 0,
            "snr": 0,
            "address": f"{address['street']}, {address['postal_code']} {address['city']}",
            "is_developed": True,
            **property_extra,
        },
        "measure": measure,
        "plan": {
            "conforms": spec.plan_conforms,
            "plan_id": None if spec.plan_conforms is None else plan_id,
        },
        "neighbour_notice": {
            "sent_on": None if spec.is_exempt else sent_on.isoformat(),
            "objections": rng.randint(*spec.objections),
            "boundary_consent": spec.boundary_consent,
        },
        "dispensation_requested": spec.dispensation,
        "attachments": attachments,
        **extra,
    }


# --- sosialhjelp scenarios ----------------------------------------------------------------


@dataclass(frozen=True)
class _WelfareScenario:
    """A welfare case's shape and the outcome the rules give it under the demo norm."""

    description: str
    outcome: str  # the decision's outcome; every welfare draft is reviewed in the demo
    income_kinds: tuple[str, ...] = ("dagpenger",)
    income: tuple[int, int] = (4000, 9000)
    adults: tuple[int, int] = (1, 1)
    children: tuple[int, int] = (0, 0)
    bank: tuple[int, int] = (0, 1900)
    other_assets: int = 0
    age: tuple[int, int] = (31, 66)
    request: str = "livsopphold"
    undocumented: bool = False
    rent_documented: bool = True
    unknown_income: bool = False
    period: str | None = None  # default: the month after the one received in


_WELFARE: dict[str, _WelfareScenario] = {
    "enslig_innvilget": _WelfareScenario(
        "Single adult 31–66 on dagpenger or AAP 4 000–9 000 kr, documented: need > 0, granted",
        "innvilget", income_kinds=("dagpenger", "aap"),
    ),
    "familie_barnetrygd": _WelfareScenario(
        "One or two adults with 1–3 children, salary 10 000–18 000 kr plus barnetrygd (never "
        "counted, § 18 third ledd): granted",
        "innvilget", income_kinds=("lonn",), income=(10000, 18000), adults=(1, 2),
        children=(1, 3),
    ),
    "inntekt_over_behov": _WelfareScenario(
        "Single adult with salary 25 000–40 000 kr: income covers the need, refused",
        "avslag", income_kinds=("lonn",), income=(25000, 40000),
    ),
    "formue_dekker": _WelfareScenario(
        "Single adult with 30 000–60 000 kr in the bank: deposits above the buffer cover "
        "the need, refused",
        "avslag", income=(3000, 6000), bank=(30000, 60000),
    ),
    "udokumentert_inntekt": _WelfareScenario(
        "Income sent without documentation: the letter asks for it (§ 43), no refusal",
        "mangler_dokumentasjon", income_kinds=("sykepenger", "lonn"), undocumented=True,
    ),
    "mangler_husleiekontrakt": _WelfareScenario(
        "Rent without a lease or receipt: the letter asks for it (§ 43)",
        "mangler_dokumentasjon", rent_documented=False,
    ),
    "nodhjelp": _WelfareScenario(
        "Emergency help (nødhjelp): drafted, urgent, a caseworker assesses it the same day",
        "innvilget", request="nodhjelp", income=(0, 3000), bank=(0, 500),
    ),
    "under_30": _WelfareScenario(
        "Applicant 19–29: activity conditions (§ 20 a) are chosen by a caseworker",
        "innvilget", age=(19, 29), income_kinds=("aap", "studielan"), income=(2000, 6000),
    ),
    "naeringsinntekt": _WelfareScenario(
        "Self-employment income: its net amount needs a caseworker's assessment",
        "innvilget", income_kinds=("naeringsinntekt",), income=(1000, 5000),
    ),
    "ukjent_inntekt": _WelfareScenario(
        "An income kind the format does not know: kept, not counted, a caseworker decides",
        "innvilget", unknown_income=True,
    ),
    "annen_formue": _WelfareScenario(
        "Other assets (car, shares): whether they are available needs a caseworker",
        "innvilget", other_assets=45000,
    ),
    "depositum": _WelfareScenario(
        "A request for a deposit, not living expenses: a caseworker assesses it (§§ 19, 21)",
        "til_vurdering", request="depositum",
    ),
    "tre_voksne": _WelfareScenario(
        "Three adults in the household: the rates do not fit, a caseworker assesses it",
        "til_vurdering", adults=(3, 3),
    ),
    "sats_ikke_oppdatert": _WelfareScenario(
        "A period in 2025: no state rate is registered for 2025 (the newest is from "
        "2024-01-01) and the kommune norm covers only 2026, so the rate is uavklart "
        "('sats ikke oppdatert')",
        "til_vurdering", period="2025-06",
    ),
}  # fmt: skip

#: Welfare scenario name → one-line description.
WELFARE_SCENARIOS: dict[str, str] = {name: s.description for name, s in _WELFARE.items()}
#: Welfare scenario name → the decision's outcome under the demo kommune norm.
WELFARE_EXPECTED_OUTCOMES: dict[str, str] = {name: s.outcome for name, s in _WELFARE.items()}

_REASONS = {
    "nb": (
        "Pengene strekker ikke til mat og husleie denne måneden",
        "Har mistet jobben og venter på dagpenger",
        "Trenger hjelp til livsopphold mens jeg venter på avklaring fra NAV",
    ),
    "nn": (
        "Pengane strekk ikkje til mat og husleige denne månaden",
        "Har mista jobben og ventar på dagpengar",
        "Treng hjelp til livsopphald medan eg ventar på avklaring frå NAV",
    ),
}
_BARNETRYGD_PER_CHILD = 1766  # demo amount per child; never counted (sotjl. § 18 third ledd)


def _birth_date(rng: random.Random, on: date, age: int) -> date:
    """A birth date that makes someone `age` years old on `on`."""
    latest = date(on.year - age, on.month, on.day)
    return latest - timedelta(days=rng.randint(0, 360))


def sosialhjelp_case(
    rng: random.Random,
    scenario: str,
    *,
    reference: str,
    received_at: datetime,
    kommunenummer: str = "4627",
    malform: Literal["nb", "nn"] = "nb",
) -> dict[str, Any]:
    """A sosialhjelp case as JSON-able dict, shaped like examples/sosialhjelp-enslig.json.

    Amounts are drawn within the bounds of `scenario` (see WELFARE_SCENARIOS) so that the
    demo kommune norm gives WELFARE_EXPECTED_OUTCOMES[scenario]; identities are synthetic.
    """
    if scenario not in _WELFARE:
        raise ValueError(f"Unknown scenario '{scenario}'; use one of: {', '.join(_WELFARE)}.")
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware, e.g. 2026-11-02T08:45:00+01:00.")
    spec = _WELFARE[scenario]
    received = received_at.date()
    following = date(received.year + received.month // 12, received.month % 12 + 1, 1)
    period = spec.period or f"{following.year}-{following.month:02d}"
    start = date(int(period[:4]), int(period[5:]), 1)
    applicant = synthetic_person(rng, kommunenummer=kommunenummer, d_number=False)
    applicant["national_id"] = synthetic_fodselsnummer(
        rng, birth_date=_birth_date(rng, start, rng.randint(*spec.age))
    )
    applicant["account_number"] = synthetic_kontonummer(rng)
    adults = rng.randint(*spec.adults)
    children = [
        {"birth_date": _birth_date(rng, start, rng.randint(0, 17)).isoformat()}
        for _ in range(rng.randint(*spec.children))
    ]
    rent = rng.randrange(6000, 9001, 50) + (2000 if children else 0)
    electricity = rng.randrange(400, 1201, 10)
    documented = not spec.undocumented
    kind = rng.choice(spec.income_kinds)
    income = [{"kind": kind, "amount": rng.randrange(*spec.income, 10), "documented": documented}]
    if children:
        amount = _BARNETRYGD_PER_CHILD * len(children)
        income.append({"kind": "barnetrygd", "amount": amount, "documented": True})
    if spec.unknown_income:
        extra = rng.randrange(200, 900, 10)
        income.append({"kind": "kryptogevinst", "amount": extra, "documented": True})
    household: dict[str, Any] = {"adults": adults, "shared_housing": False, "children": children}
    if adults == 2:  # a couple: the second adult's relationship gives the rate for par
        household["other_adults"] = [{"relationship": "samboer"}]
    attachments = [{"kind": "stromregning", "file": f"{reference}/strom.pdf"}]
    if spec.rent_documented:
        attachments.insert(0, {"kind": "husleiekontrakt", "file": f"{reference}/husleie.pdf"})
    if documented:
        attachments.append({"kind": "inntekt", "file": f"{reference}/inntekt.pdf"})
    return {
        "case_type": "sosialhjelp",
        "reference": reference,
        "received_at": received_at.isoformat(),
        "kommunenummer": kommunenummer,
        "malform": malform,
        "applicant": applicant,
        "period": period,
        "household": household,
        "housing": {
            "kind": "leier",
            "rent": rent,
            "electricity": electricity,
            "housing_allowance": 0,
        },
        "income": income,
        "assets": {"bank_deposits": rng.randint(*spec.bank), "other": spec.other_assets},
        "request": {
            "kind": spec.request,
            "amount": rng.randrange(20000, 30001, 1000) if spec.request == "depositum" else None,
            "reason": rng.choice(_REASONS[malform]),
        },
        "attachments": attachments,
    }
