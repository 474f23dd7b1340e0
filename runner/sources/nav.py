"""NAV's digital application (navikt/soknadsosialhjelp-filformat JSON) → the sosialhjelp case.

`nav_to_case` is a pure mapping: a NAV søknad document in, the saksrobot case JSON out, or a
`CaseValidationError` whose every problem names the NAV JSON path. The format's `type` codes
are open-ended; a code this module does not know is never an error: an unknown income kind is
passed through (the rules then make the case unclear), an unknown asset counts as other assets
(also unclear), and an expense outside housing is listed in the request text for the
caseworker. Every welfare draft is reviewed by a caseworker (robots/sosialhjelp-*.yaml).

Choices the format leaves open: the month applied for is the month the application was sent
(Oslo time); two adults when the applicant is married or cohabiting and lives with the partner;
shared housing (bofellesskap) when more people live in the home than the household counts;
income fetched from a register (`kilde: system`) counts as documented, income the applicant
typed in does not; emergency help when the applicant's own words say so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from runner.errors import CaseValidationError, FieldProblem
from runner.models.common import FREE_TEXT_MAX
from runner.problems import problem

OSLO = ZoneInfo("Europe/Oslo")
REFERENCE_PREFIX = "SH-N-"

#: NAV income/payment codes → the case model's income kinds; other codes pass through.
INCOME_KINDS = {
    "jobb": "lonn", "studielanOgStipend": "studielan", "barnebidrag": "barnebidrag",
    "bostotte": "bostotte", "husbanken": "bostotte", "dagpenger": "dagpenger",
    "sykepenger": "sykepenger", "aap": "aap", "uforetrygd": "uforetrygd",
    "pensjon": "pensjon", "barnetrygd": "barnetrygd", "naeringsinntekt": "naeringsinntekt",
}  # fmt: skip
RENT_CODES = frozenset({"husleie", "boliglanAvdrag", "boliglanRenter", "kommunalAvgift"})
ELECTRICITY_CODES = frozenset({"strom", "oppvarming"})
DEPOSIT_CODES = frozenset({"brukskonto", "sparekonto", "bsu"})
HOUSING_KINDS = frozenset({"eier", "leier", "kommunal", "ingen"})
#: NAV's sivilstatus codes that make a couple → the relationship the couple-rate rule reads
#: (sotjl. § 18; the rule accepts ektefelle, registrert_partner and samboer).
COUPLE_STATUSES = {"gift": "ektefelle", "samboer": "samboer"}
#: Words in the applicant's own text that mark an emergency (assessed the same day).
EMERGENCY_WORDS = ("nødhjelp", "naudhjelp", "nødssituasjon", "naudsituasjon", "matpenger")
#: (vedlegg type, tilleggsinfo or "*") → the attachment kinds the rules look for.
ATTACHMENT_KINDS = {
    ("husleiekontrakt", "*"): "husleiekontrakt",
    ("faktura", "strom"): "stromregning",
    ("lonnslipp", "arbeid"): "lonnsslipp",
}
#: Case field → NAV path, to name the NAV field when the mapped case fails validation.
ORIGINS = {
    "kommunenummer": "mottaker.kommunenummer",
    "received_at": "innsendingstidspunkt",
    "applicant.name": "data.personalia.navn",
    "applicant.national_id": "data.personalia.personIdentifikator.verdi",
    "applicant.account_number": "data.personalia.kontonummer.verdi",
    "applicant.address": "data.personalia.oppholdsadresse",
    "household": "data.familie",
    "housing": "data.bosituasjon",
    "income": "data.okonomi.oversikt.inntekt",
    "assets": "data.okonomi.oversikt.formue",
    "request": "data.begrunnelse",
}


class _Reader:
    """Walks the NAV document and collects every problem with its NAV path."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def missing(self, path: str, words: str) -> None:
        """`words`: a key of runner/problems.py NAV saying what to give."""
        self.problems.append(problem(words, path))

    def text(self, node: Any, path: str, key: str, words: str) -> str | None:
        value = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.missing(f"{path}.{key}", words)
        return None

    def amount(self, item: Mapping[str, Any], path: str, keys: tuple[str, ...]) -> int | None:
        for key in keys:
            value = item.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                if isinstance(value, float) and not math.isfinite(value):
                    self.problems.append(problem("nav_amount_not_finite", f"{path}.{key}"))
                    return None
                if value < 0:
                    self.problems.append(problem("nav_amount_negative", f"{path}.{key}"))
                    return None
                return round(value)
        self.missing(f"{path}.{keys[0]}", "nav_amount_missing")
        return None


