"""A deployment's settings from one place: init, SAKSROBOT_* environment, toml file.

`load_settings` reads them, makes relative paths relative to the settings file and gathers
the kommuner served (the [kommune] table, [kommuner.NNNN] tables and one file per kommune
in `kommuner_dir`; runner/kommuner/). A kommune's own settings are runner/kommuner/settings.py.
"""

from __future__ import annotations

import os
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


class GroupGrant(BaseModel):
    """What membership of one group at the identity provider gives: a role in some kommuner."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["caseworker", "lead", "admin", "deployment_admin"]
    kommuner: list[Annotated[str, Field(pattern=r"^\d{4}$")]] = Field(min_length=1)


class SsoProvider(BaseModel):
    """One OpenID Connect provider (a kommune's Entra ID or any other): [sso.providers.ID]."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(
        min_length=1, max_length=80, description='Shown on the button "Logg inn med <name>"'
    )
    issuer: str = Field(
        pattern=r"^(https://|http://(127\.0\.0\.1|localhost|\[::1\])[:/])\S+$",
        description="The provider's issuer URL (its discovery document is at "
        "<issuer>/.well-known/openid-configuration); https, plain http only on loopback",
    )
    client_id: str = Field(min_length=1, max_length=200)
    client_secret_env: str | None = Field(
        default=None, description="Name of the environment variable holding the client secret"
    )
    client_secret_file: Path | None = Field(
        default=None, description="A file holding the client secret (relative to this file)"
    )
    client_auth: Literal["client_secret_basic", "client_secret_post"] = Field(
        default="client_secret_basic",
        description="How the secret is sent to the token endpoint (both work with Entra ID)",
    )
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    groups_claim: str = Field(default="groups", description="The ID token's claim of group ids")
    username_claim: str = Field(
        default="preferred_username",
        description="The claim that names a new account (then email, then the subject)",
    )
    groups: dict[str, GroupGrant] = Field(
        min_length=1,
        description="Group id (Entra: the group's object id) → role and kommuner. A user in "
        "several groups gets the highest role among them (caseworker < lead < admin < "
        "deployment_admin), in the kommuner of the groups that give it",
    )

    @model_validator(mode="after")
    def _one_secret(self) -> SsoProvider:
        if (self.client_secret_env is None) == (self.client_secret_file is None):
            raise ValueError(
                "give exactly one of client_secret_env and client_secret_file "
                "(the secret itself never goes in the settings file)"
            )
        if "openid" not in self.scopes:
            raise ValueError('scopes must include "openid"')
        return self

    def client_secret(self) -> str:
        """The client secret from its environment variable or file; SettingsError if absent."""
        if self.client_secret_env is not None:
            secret = os.environ.get(self.client_secret_env, "").strip()
            where = f"miljøvariabelen {self.client_secret_env}"
        else:
            assert self.client_secret_file is not None
            try:
                secret = self.client_secret_file.read_text(encoding="utf-8").strip()
            except OSError:
                secret = ""
            where = f"filen {self.client_secret_file}"
        if not secret:
            raise SettingsError(
                f"Klienthemmeligheten for innlogging med {self.name} mangler ({where})",
                fix=f"Legg hemmeligheten fra app-registreringen hos {self.name} i {where}.",
            )
        return secret


