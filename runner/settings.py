"""Deployment and kommune settings from one place: init, SAKSROBOT_* environment, toml file."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from runner.errors import FieldProblem, NotFoundError, SettingsError
from runner.mailservers import ImapSettings, SmtpSettings

#: The folder that holds robots/, rules/, templates/ and demo/ (the repository root).
CONTENT_ROOT = Path(__file__).resolve().parent.parent

_toml_file: ContextVar[Path | None] = ContextVar("saksrobot_settings_file", default=None)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
    """The kommune's own monthly rates for living expenses, overriding the state guideline."""

    valid_from: date
    valid_to: date | None = None
    enslig: int = Field(ge=0)
    par: int = Field(ge=0, description="ektepar/samboere")
    bofellesskap: int = Field(ge=0)
    barn_0_5: int = Field(ge=0)
    barn_6_10: int = Field(ge=0)
    barn_11_17: int = Field(ge=0)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


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


class KommuneSettings(_Section):
    """Everything that differs between kommuner sharing the same robots."""

    kommunenummer: Annotated[str, Field(pattern=r"^\d{4}$")]
    name: str
    malform: Literal["nb", "nn", "nøytral"] = "nøytral"
    letterhead: Letterhead
    appeal_body: dict[str, str] = Field(
        default_factory=lambda: {"byggesak": "Statsforvaltaren", "sosialhjelp": "Statsforvaltaren"},
        description="Who decides an appeal, per case type",
    )
    byggesak_fees: ByggesakFees | None = None
    sosialhjelp: WelfareSettings | None = None
    auto_finalise: list[str] = Field(
        default_factory=list,
        description="Robots whose clear-cut decisions may be finalised without review "
        "(GDPR art. 22: each kommune decides this explicitly; empty = all reviewed)",
    )

    def rule_parameters(self, case_type: str | None, on: date) -> dict[str, Any]:
        """The kommune's own parameters for a case type's rules (`k`); empty when none."""
        if case_type == "sosialhjelp" and self.sosialhjelp is not None:
            return self.sosialhjelp.rule_parameters(on)
        return {}

    def letter_malform(self, requested: str | None) -> str:
        """The målform to write a letter in: the kommune's, or the applicant's when neutral."""
        if self.malform in ("nb", "nn"):
            return self.malform
        return requested if requested in ("nb", "nn") else "nb"


