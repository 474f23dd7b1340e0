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
from typing import Any

import httpx

from runner.errors import ChannelError, ConfigurationError
from runner.kommuner.ks_settings import KsIntegrationSettings, MaskinportenSettings
from runner.ks.keys import read_secret
from runner.ks.maskinporten import maskinporten_client

__all__ = ["KsIntegration", "KsService", "integration_for"]


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


def integration_for(
    account: KsIntegrationSettings, maskinporten: MaskinportenSettings | None, table: str
) -> KsIntegration:
    """The integration an account in `table` ([fiks_io], [svarut]) is used through: its
    password read now, its tokens from the kommune's Maskinporten client (shared by all)."""
    if maskinporten is None:
        raise ConfigurationError(
            f"{table} logger inn med et Maskinporten-token, men [maskinporten] mangler",
            fix="Legg til [maskinporten] med client_id, private_key og certificate for "
            "kommunens Maskinporten-klient (docs/national-components.md).",
        )
    return KsIntegration(
        account.integration_id,
        read_secret(account.integration_password_file, "integrasjonspassordet", table),
        maskinporten_client(maskinporten).access_token,
    )
