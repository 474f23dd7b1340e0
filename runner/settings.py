"""A deployment's settings from one place: init, SAKSROBOT_* environment, toml file.

`load_settings` reads them, makes relative paths relative to the settings file and gathers
the kommuner served (the [kommune] table, [kommuner.NNNN] tables and one file per kommune
in `kommuner_dir`; runner/kommuner/). A kommune's own settings are runner/kommuner/settings.py.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from runner.errors import NotFoundError, SettingsError
from runner.kommuner.folder import load_folder, settings_problem
from runner.kommuner.settings import KommuneSettings
from runner.mailservers import ImapSettings, SmtpSettings

#: The folder that holds robots/, rules/, templates/ and demo/ (the repository root).
CONTENT_ROOT = Path(__file__).resolve().parent.parent

_toml_file: ContextVar[Path | None] = ContextVar("saksrobot_settings_file", default=None)


class WebSettings(BaseModel):
    """The review page's sessions, cookies, proxy and login throttling ([web] in saksrobot.toml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    secure_cookies: bool | None = Field(
        default=None,
        description="true: cookies always Secure (and HSTS); unset: Secure when the request "
        "came over HTTPS (as the trusted proxy says)",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Addresses of the reverse proxy whose X-Forwarded-For/-Proto are believed",
    )
    session_hours: float = Field(default=8, gt=0, le=24, description="Absolute session limit")
    idle_minutes: float = Field(
        default=30, gt=0, le=24 * 60, description="A session unused this long is ended"
    )
    hsts_seconds: int = Field(default=31_536_000, ge=0, description="HSTS max-age when Secure")
    login_failures_per_address: int = Field(
        default=20, ge=1, description="Failed logins from one address per window before 429"
    )
    login_window_minutes: float = Field(
        default=15, gt=0, description="The window of the per-address and per-account limits"
    )
    login_failures_per_account: int = Field(
        default=5, ge=1, description="Failed logins in a row before new browsers are locked out"
    )


class Settings(BaseSettings):
    """All settings of one deployment. Build them with `load_settings`, which makes relative
    paths relative to the settings file and fills `kommune` and `kommuner`."""

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
    kommune: KommuneSettings = Field(  # type: ignore[assignment]  # filled by load_settings
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
    map_dir: Path = Field(
        default=Path("kart"),
        description="Folder the kommuner's map datasets are found in (docs/mapdata.md)",
    )
    default_kommune: Annotated[str, Field(pattern=r"^\d{4}$")] | None = None
    smtp: SmtpSettings | None = None
    imap: ImapSettings | None = None
    web: WebSettings = Field(default_factory=WebSettings)

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
                f"Kommune {kommunenummer} betjenes ikke av denne installasjonen",
                fix=f"Legg til {self.kommuner_dir}/{kommunenummer}-<navn>.toml, eller send "
                "saken til riktig kommune.",
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
            "Fant ikke innstillingsfilen",
            file=toml_path,
            fix="Gi --settings (eller SAKSROBOT_SETTINGS) stien til en saksrobot.toml "
            "(se demo/saksrobot.toml).",
        )
    token = _toml_file.set(toml_path)
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        problems = [
            settings_problem(
                Settings, item, "Rett verdien i innstillingsfilen eller SAKSROBOT_-variabelen."
            )
            for item in error.errors()
        ]
        raise SettingsError(
            "Ugyldige innstillinger",
            file=toml_path or "(miljøvariabler)",
            problems=problems,
            fix="Rett nøklene over; se demo/saksrobot.toml for et komplett eksempel.",
        ) from error
    except SettingsError:
        raise
    except Exception as error:  # tomllib.TOMLDecodeError and friends
        raise SettingsError(
            f"Innstillingsfilen kan ikke leses: {error}",
            file=toml_path,
            fix='Sjekk TOML-syntaksen: anførselstegn rundt tekst (navn = "Oslo"), '
            "[seksjoner] på egen linje, ett = per nøkkel.",
        ) from error
    finally:
        _toml_file.reset(token)
    root = toml_path.parent if toml_path is not None else Path.cwd()
    with_paths = settings.model_copy(update=_resolved_paths(settings, root))
    return with_paths.model_copy(update=_served_kommuner(with_paths, toml_path))


def _resolved_paths(settings: Settings, root: Path) -> dict[str, Any]:
    """Absolute data, outbox, content and kommuner folders (relative ones are relative to
    `root`, the settings file's folder) and the store URL (default: SQLite in data_dir)."""
    data_dir = settings.data_dir if settings.data_dir.is_absolute() else root / settings.data_dir
    data_dir = data_dir.resolve()
    outbox_dir = settings.outbox_dir
    if outbox_dir is None:
        outbox_dir = data_dir / "outbox"
    elif not outbox_dir.is_absolute():
        outbox_dir = (root / outbox_dir).resolve()
    return {
        "data_dir": data_dir,
        "outbox_dir": outbox_dir,
        "content_dir": _under(root, settings.content_dir),
        "kommuner_dir": _under(root, settings.kommuner_dir),
        "map_dir": _under(root, settings.map_dir),
        "store_url": settings.store_url or f"sqlite:///{data_dir / 'saksrobot.db'}",
    }


def _under(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else (root / path).resolve()


def _served_kommuner(settings: Settings, toml_path: Path | None) -> dict[str, Any]:
    """`kommuner`: every kommune served, by number ([kommuner.NNNN] tables, the [kommune]
    table and the files in kommuner_dir), and `kommune`: the default one."""
    origin: Path | str = toml_path or "(environment)"
    served: dict[str, KommuneSettings] = {}
    for key, kommune in settings.kommuner.items():
        if key != kommune.kommunenummer:
            raise SettingsError(
                f"kommuner.{key} har kommunenummer {kommune.kommunenummer}",
                file=origin,
                fix="Bruk kommunenummeret som tabellnavn: [kommuner.NNNN].",
            )
        served[key] = kommune
    if settings.kommune is not None:
        served.setdefault(settings.kommune.kommunenummer, settings.kommune)
    for number, (path, kommune) in load_folder(settings.kommuner_dir).items():
        if number in served:
            raise SettingsError(
                f"Kommune {number} er satt opp to ganger (også i innstillingsfilen)",
                file=path,
                fix="Behold én definisjon per kommune: filen eller [kommune]-tabellen.",
            )
        served[number] = kommune
    if not served:
        raise SettingsError(
            "Ingen kommune er satt opp",
            file=origin,
            fix=f"Legg til en [kommune]-tabell eller én fil per kommune i "
            f"{settings.kommuner_dir} (se demo/kommuner/).",
        )
    default = settings.kommune
    if default is None:
        number = settings.default_kommune or min(served)
        if number not in served:
            raise SettingsError(
                f"default_kommune {number} er ikke blant kommunene som betjenes",
                file=origin,
                fix=f"Velg en av {', '.join(sorted(served))}.",
            )
        default = served[number]
    return {"kommune": default, "kommuner": dict(sorted(served.items()))}
