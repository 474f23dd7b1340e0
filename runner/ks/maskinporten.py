"""Maskinporten access tokens: the JWT grant signed with the kommune's virksomhetssertifikat.

As Digdir documents Maskinporten's token endpoint (docs.digdir.no/docs/Maskinporten/
maskinporten_protocol_token and maskinporten_protocol_jwtgrant; RFC 7523, section 2.1):

- the grant is a JWT signed RS256 with the header `x5c` (the virksomhetssertifikat, RFC 7517
  § 4.7) or `kid` (a key registered on the client), and exactly the claims `aud` (Maskinporten's
  issuer, https://maskinporten.no/ or https://test.maskinporten.no/; not the token URL), `iss`
  (the client id), `scope`, `iat`, `exp` (at most 120 s after iat) and `jti` (a grant is never
  used twice); Maskinporten refuses a claim it does not list;
- it is sent as `POST <issuer>token`, application/x-www-form-urlencoded,
  `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<the grant>`;
- the answer is JSON `{access_token, token_type: "Bearer", expires_in, scope}`; a refusal is
  JSON `{error, error_description}` with an OAuth2 error code (invalid_grant, invalid_scope,
  invalid_client, …; docs.digdir.no/docs/Maskinporten/maskinporten_feilsoking).

The token is kept in memory and used until shortly before it expires; one lock makes the
threads that need it at the same time wait for one fetch. `maskinporten_client` gives one
client per [maskinporten] table and process, so Fiks IO and SvarUt share the token.
"""

from __future__ import annotations

import base64
import functools
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import RSAKey

from runner.errors import ApplicationError, ConfigurationError, FieldProblem
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.ks.keys import certificate_problems, load_certificate, load_private_key, read_secret

__all__ = [
    "GRANT_TYPE",
    "AccessToken",
    "MaskinportenClient",
    "MaskinportenError",
    "maskinporten_client",
]

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Seconds a grant is valid: Maskinporten takes at most 120 (exp - iat).
GRANT_LIFETIME = 120
#: A token is fetched anew this many seconds before it expires (at most half its lifetime).
REFRESH_MARGIN = 30.0
#: What to fix for each OAuth2 error code Maskinporten answers with.
FIXES = {
    "invalid_grant": "Sjekk client_id i [maskinporten], at virksomhetssertifikatet (eller "
    "nøkkelen med key_id) hører til Maskinporten-klienten i Samarbeidsportalen og gjelder i "
    "dette miljøet (test eller produksjon, issuer), og at serverens klokke går riktig.",
    "invalid_scope": "Maskinporten-klienten har ikke scopet: be KS om tilgang til ks:fiks for "
    "kommunen og legg scopet til klienten i Samarbeidsportalen.",
    "invalid_client": "Sjekk client_id i [maskinporten]: klienten finnes ikke i dette miljøet.",
    "unauthorized_client": "Klienten kan ikke bruke JWT-grant: sjekk klientens oppsett i "
    "Samarbeidsportalen.",
}


class MaskinportenError(ApplicationError):
    """Maskinporten gave no access token (refused the grant, or could not be reached): what
    needed it is retried, then parked for a human."""

    kind = "maskinporten"


@dataclass(frozen=True)
class AccessToken:
    """A token from Maskinporten and the moment (time.time()) to fetch a new one."""

    value: str
    scope: str
    refresh_at: float


class MaskinportenClient:
    """Gets access tokens for the kommune's Maskinporten client, one at a time, kept until
    shortly before they expire."""

    def __init__(self, settings: MaskinportenSettings, *, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        password = None
        if settings.key_password_file is not None:
            password = read_secret(
                settings.key_password_file, "passordet til nøkkelen", "[maskinporten]"
            )
        private_key = load_private_key(settings.private_key, password)
        self.header: dict[str, Any] = {"alg": "RS256"}
        if settings.key_id is not None:
            self.header["kid"] = settings.key_id
        elif settings.certificate is not None:  # the settings require one of the two
            certificate = load_certificate(settings.certificate)
            problems = certificate_problems(certificate, private_key)
            if problems:
                raise ConfigurationError(
                    f"Virksomhetssertifikatet {settings.certificate} kan ikke brukes mot "
                    "Maskinporten",
                    problems=[FieldProblem("", problem) for problem in problems],
                    fix="Bestill nytt virksomhetssertifikat, eller pek private_key og "
                    "certificate i [maskinporten] på et par som hører sammen.",
                )
            der = certificate.public_bytes(serialization.Encoding.DER)
            self.header["x5c"] = [base64.b64encode(der).decode("ascii")]
        self.key = RSAKey.import_key(private_key)
        self.lock = threading.Lock()
        self.current: AccessToken | None = None

    def access_token(self) -> str:
        """A token valid for a while yet: the one kept, or a new one from Maskinporten."""
        with self.lock:
            if self.current is None or time.time() >= self.current.refresh_at:
                self.current = self.fetch()
            return self.current.value

    def grant(self) -> str:
        """A new JWT grant, signed, valid for GRANT_LIFETIME seconds."""
        now = int(time.time())
        claims = {
            "aud": self.settings.issuer,
            "iss": self.settings.client_id,
            "scope": self.settings.scope,
            "iat": now,
            "exp": now + GRANT_LIFETIME,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(self.header, claims, self.key, algorithms=["RS256"], default_type=None)

    def fetch(self) -> AccessToken:
        """A new token from Maskinporten's token endpoint."""
        url = self.settings.token_url
        started = time.time()
        try:  # a connection of its own: a token is fetched once in a few minutes
            response = httpx.post(
                url,
                data={"grant_type": GRANT_TYPE, "assertion": self.grant()},
                timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise MaskinportenError(
                f"Maskinporten kan ikke nås ({type(error).__name__})",
                fix=f"Sjekk nettverket mot {url} og issuer/token_endpoint i [maskinporten]; "
                "det prøves igjen.",
            ) from error
        answer = _json(response)
        if response.status_code != 200:
            code = str(answer.get("error") or f"HTTP {response.status_code}")
            description = str(answer.get("error_description") or response.text)[:300]
            raise MaskinportenError(
                f"Maskinporten ga ikke token ({code}: {description})",
                fix=FIXES.get(
                    code,
                    "Les feilen i Maskinportens feilsøkingsside (docs.digdir.no, "
                    "maskinporten_feilsoking) og rett [maskinporten]; det prøves igjen.",
                ),
            )
        token, lifetime = answer.get("access_token"), answer.get("expires_in")
        if (
            not isinstance(token, str)
            or not token
            or str(answer.get("token_type", "")).lower() != "bearer"
            or not isinstance(lifetime, int)
            or lifetime <= 0
        ):
            raise MaskinportenError(
                "Maskinporten svarte 200 uten et Bearer-token med levetid",
                fix="Meld fra til Digdir; det prøves igjen.",
            )
        margin = min(REFRESH_MARGIN, lifetime / 2)
        return AccessToken(token, str(answer.get("scope", "")), started + lifetime - margin)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@functools.cache
def maskinporten_client(settings: MaskinportenSettings) -> MaskinportenClient:
    """The one client of these settings in this process (its token shared by every user)."""
    return MaskinportenClient(settings)
