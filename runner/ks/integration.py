"""The kommune's Fiks integration and the one request helper its KS clients share.

KS's REST APIs (Fiks IO's send API and catalogue, SvarUt's REST v2) take the same login on
every request (KS, developers.fiks.ks.no, "Integrasjoner"): `Authorization: Bearer
<Maskinporten access token, scope ks:fiks>`, `IntegrasjonId` and `IntegrasjonPassord`; they
answer 401 or 403 when the login is refused. `KsIntegration.request` sends a request with that
login and turns an unreachable service or a refused login into the service's own error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from runner.errors import ChannelError, ConfigurationError
from runner.kommuner.ks_settings import KsIntegrationSettings

__all__ = ["KsIntegration", "KsService", "integration_for", "read_secret"]


@dataclass(frozen=True)
class KsService:
    """A KS service the integration logs in to: its name in messages, the settings table that
    points at it, and the error (of the project's tree) its failures are raised as."""

    name: str
    table: str
    error: type[ChannelError]


@dataclass(frozen=True)
class KsIntegration:
    """How the kommune's integration logs in to KS: its id and password, and a function that
    gives a current Maskinporten access token (scope ks:fiks)."""

    integration_id: uuid.UUID
    password: str
    access_token: Callable[[], str]

    def headers(self) -> dict[str, str]:
        """The login headers every KS request carries."""
        return {
            "Authorization": f"Bearer {self.access_token()}",
            "IntegrasjonId": str(self.integration_id),
            "IntegrasjonPassord": self.password,
        }

    def request(
        self, http: httpx.Client, service: KsService, method: str, url: str, **options: Any
    ) -> httpx.Response:
        """Send a request with the integration's login. The service unreachable or the login
        refused (401, 403) is `service.error`; any other answer is the caller's to read."""
        try:
            response = http.request(method, url, headers=self.headers(), **options)
        except httpx.HTTPError as error:
            raise service.error(
                f"{service.name} kan ikke nås ({type(error).__name__})",
                fix=f"Sjekk nettverket og api_url i {service.table}; det prøves igjen.",
            ) from error
        if response.status_code in (401, 403):
            raise service.error(
                f"{service.name} avviste integrasjonens innlogging (HTTP {response.status_code})",
                fix=f"Sjekk integration_id og integration_password_file i {service.table}, "
                "Maskinporten-tilgangen (ks:fiks) og at integrasjonen har tilgang til "
                f"{service.name}-kontoen i Fiks Forvaltning.",
            )
        return response


def read_secret(path: Path, what: str, table: str) -> str:
    """A secret kept in a file (first line, stripped)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigurationError(
            f"Kan ikke lese {what} i {path}: {error.strerror}",
            fix=f"Sjekk stien i {table} og at saksrobot har lesetilgang.",
        ) from error
    if not text:
        raise ConfigurationError(f"{path} er tom ({what})", fix=f"Legg {what} i filen.")
    return text.splitlines()[0]


def integration_for(account: KsIntegrationSettings, table: str) -> KsIntegration:
    """The integration an account in `table` ([fiks_io], [svarut]) is used through: its
    password read now, a current Maskinporten token read from its file each time it is needed
    (so a refreshed file is picked up)."""
    return KsIntegration(
        account.integration_id,
        read_secret(account.integration_password_file, "integrasjonspassordet", table),
        lambda: read_secret(account.access_token_file, "Maskinporten-tokenet", table),
    )
