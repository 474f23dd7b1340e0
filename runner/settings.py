"""Deployment and kommune settings from one place: init, SAKSROBOT_* environment, toml file."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from runner.errors import FieldProblem, SettingsError

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


class ByggesakFees(_Section):
    """The kommune's fee schedule (gebyrregulativ) for the byggesak robot, whole NOK."""

    reference: str = Field(description="The gebyrregulativ the amounts come from, with year")
    amounts: dict[str, int] = Field(
        default_factory=dict, description="Fee by outcome, e.g. {innvilget = 4500}"
    )


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
    auto_finalise: list[str] = Field(
        default_factory=list,
        description="Robots whose clear-cut decisions may be finalised without review "
        "(GDPR art. 22: each kommune decides this explicitly; empty = all reviewed)",
    )

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
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"
    kommune: KommuneSettings

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
        return self

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
    except Exception as error:  # tomllib.TOMLDecodeError and friends
        raise SettingsError(
            f"Settings file cannot be read: {error}",
            file=toml_path,
            fix="Check the TOML syntax (quotes around strings, [sections]).",
        ) from error
    finally:
        _toml_file.reset(token)
