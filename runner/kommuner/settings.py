"""A kommune's settings: everything that differs between kommuner sharing the same robots
(name, målform, letterhead, appeal body, fees, welfare norms, which robots may finalise
without review). Read from `kommuner/NNNN-name.toml` (folder.py) or the deployment's
[kommune] table (runner/settings.py).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from runner.kommuner.ks_settings import KsIntegrationSettings, MaskinportenSettings, SecretPath
from runner.mapdata.settings import MapDataSettings
from runner.rules.expressions import RULE_VARIABLES, ExpressionError, compile_expression

__all__ = [
    "AutomationBasis",
    "ByggesakFees",
    "FiksIoSettings",
    "Guideline",
    "KommuneSettings",
    "Letterhead",
    "LocalName",
    "WelfareNorm",
    "WelfareSettings",
]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalName(_Section):
    """A name written in each målform (Statsforvalteren i Vestland / Statsforvaltaren i
    Vestland)."""

    nb: str = Field(min_length=1)
    nn: str = Field(min_length=1)


class AutomationBasis(_Section):
    """The legal basis a kommune relies on for fully automated decisions of one case type.

    GDPR art. 22 nr. 2 bokstav b allows a decision based solely on automated processing only
    when a national rule authorises it and lays down suitable measures to safeguard the
    person's rights. The kommune names that national rule here; `kommuner check` refuses
    `auto_finalise` for a robot whose case type has none, and the letter's notice on
    automated processing cites it.
    """

    national_rule: LocalName = Field(
        description="The national rule relied on, per målform, e.g. 'forvaltningsloven § 12'"
    )
    url: str = Field(pattern=r"^https://\S+$", description="Link to the rule's text (lovdata.no)")
    in_force_from: date | None = Field(
        default=None,
        description="The day the national rule applies from; auto_finalise is refused before",
    )
    decision: str = Field(
        min_length=1, description="The kommune's own decision to automate, with date"
    )


class Letterhead(_Section):
    """What the top and bottom of every letter say about the sender."""

    title: str = Field(description="Kommunens navn slik det står i brevhodet")
    department: dict[str, str] = Field(
        default_factory=dict, description="Avdeling per målform: {nb: ..., nn: ...}"
    )
    postal_address: str
    visiting_address: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""
    org_number: str = ""
    departments: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Avdeling per sakstype og målform: {sosialhjelp = {nb = 'NAV Askøy'}}; "
        "sakstyper som mangler, bruker `department`",
    )

    def department_for(self, case_type: str | None, malform: str) -> str:
        """The department line for a case type in a målform, falling back to `department`."""
        names = self.departments.get(case_type or "", {}) or self.department
        return names.get(malform) or names.get("nb", "")


class ByggesakFees(_Section):
    """The kommune's fee schedule (gebyrregulativ) for the byggesak robot, whole NOK."""

    reference: str = Field(description="The gebyrregulativ the amounts come from, with year")
    amounts: dict[str, int] = Field(
        default_factory=dict, description="Fee by outcome, e.g. {innvilget = 4500}"
    )


class WelfareNorm(_Section):
    """The kommune's own monthly rates for living expenses, overriding the state guideline.

    Rates change every calendar year: a norm without `valid_to` covers the rest of the
    calendar year of `valid_from` only, never a later year (a period then has no norm and
    its rate is uavklart, "sats ikke oppdatert", unless the state rate covers it).
    """

    valid_from: date
    valid_to: date | None = Field(
        default=None, description="Last day; empty = 31 December of valid_from's year"
    )
    enslig: int = Field(ge=0)
    par: int = Field(ge=0, description="ektepar/samboere")
    bofellesskap: int = Field(ge=0)
    barn_0_5: int = Field(ge=0)
    barn_6_10: int = Field(ge=0)
    barn_11_17: int = Field(ge=0)

    def covers(self, day: date) -> bool:
        """True when the norm applies on `day` (see the class: its calendar year at most)."""
        last = self.valid_to if self.valid_to is not None else date(self.valid_from.year, 12, 31)
        return self.valid_from <= day <= last