def _items(node: Any, path: str, reader: _Reader) -> list[tuple[str, Mapping[str, Any]]]:
    """The objects of a list at `path` with their own paths; a missing list is empty."""
    if node is None:
        return []
    if not isinstance(node, list):
        reader.problems.append(problem("nav_not_list", path))
        return []
    return [(f"{path}[{i}]", item) for i, item in enumerate(node) if isinstance(item, Mapping)]


def _code(value: Any) -> str | None:
    """A code from the document if it is text (a list or object where a code belongs is not)."""
    return value if isinstance(value, str) else None


def _at(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _address(personalia: Any, reader: _Reader) -> dict[str, str] | None:
    for key in ("oppholdsadresse", "folkeregistrertAdresse", "postadresse"):
        node = _at(personalia, key)
        if isinstance(node, Mapping) and node.get("gatenavn") and node.get("postnummer"):
            number = f"{node.get('husnummer') or ''}{node.get('husbokstav') or ''}"
            return {
                "street": f"{node['gatenavn']} {number}".strip(),
                "postal_code": str(node["postnummer"]),
                "city": str(node.get("poststed") or ""),
            }
    reader.missing(ORIGINS["applicant.address"], "nav_address_missing")
    return None


def _household(data: Any, reader: _Reader) -> dict[str, Any]:
    status = _at(data, "familie", "sivilstatus")
    relationship = COUPLE_STATUSES.get(_code(_at(status, "status")) or "")
    couple = relationship is not None and _at(status, "borSammenMed") is not False
    children: list[dict[str, str]] = []
    path = "data.familie.forsorgerplikt.ansvar"
    for where, item in _items(_at(data, "familie", "forsorgerplikt", "ansvar"), path, reader):
        if _at(item, "borSammenMed", "verdi") is False:
            continue  # a child living elsewhere is not in the household's rate
        words = "nav_child_birth_missing"
        if birth := reader.text(_at(item, "barn"), f"{where}.barn", "fodselsdato", words):
            children.append({"birth_date": birth})
    adults = 2 if couple else 1
    persons = _at(data, "bosituasjon", "antallPersoner")
    shared = isinstance(persons, int) and persons > adults + len(children)
    household: dict[str, Any] = {"adults": adults, "shared_housing": shared, "children": children}
    if couple:
        household["other_adults"] = [{"relationship": relationship}]
    return household


def _economy(data: Any, reader: _Reader) -> dict[str, Any]:
    housing = {"rent": 0, "electricity": 0, "housing_allowance": 0}
    income: list[dict[str, Any]] = []
    assets = {"bank_deposits": 0, "other": 0}
    uncounted: list[str] = []
    base = "data.okonomi"
    incomes = [
        *_items(_at(data, "okonomi", "oversikt", "inntekt"), f"{base}.oversikt.inntekt", reader),
        *_items(
            _at(data, "okonomi", "opplysninger", "utbetaling"),
            f"{base}.opplysninger.utbetaling",
            reader,
        ),
    ]
    for where, item in incomes:
        code = str(item.get("type") or "annet")
        amount = reader.amount(item, where, ("netto", "brutto", "belop"))
        if amount is not None:
            kind = INCOME_KINDS.get(code, code)  # too long a code: the model names the limit
            documented = item.get("kilde") == "system"
            income.append({"kind": kind, "amount": amount, "documented": documented})
    expenses = [
        *_items(_at(data, "okonomi", "oversikt", "utgift"), f"{base}.oversikt.utgift", reader),
        *_items(
            _at(data, "okonomi", "opplysninger", "utgift"), f"{base}.opplysninger.utgift", reader
        ),
    ]
    for where, item in expenses:
        code = str(item.get("type") or "annen")
        amount = reader.amount(item, where, ("belop",))
        if amount is None:
            continue
        if code in RENT_CODES:
            housing["rent"] += amount
        elif code in ELECTRICITY_CODES:
            housing["electricity"] += amount
        else:
            uncounted.append(f"{item.get('tittel') or code} {amount} kr")
    formue = _at(data, "okonomi", "oversikt", "formue")
    for where, item in _items(formue, f"{base}.oversikt.formue", reader):
        amount = reader.amount(item, where, ("belop",))
        if amount is not None:
            key = "bank_deposits" if _code(item.get("type")) in DEPOSIT_CODES else "other"
            assets[key] += amount
    return {"housing": housing, "income": income, "assets": assets, "uncounted": uncounted}


def _attachments(document: Mapping[str, Any], reader: _Reader) -> list[dict[str, str]]:
    """The uploaded attachments; names too long for the case are the model's problem, not cut."""
    found: list[dict[str, str]] = []
    for where, item in _items(document.get("vedlegg"), "vedlegg", reader):
        if item.get("status") != "LastetOpp":
            continue
        code, info = str(item.get("type") or "annet"), str(item.get("tilleggsinfo") or "")
        kind = ATTACHMENT_KINDS.get((code, info)) or ATTACHMENT_KINDS.get((code, "*")) or code
        listed = _items(item.get("filer"), f"{where}.filer", reader)
        files = [f for _, f in listed if f.get("filnavn")]
        for entry in files or [{"filnavn": code}]:
            found.append({"kind": kind, "file": str(entry["filnavn"])})
    return found


def _received(document: Mapping[str, Any], fallback: datetime, reader: _Reader) -> datetime:
    value = document.get("innsendingstidspunkt")
    if value is None:
        return fallback
    try:
        sent = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        sent = None
    if sent is None or sent.tzinfo is None:
        reader.problems.append(problem("nav_time_invalid", "innsendingstidspunkt"))
        return fallback
    return sent


def nav_to_case(
    source: str, document: Mapping[str, Any], *, content_hash: str, received_at: datetime
) -> dict[str, Any]:
    """The sosialhjelp case JSON for one NAV søknad; every problem names its NAV path."""
    reader = _Reader()
    data = document.get("data")
    if not isinstance(data, Mapping):
        reader.missing("data", "nav_not_soknad")
        raise CaseValidationError(source, reader.problems)
    personalia = _at(data, "personalia")
    navn = _at(personalia, "navn")
    parts = [_at(navn, key) for key in ("fornavn", "mellomnavn", "etternavn")]
    name = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    if not name:
        reader.missing(ORIGINS["applicant.name"], "nav_name_missing")
    path = "data.personalia"
    national_id = reader.text(
        _at(personalia, "personIdentifikator"),
        f"{path}.personIdentifikator",
        "verdi",
        "nav_national_id_missing",
    )
    account = reader.text(
        _at(personalia, "kontonummer"),
        f"{path}.kontonummer",
        "verdi",
        "nav_account_missing",
    )
    address = _address(personalia, reader)
    kommunenummer = reader.text(
        document.get("mottaker"),
        "mottaker",
        "kommunenummer",
        "nav_kommune_missing",
    )
    received = _received(document, received_at, reader)
    household = _household(data, reader)
    economy = _economy(data, reader)
    attachments = _attachments(document, reader)
    why = [_at(data, "begrunnelse", key) for key in ("hvaSokesOm", "hvorforSoke")]
    reason = "\n".join(text.strip() for text in why if isinstance(text, str) and text.strip())
    emergency = any(word in reason.lower() for word in EMERGENCY_WORDS)
    if economy["uncounted"]:
        reason += "\nAndre utgifter i søknaden: " + "; ".join(economy["uncounted"]) + "."
    reason = reason.strip()
    if len(reason) > FREE_TEXT_MAX:  # never cut: the caseworker reads it in the NAV file
        reader.problems.append(
            problem("nav_reason_too_long", "data.begrunnelse", n=len(reason), limit=FREE_TEXT_MAX)
        )
    if reader.problems:
        raise CaseValidationError(source, reader.problems)
    botype = _code(_at(data, "bosituasjon", "botype"))
    month = received.astimezone(OSLO)
    return {
        "case_type": "sosialhjelp",
        "reference": f"{REFERENCE_PREFIX}{content_hash[:10].upper()}",
        "received_at": received.isoformat(),
        "kommunenummer": kommunenummer,
        "applicant": {
            "name": name,
            "national_id": national_id,
            "address": address,
            "account_number": account,
        },
        "period": f"{month.year:04d}-{month.month:02d}",
        "household": household,
        "housing": {"kind": botype if botype in HOUSING_KINDS else "annet", **economy["housing"]},
        "income": economy["income"],
        "assets": economy["assets"],
        "request": {
            "kind": "nodhjelp" if emergency else "livsopphold",
            "reason": reason,
        },
        "attachments": attachments,
    }


def nav_case(
    source: str, content: bytes, case_model: str, *, content_hash: str, received_at: datetime
) -> BaseModel:
    """Parse a NAV søknad file and validate the mapped case; problems name the NAV field."""
    from runner.intake import parse_json_object, validate_mapped

    document = parse_json_object(source, content)
    case = nav_to_case(source, document, content_hash=content_hash, received_at=received_at)
    return validate_mapped(source, case, case_model, ORIGINS)