class SsoSettings(BaseModel):
    """Single sign-on with OpenID Connect ([sso] in saksrobot.toml; docs/security.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    public_url: str = Field(
        pattern=r"^https?://[^/?#\s]+$",
        description="The review page's address as the browser sees it, without a trailing "
        "slash; redirect URIs are <public_url>/logg-inn/sso/<ID>/svar",
    )
    providers: dict[Annotated[str, Field(pattern=r"^[a-z0-9-]{1,30}$")], SsoProvider] = Field(
        min_length=1
    )


class RetentionSettings(BaseModel):
    """How long personal data stays in the working store ([retention]; `saksrobot retention`
    removes what has outlived it). GDPR art. 5(1)(e), storage limitation: kept no longer than
    the purpose needs. Cases still open are never touched."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    quarantine_days: int = Field(
        default=90,
        ge=1,
        description="Days a quarantined item's raw input (it never became a case) is kept for "
        "the sender to correct it and `cases retry`; then the content and errors are removed",
    )
    finished_case_days: dict[str, int] = Field(
        default_factory=lambda: {"byggesak": 90, "sosialhjelp": 90},
        description="Days after its letter was sent that a case's personal data (input, "
        "facts, letter text, values read, recipient) stays, per case type. The archive "
        "(Noark 5, arkivlova § 6) keeps the official record from the decision record handed "
        "over with the letter; the working store only needs it while an appeal may come "
        "(forvaltningsloven § 29: three weeks) and is forwarded. A kommune may set its own "
        "(retention_days in its settings)",
    )
    default_finished_case_days: int = Field(
        default=90, ge=1, description="finished_case_days for a case type not listed there"
    )
    security_log_days: int = Field(
        default=365,
        ge=30,
        description="Days login, failed-login and admin events (with source addresses) are "
        "kept: long enough to investigate an incident (NSM grunnprinsipper 3.2 and 4.2), no "
        "longer (GDPR art. 5(1)(e))",
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
    follow_up_seconds: float = Field(
        default=60.0,
        ge=0,
        le=86_400,
        description="How often `saksrobot worker` follows each kommune up (the archive's "
        "answers, SvarUt's delivery statuses; one worker at a time per kommune); 0: never "
        "(`saksrobot run` does it after every run)",
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
    sso: SsoSettings | None = None
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    def serves(self, kommunenummer: object) -> bool:
        """Whether cases of this kommunenummer are handled by this deployment."""
        return kommunenummer == self.kommune.kommunenummer or kommunenummer in self.kommuner

    @property
    def served(self) -> frozenset[str]:
        """The kommunenummer of every kommune this deployment serves."""
        return frozenset(self.kommuner) | {self.kommune.kommunenummer}

    def owner(self, kommunenummer: str | None) -> str | None:
        """The served kommune a case or quarantined item belongs to: its kommunenummer when
        served; with none read (broken JSON, a binary file), the only kommune of a deployment
        that serves one. None when no kommune owns it (a kommune not served, or none read in a
        deployment of several): only a deployment admin sees it, never a kommune's users."""
        served = self.served
        if kommunenummer is None:
            return next(iter(served)) if len(served) == 1 else None
        return kommunenummer if kommunenummer in served else None

    def finished_case_days(self, kommunenummer: str | None, case_type: str | None) -> int:
        """How long a sent case's personal data is kept: the kommune's own retention_days
        for the case type, else [retention] finished_case_days, else its default."""
        kommune = self.kommuner.get(kommunenummer or "")
        own = kommune.retention_days.get(case_type or "") if kommune is not None else None
        if own is not None:
            return own
        retention = self.retention
        return retention.finished_case_days.get(
            case_type or "", retention.default_finished_case_days
        )

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
    resolved: dict[str, Any] = {}
    if settings.sso is not None:
        providers = {
            key: provider.model_copy(
                update={"client_secret_file": _under(root, provider.client_secret_file)}
            )
            if provider.client_secret_file is not None
            else provider
            for key, provider in settings.sso.providers.items()
        }
        resolved["sso"] = settings.sso.model_copy(update={"providers": providers})
    return {
        **resolved,
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
    _check_sso(settings, served, origin)
    return {"kommune": default, "kommuner": dict(sorted(served.items()))}


def _check_sso(
    settings: Settings, served: dict[str, KommuneSettings], origin: Path | str
) -> None:
    """Every kommune a group grants is served by this deployment."""
    if settings.sso is None:
        return
    for key, provider in settings.sso.providers.items():
        for group, grant in provider.groups.items():
            unknown = [k for k in grant.kommuner if k not in served]
            if unknown:
                raise SettingsError(
                    f"sso.providers.{key}.groups.{group} gir tilgang til kommune "
                    f"{', '.join(unknown)}, som ikke betjenes her",
                    file=origin,
                    fix=f"Bruk kommunenummer blant {', '.join(sorted(served))}.",
                )
