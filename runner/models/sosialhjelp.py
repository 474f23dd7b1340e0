"""The sosialhjelp case: an application for financial support to living expenses (sotjl. § 18)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, computed_field, model_validator
from stdnum.no import fodselsnummer, kontonr

from runner.models.common import (
    PERSONAL,
    Applicant,
    Attachment,
    Email,
    FreeText,
    FrozenModel,
    Kommunenummer,
    Malform,
    ReceivedAt,
)
from runner.problems import invalid

#: Income kinds the case format defines; any other kind is kept and makes the case unclear.
KNOWN_INCOME_KINDS = (
    "lonn", "dagpenger", "sykepenger", "aap", "uforetrygd", "pensjon", "barnebidrag",
    "barnetrygd", "bostotte", "studielan", "naeringsinntekt", "annet",
)  # fmt: skip

Kroner = Annotated[int, Field(ge=0, le=10_000_000)]


def _check_account(value: str) -> str:
    digits = value.replace(" ", "").replace(".", "")
    if not digits.isdigit() or len(digits) != 11:
        raise invalid("account_digits")
    if not kontonr.is_valid(digits):
        raise invalid("account_check")
    return digits


AccountNumber = Annotated[str, AfterValidator(_check_account)]


class HousingKind(StrEnum):
    """How the household lives."""

    leier = "leier"
    eier = "eier"
    kommunal = "kommunal"
    ingen = "ingen"
    annet = "annet"


class SosialhjelpApplicant(Applicant):
    """The person applying, with the account the support is paid to."""

    email: Email | None = Field(default=None, json_schema_extra=PERSONAL)
    account_number: AccountNumber = Field(json_schema_extra=PERSONAL)


class Child(FrozenModel):
    """A child in the household (sotjl. § 44: the birth date is confidential)."""

    birth_date: date = Field(json_schema_extra=PERSONAL)


Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class OtherAdult(FrozenModel):
    """An adult in the household besides the applicant, by relationship to the applicant.

    `relationship` is open-ended (ektefelle, registrert_partner, samboer, forelder,
    voksent_barn, annen, …); the rules decide which relationships make a couple (par).
    """

    relationship: Code


class Household(FrozenModel):
    """Who the guideline rate is for.

    `other_adults` lists every adult besides the applicant with their relationship to the
    applicant; it is optional, and without it a household of two adults is unclear.
    """

    adults: Annotated[int, Field(ge=1, le=20)]
    shared_housing: bool = False
    children: Annotated[list[Child], Field(max_length=20, default_factory=list)]
    other_adults: Annotated[list[OtherAdult] | None, Field(max_length=19)] = None


class Housing(FrozenModel):
    """Housing costs per month, and housing allowance (bostøtte) received."""

    kind: HousingKind
    rent: Kroner = 0
    electricity: Kroner = 0
    housing_allowance: Kroner = 0


class Income(FrozenModel):
    """One income per month. `kind` is open-ended: unknown kinds are kept, never rejected.

    `work` says what a child's income comes from: work in leisure time (fritid), work in
    the school holidays (skoleferie) or anything else (annet); optional, and a child's
    income without it is left to a caseworker (sotjl. § 18 third ledd).
    """

    kind: Annotated[str, Field(min_length=1, max_length=60)]
    amount: Kroner
    documented: bool
    earner: Literal["applicant", "partner", "child"] = "applicant"
    work: Literal["fritid", "skoleferie", "annet"] | None = None


class Assets(FrozenModel):
    """What the household owns: bank deposits and other assets (car, shares, property)."""

    bank_deposits: Kroner = 0
    other: Kroner = 0


class Request(FrozenModel):
    """What is applied for: living expenses (livsopphold), emergency help (nodhjelp) or other."""

    kind: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    amount: Kroner | None = None
    reason: FreeText = Field(default="", json_schema_extra=PERSONAL)


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class SosialhjelpCase(FrozenModel):
    """An application for financial support to living expenses for one month, as received.

    The computed fields are the derived facts the rules read (ages at the period's first
    day, income per kind); they appear in the stored case data, so every term is traceable.
    """

    case_type: Literal["sosialhjelp"]
    reference: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
    received_at: ReceivedAt
    kommunenummer: Kommunenummer
    malform: Malform | None = None
    applicant: SosialhjelpApplicant
    period: Annotated[str, Field(pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])$")]
    household: Household
    housing: Housing
    income: Annotated[list[Income], Field(max_length=50, default_factory=list)]
    assets: Assets = Assets()
    request: Request
    attachments: Annotated[list[Attachment], Field(max_length=100, default_factory=list)]

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: object) -> object:
        """Stored case data holds the derived fields too; they are always computed afresh."""
        if isinstance(data, dict):
            derived = cls.model_computed_fields
            return {key: value for key, value in data.items() if key not in derived}
        return data

    def case_date(self) -> date:
        """The date that selects rule-set version and parameters: the period's first day."""
        return self.period_start

    @computed_field  # type: ignore[prop-decorator]
    @property
    def period_start(self) -> date:
        """The first day of the month applied for."""
        year, month = self.period.split("-")
        return date(int(year), int(month), 1)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def applicant_age(self) -> int | None:
        """The applicant's age on the period's first day; None if the number gives no date."""
        try:
            birth = fodselsnummer.get_birth_date(self.applicant.national_id)
        except Exception:  # stdnum raises its own errors for numbers it cannot date
            return None
        return _age_on(birth, self.period_start)

    def _child_ages(self) -> list[int]:
        return [_age_on(child.birth_date, self.period_start) for child in self.household.children]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def children_0_5(self) -> int:
        """Children aged 0–5 on the period's first day."""
        return sum(0 <= age <= 5 for age in self._child_ages())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def children_6_10(self) -> int:
        """Children aged 6–10 on the period's first day."""
        return sum(6 <= age <= 10 for age in self._child_ages())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def children_11_17(self) -> int:
        """Children aged 11–17 on the period's first day."""
        return sum(11 <= age <= 17 for age in self._child_ages())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def children_outside_ages(self) -> int:
        """Children listed who are 18 or older, or not yet born, on the period's first day."""
        return sum(age < 0 or age > 17 for age in self._child_ages())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def household_size(self) -> int:
        """Adults plus children."""
        return self.household.adults + len(self.household.children)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def income_totals(self) -> dict[str, int]:
        """Monthly income per kind (adults' income; every known kind present, 0 if none)."""
        totals = dict.fromkeys(KNOWN_INCOME_KINDS, 0)
        for item in self.income:
            if item.earner != "child":
                totals[item.kind] = totals.get(item.kind, 0) + item.amount
        return totals

    @computed_field  # type: ignore[prop-decorator]
    @property
    def documented_income_totals(self) -> dict[str, int]:
        """Like income_totals, but only the income sent with documentation."""
        totals = dict.fromkeys(KNOWN_INCOME_KINDS, 0)
        for item in self.income:
            if item.earner != "child" and item.documented:
                totals[item.kind] = totals.get(item.kind, 0) + item.amount
        return totals

    @computed_field  # type: ignore[prop-decorator]
    @property
    def children_income(self) -> int:
        """All income of the children (never in income_totals)."""
        return sum(item.amount for item in self.income if item.earner == "child")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def children_work_income(self) -> int:
        """The children's income from work in leisure time or school holidays."""
        return sum(
            item.amount
            for item in self.income
            if item.earner == "child" and item.work in ("fritid", "skoleferie")
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def children_other_income(self) -> int:
        """The children's other income, or income whose source is not given."""
        return self.children_income - self.children_work_income

    @computed_field  # type: ignore[prop-decorator]
    @property
    def partner_relationship(self) -> str:
        """The second adult's relationship to the applicant in a household of two adults;
        empty when the household is not two adults or the relationship is not given."""
        others = self.household.other_adults
        if self.household.adults != 2 or others is None or len(others) != 1:
            return ""
        return others[0].relationship

    @computed_field  # type: ignore[prop-decorator]
    @property
    def other_adults_mismatch(self) -> bool:
        """True when other_adults is given but does not list adults − 1 persons."""
        others = self.household.other_adults
        return others is not None and len(others) != self.household.adults - 1

    @computed_field  # type: ignore[prop-decorator]
    @property
    def income_kinds(self) -> list[str]:
        """The kinds of income listed, in order, each once."""
        return list(dict.fromkeys(item.kind for item in self.income))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unknown_income_kinds(self) -> list[str]:
        """Income kinds the case format does not know."""
        return [kind for kind in self.income_kinds if kind not in KNOWN_INCOME_KINDS]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def undocumented_income_kinds(self) -> list[str]:
        """Kinds of income (with an amount) sent without documentation."""
        kinds = (item.kind for item in self.income if not item.documented and item.amount > 0)
        return list(dict.fromkeys(kinds))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def attachment_kinds(self) -> list[str]:
        """The kinds of the attachments, each once."""
        return list(dict.fromkeys(attachment.kind for attachment in self.attachments))