class WelfareSettings(_Section):
    """The kommune's norms for the sosialhjelp robot, handed to its rules as `k`."""

    reference: str = Field(description="The kommune decision the norms come from, with year")
    deposit_buffer: int = Field(ge=0, description="Bank deposits below this are not counted")
    rent_caps: dict[str, int] = Field(
        default_factory=dict, description="Highest rent counted, by household size ('1', '2', …)"
    )
    own_norm: list[WelfareNorm] = Field(default_factory=list)
    forelopig_svar_days: int = Field(
        default=14, ge=1, description="Days ahead a foreløpig svar promises an answer by"
    )
    document_deadline_days: int = Field(
        default=14, ge=1, description="Days the applicant gets to send missing documentation"
    )

    def rule_parameters(self, on: date) -> dict[str, Any]:
        """`k` for the rules on `on`: buffer, rent caps and the own norm covering that day."""
        data: dict[str, Any] = {
            "reference": self.reference,
            "deposit_buffer": self.deposit_buffer,
            "rent_caps": dict(self.rent_caps),
        }
        covering = [norm for norm in self.own_norm if norm.covers(on)]
        if covering:
            norm = max(covering, key=lambda item: item.valid_from)
            data["norm"] = {
                **norm.model_dump(exclude={"valid_from", "valid_to"}),
                "valid_from": norm.valid_from.isoformat(),
                "reference": self.reference,
            }
        return data


class FiksIoSettings(KsIntegrationSettings):
    """The kommune's KS Fiks IO account: what it orders from KS and keeps outside the repository.

    The account and the integration are set up in Fiks Forvaltning (Fiks Konfigurasjon); the
    account's certificate is uploaded there and its private key stays on the server. The
    integration's login is read from files (KsIntegrationSettings), so no secret sits in a
    settings file.
    """

    account_id: UUID = Field(description="The Fiks IO account (konto) id")
    private_key: SecretPath = Field(description="The account's RSA private key (PEM or DER)")
    certificate: SecretPath = Field(description="The account's X.509 certificate (PEM or DER)")
    api_url: str = Field(default="https://api.fiks.ks.no", pattern=r"^https?://\S+$")
    amqp_url: str = Field(default="amqps://io.fiks.ks.no:5671", pattern=r"^amqps?://\S+$")
    letter_receiver: UUID | None = Field(
        default=None, description="The Fiks IO account that robots with channel fiksio send to"
    )


class FiksArkivSettings(_Section):
    """The kommune's archive over KS Fiks Arkiv: each sent decision is filed there as an
    arkivmelding sent from the kommune's Fiks IO account ([fiks_io]) to the archive's."""

    account: UUID = Field(description="The archive's Fiks IO account (the receiver)")
    archive_part: str | None = Field(
        default=None, description="The arkivdel the archive files the cases in, if it wants one"
    )


class SvarUtSettings(KsIntegrationSettings):
    """The kommune's KS SvarUt account: letters to citizens and organisations (digital mailbox,
    Altinn, or paper), sent from the account through SvarUt's REST API (v2) by the kommune's
    Fiks integration (its login read from files, as for Fiks IO)."""

    account_id: UUID = Field(description="The SvarUt sending account (konto) id")
    api_url: str = Field(default="https://svarut.ks.no/api", pattern=r"^https?://\S+$")
    digital_only: bool = Field(
        default=False,
        description="kunDigitalLevering: never print (a letter to someone without a digital "
        "mailbox is then not delivered)",
    )
    accounting_code: str | None = Field(
        default=None,
        pattern=r"^[a-zA-Z0-9_\-.øæåØÆÅ]{0,20}$",
        description="konteringskode for the print costs, if the kommune uses one",
    )


_STATSFORVALTEREN: str | LocalName = LocalName(nb="Statsforvalteren", nn="Statsforvaltaren")


class Guideline(_Section):
    """A guideline the kommune has adopted for one discretionary rule (its "kan").

    With it the robot may exercise that discretion when `conditions` hold for the case; the
    letter cites `reference` and `adopted`. Without one (or when the conditions do not
    hold) a caseworker decides.
    """

    reference: str = Field(
        min_length=1, description="The kommune's decision adopting it, e.g. 'Bystyret sak 12/26'"
    )
    adopted: date = Field(description="The date the guideline was adopted")
    conditions: str = Field(
        min_length=1,
        description="CEL over the case (case.…), parameters (p.…) and earlier rules (r.…): "
        "when the guideline lets the robot say yes",
    )

    @field_validator("conditions")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compile_expression(value, RULE_VARIABLES)
        except ExpressionError as error:
            raise ValueError(
                f"{error}; write the conditions as CEL, e.g. "
                '"case.measure.distance_to_boundary_m >= 1.0"'
            ) from error
        return value

    def rule_parameter(self) -> dict[str, str]:
        return {
            "reference": self.reference,
            "adopted": self.adopted.isoformat(),
            "conditions": self.conditions,
        }