class Settings(BaseSettings):
    """All settings of one deployment. Relative paths are relative to the settings file."""

    model_config = SettingsConfigDict(
        env_prefix="SAKSROBOT_",
        env_nested_delimiter="__",
        frozen=True,
        extra="forbid",
    )

    data_dir: Path = Path("var")
    store_url: str | None = None
    outbox_dir: Path | None = None
    content_dir: Path = CONTENT_ROOT
    max_input_bytes: int = Field(default=10_000_000, ge=1)
    max_text_chars: int = Field(
        default=100_000, ge=1, description="Longest text one spreadsheet cell may hold"
    )
    max_workbook_bytes: int = Field(
        default=50_000_000, ge=1, description="Largest a workbook may be once unpacked"
    )
    max_workbook_rows: int = Field(
        default=10_000, ge=1, description="Most rows one workbook sheet may hold"
    )
    retry_attempts: int = Field(
        default=3, ge=1, le=20, description="Tries of a failing disk, channel or source step"
    )
    retry_delay_seconds: float = Field(
        default=0.2, ge=0, le=600, description="Wait before the 2nd try; doubles each time"
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"
    kommune: KommuneSettings = Field(  # type: ignore[assignment]  # filled from kommuner
        default=None,
        validate_default=False,
        description="The default kommune; when absent, `default_kommune` or the first file in "
        "`kommuner_dir`",
    )
    kommuner: dict[str, KommuneSettings] = Field(
        default_factory=dict,
        description="Every kommune this deployment serves, by kommunenummer: [kommune] plus "
        "one file per kommune in kommuner_dir",
    )
    kommuner_dir: Path = Path("kommuner")
    default_kommune: Annotated[str, Field(pattern=r"^\d{4}$")] | None = None
    smtp: SmtpSettings | None = None
    imap: ImapSettings | None = None

    @model_validator(mode="after")
    def _resolve_paths(self) -> Settings:
        base = _toml_file.get()
        root = base.parent if base is not None else Path.cwd()
        data_dir = self.data_dir if self.data_dir.is_absolute() else root / self.data_dir
        object.__setattr__(self, "data_dir", data_dir.resolve())
        if self.outbox_dir is None:
            object.__setattr__(self, "outbox_dir", self.data_dir / "outbox")
        elif not self.outbox_dir.is_absolute():
            object.__setattr__(self, "outbox_dir", (root / self.outbox_dir).resolve())
        if not self.content_dir.is_absolute():
            object.__setattr__(self, "content_dir", (root / self.content_dir).resolve())
        if self.store_url is None:
            object.__setattr__(self, "store_url", f"sqlite:///{self.data_dir / 'saksrobot.db'}")
        if not self.kommuner_dir.is_absolute():
            object.__setattr__(self, "kommuner_dir", (root / self.kommuner_dir).resolve())
        self._collect_kommuner()
        return self

    def _collect_kommuner(self) -> None:
        from runner.kommuner.folder import load_folder

        served: dict[str, KommuneSettings] = {}
        for key, kommune in self.kommuner.items():
            if key != kommune.kommunenummer:
                raise SettingsError(
                    f"kommuner.{key} has kommunenummer {kommune.kommunenummer}",
                    file=_toml_file.get() or "(environment)",
                    fix="Use the kommunenummer as the table name: [kommuner.NNNN].",
                )
            served[key] = kommune
        if self.kommune is not None:
            served.setdefault(self.kommune.kommunenummer, self.kommune)
        for number, (path, kommune) in load_folder(self.kommuner_dir).items():
            if number in served:
                raise SettingsError(
                    f"Kommune {number} is configured twice (also in the settings file)",
                    file=path,
                    fix="Keep one definition per kommune: the file or the [kommune] table.",
                )
            served[number] = kommune
        if not served:
            raise SettingsError(
                "No kommune configured",
                file=_toml_file.get() or "(environment)",
                fix=f"Add a [kommune] table or a file per kommune in {self.kommuner_dir} "
                "(see demo/kommuner/).",
            )
        default = self.kommune
        if default is None:
            number = self.default_kommune or min(served)
            if number not in served:
                raise SettingsError(
                    f"default_kommune {number} is not among the kommuner served",
                    file=_toml_file.get() or "(environment)",
                    fix=f"Choose one of {', '.join(sorted(served))}.",
                )
            default = served[number]
        object.__setattr__(self, "kommune", default)
        object.__setattr__(self, "kommuner", dict(sorted(served.items())))

    def serves(self, kommunenummer: object) -> bool:
        """Whether cases of this kommunenummer are handled by this deployment."""
        return kommunenummer == self.kommune.kommunenummer or kommunenummer in self.kommuner

    def kommune_for(self, kommunenummer: str | None) -> KommuneSettings:
        """The settings of the kommune a case belongs to; NotFoundError if it is not served."""
        if kommunenummer is None or kommunenummer == self.kommune.kommunenummer:
            return self.kommune
        kommune = self.kommuner.get(kommunenummer)
        if kommune is None:
            raise NotFoundError(
                f"Kommune {kommunenummer} is not served by this deployment",
                fix=f"Add {self.kommuner_dir}/{kommunenummer}-<navn>.toml, or send the case "
                "to the right kommune.",
            )
        return kommune

    @property
    def outbox(self) -> Path:
        assert self.outbox_dir is not None
        return self.outbox_dir

    @property
    def database_url(self) -> str:
        assert self.store_url is not None
        return self.store_url

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _toml_file.get()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Load settings from a saksrobot.toml file (if given), the environment and overrides."""
    toml_path = Path(path).resolve() if path is not None else None
    if toml_path is not None and not toml_path.is_file():
        raise SettingsError(
            "Settings file not found",
            file=toml_path,
            fix="Give --settings the path of a saksrobot.toml (see demo/saksrobot.toml).",
        )
    token = _toml_file.set(toml_path)
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = [
            FieldProblem(
                ".".join(str(part) for part in item["loc"]),
                item["msg"],
                "Rett verdien i innstillingsfilen eller SAKSROBOT_-variabelen.",
            )
            for item in error.errors()
        ]
        raise SettingsError(
            "Invalid settings",
            file=toml_path or "(environment)",
            problems=problems,
            fix="Correct the keys listed above; see demo/saksrobot.toml for a complete example.",
        ) from error
    except SettingsError:
        raise
    except Exception as error:  # tomllib.TOMLDecodeError and friends
        raise SettingsError(
            f"Settings file cannot be read: {error}",
            file=toml_path,
            fix="Check the TOML syntax (quotes around strings, [sections]).",
        ) from error
    finally:
        _toml_file.reset(token)
