"""The sosialhjelp case model: field checks, derived facts at the period's first day."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from runner.models import SosialhjelpCase, case_model, decision_date

# The shared example (examples/sosialhjelp-enslig.json) with a synthetic fødselsnummer:
# the example's own fails the check digits.
EXAMPLE: dict[str, Any] = {
    "case_type": "sosialhjelp",
    "reference": "SH-2026-010203",
    "received_at": "2026-11-02T08:45:00+01:00",
    "kommunenummer": "0301",
    "malform": "nb",
    "applicant": {
        "name": "Jonas Eksempelsen",
        "national_id": "12059012345",
        "address": {"street": "Storgata 101", "postal_code": "0184", "city": "Oslo"},
        "email": "jonas@example.no",
        "account_number": "12345678903",
    },
    "period": "2026-12",
    "household": {"adults": 1, "shared_housing": False, "children": [{"birth_date": "2019-04-30"}]},
    "housing": {"kind": "leier", "rent": 11500, "electricity": 950, "housing_allowance": 1200},
    "income": [
        {"kind": "dagpenger", "amount": 9800, "documented": True},
        {"kind": "barnetrygd", "amount": 1766, "documented": True},
        {"kind": "barnebidrag", "amount": 1500, "documented": False},
    ],
    "assets": {"bank_deposits": 2300, "other": 0},
    "request": {"kind": "livsopphold", "amount": None, "reason": "Dagpengene dekker ikke"},
    "attachments": [{"kind": "husleiekontrakt", "file": "SH-2026-010203/husleiekontrakt.pdf"}],
}
EXAMPLE["applicant"]["national_id"] = "14038699416"  # synthetic, born 14 March 1986


def _case(**changes: Any) -> SosialhjelpCase:
    data = copy.deepcopy(EXAMPLE)
    data.update(changes)
    return SosialhjelpCase.model_validate(data)


def test_registered_and_dated_by_the_period() -> None:
    case = _case()
    assert case_model("sosialhjelp") is SosialhjelpCase
    assert decision_date(case) == date(2026, 12, 1)
    assert case.applicant_age == 40


def test_derived_facts_for_the_rules() -> None:
    dump = _case().model_dump(mode="json")
    assert dump["children_6_10"] == 1 and dump["children_0_5"] == dump["children_11_17"] == 0
    assert dump["income_totals"]["dagpenger"] == 9800
    assert dump["income_totals"]["barnetrygd"] == 1766  # kept; the rule does not count it
    assert dump["undocumented_income_kinds"] == ["barnebidrag"]
    assert dump["household_size"] == 2


def test_stored_data_with_derived_fields_validates_again() -> None:
    case = _case()
    assert SosialhjelpCase.model_validate(case.model_dump(mode="json")) == case


def test_unknown_income_kind_is_kept_not_rejected() -> None:
    income = [{"kind": "kryptogevinst", "amount": 500, "documented": True}]
    case = _case(income=income)
    assert case.unknown_income_kinds == ["kryptogevinst"]
    assert case.income_totals["kryptogevinst"] == 500


def test_children_income_is_kept_apart() -> None:
    income = [{"kind": "lonn", "amount": 2000, "documented": True, "earner": "child"}]
    case = _case(income=income)
    assert case.income_totals["lonn"] == 0
    assert case.children_income == 2000


@pytest.mark.parametrize(
    ("born", "band"),
    [
        ("2020-12-01", "children_6_10"),
        ("2020-12-02", "children_0_5"),
        ("2015-12-01", "children_11_17"),
        ("2008-12-02", "children_11_17"),
        ("2008-12-01", "children_outside_ages"),
        ("2027-01-01", "children_outside_ages"),
    ],
)
def test_child_age_bands_at_the_first_day_of_the_period(born: str, band: str) -> None:
    case = _case(household={"adults": 1, "children": [{"birth_date": born}]})
    assert getattr(case, band) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("period", "2026-13"),
        ("period", "2026-1"),
        ("applicant", {**EXAMPLE["applicant"], "account_number": "12345678901"}),
        ("household", {"adults": 0, "children": []}),
        ("housing", {"kind": "telt", "rent": 0}),
        ("income", [{"kind": "lonn", "amount": -1, "documented": True}]),
    ],
)
def test_invalid_values_are_refused(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        _case(**{field: value})


def test_the_new_optional_fields_may_be_absent() -> None:
    case = _case()
    assert case.household.other_adults is None
    assert case.partner_relationship == "" and not case.other_adults_mismatch
    assert all(item.work is None for item in case.income)


def test_the_second_adults_relationship_is_read_only_for_two_adults() -> None:
    couple = _case(household={"adults": 2, "other_adults": [{"relationship": "samboer"}]})
    assert couple.partner_relationship == "samboer" and not couple.other_adults_mismatch
    unclear = _case(household={"adults": 2})
    assert unclear.partner_relationship == ""
    wrong = _case(household={"adults": 1, "other_adults": [{"relationship": "samboer"}]})
    assert wrong.partner_relationship == "" and wrong.other_adults_mismatch
    with pytest.raises(ValidationError):
        _case(household={"adults": 2, "other_adults": [{"relationship": "Samboer!"}]})


def test_childrens_work_income_is_told_apart_from_their_other_income() -> None:
    income = [
        {"kind": "lonn", "amount": 2000, "documented": True, "earner": "child", "work": "fritid"},
        {"kind": "lonn", "amount": 700, "documented": True, "earner": "child",
         "work": "skoleferie"},
        {"kind": "lonn", "amount": 500, "documented": True, "earner": "child"},
        {"kind": "pensjon", "amount": 300, "documented": True, "earner": "child", "work": "annet"},
    ]  # fmt: skip
    case = _case(income=income)
    assert (case.children_income, case.children_work_income, case.children_other_income) == (
        3500, 2700, 800)  # fmt: skip


def test_documented_income_leaves_out_what_came_without_documentation() -> None:
    income = [
        {"kind": "lonn", "amount": 2000, "documented": True},
        {"kind": "lonn", "amount": 900, "documented": False},
        {"kind": "bostotte", "amount": 400, "documented": False},
    ]
    case = _case(income=income)
    assert case.income_totals["lonn"] == 2900 and case.documented_income_totals["lonn"] == 2000
    assert case.documented_income_totals["bostotte"] == 0