class KommuneSettings(_Section):
    """Everything that differs between kommuner sharing the same robots."""

    kommunenummer: Annotated[str, Field(pattern=r"^\d{4}$")]
    name: str
    malform: Literal["nb", "nn", "nøytral"] = "nøytral"
    letterhead: Letterhead
    appeal_body: dict[str, str | LocalName] = Field(
        default_factory=lambda: dict.fromkeys(("byggesak", "sosialhjelp"), _STATSFORVALTEREN),
        description="Who decides an appeal, per case type: {nb = '…', nn = '…'}, or one text "
        "for a body whose name is the same in both målformer",
    )
    byggesak_fees: ByggesakFees | None = None
    sosialhjelp: WelfareSettings | None = None
    guidelines: dict[str, Guideline] = Field(
        default_factory=dict,
        description="Adopted guidelines for discretionary rules, by rule id: without one a "
        "caseworker exercises the discretion",
    )
    map_data: MapDataSettings | None = Field(
        default=None,
        description="The kommune's map datasets for the facts step (docs/mapdata.md); "
        "without them every map fact is uavklart",
    )
    auto_finalise: list[str] = Field(
        default_factory=list,
        description="Robots whose clear-cut decisions may be finalised without review "
        "(GDPR art. 22: each kommune decides this explicitly; empty = all reviewed)",
    )
    automation_basis: dict[str, AutomationBasis] = Field(
        default_factory=dict,
        description="The legal basis for automated decisions per case type (byggesak, "
        "sosialhjelp); required for every robot in auto_finalise",
    )
    maskinporten: MaskinportenSettings | None = Field(
        default=None,
        description="The kommune's Maskinporten client: the access tokens [fiks_io] and "
        "[svarut] log in with",
    )
    fiks_io: FiksIoSettings | None = Field(
        default=None, description="The kommune's KS Fiks IO account (sources/channels fiksio)"
    )
    svarut: SvarUtSettings | None = Field(
        default=None, description="The kommune's KS SvarUt account (channel svarut)"
    )
    fiks_arkiv: FiksArkivSettings | None = Field(
        default=None,
        description="File each sent decision in the kommune's archive over Fiks Arkiv "
        "(needs [fiks_io]); without it the letters' JSON records are the archive record",
    )
    retention_days: dict[str, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict,
        description="Days after its letter was sent that a case's personal data stays in the "
        "working store, per case type; overrides [retention] finished_case_days",
    )

    @model_validator(mode="after")
    def _ks_accounts_have_maskinporten(self) -> Self:
        used = [name for name in ("fiks_io", "svarut") if getattr(self, name) is not None]
        if used and self.maskinporten is None:
            raise ValueError(
                f"[{'] og ['.join(used)}] logger inn med et Maskinporten-token, men [maskinporten] "
                "mangler: legg til client_id, private_key og certificate for kommunens "
                "Maskinporten-klient (se docs/national-components.md)"
            )
        return self

    def appeal_body_for(self, case_type: str, malform: str) -> str | None:
        """The appeal body of a case type written in `malform` (nb or nn); None if unset."""
        body = self.appeal_body.get(case_type)
        if body is None or isinstance(body, str):
            return body
        return body.nn if malform == "nn" else body.nb

    def letter_view(self, malform: str) -> dict[str, Any]:
        """The settings as a letter reads them (`kommune`): names in the letter's målform."""
        data = self.model_dump(mode="json")
        data["appeal_body"] = {
            case_type: self.appeal_body_for(case_type, malform) for case_type in self.appeal_body
        }
        return data

    def rule_parameters(self, case_type: str | None, on: date) -> dict[str, Any]:
        """The kommune's own parameters for a case type's rules (`k`); empty when none.

        `k.guidelines` holds the guidelines adopted on or before `on`; the engine applies
        them to discretionary rules only (rules cannot read them)."""
        data: dict[str, Any] = {}
        if case_type == "sosialhjelp" and self.sosialhjelp is not None:
            data = self.sosialhjelp.rule_parameters(on)
        adopted = {
            rule_id: guideline.rule_parameter()
            for rule_id, guideline in self.guidelines.items()
            if guideline.adopted <= on
        }
        if adopted:
            data["guidelines"] = adopted
        return data

    def letter_malform(self, requested: str | None) -> str:
        """The målform to write a letter in: the kommune's, or the applicant's when neutral."""
        if self.malform in ("nb", "nn"):
            return self.malform
        return requested if requested in ("nb", "nn") else "nb"
