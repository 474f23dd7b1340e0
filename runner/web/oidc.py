"""OpenID Connect with one identity provider: discovery, the authorization code flow with PKCE
(authlib's OAuth2Client) and the ID token's checks (joserfc).

Every call here is blocking network work: the routes that use it are plain functions, which
FastAPI runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from httpx2 import Client, HTTPError
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from runner.errors import SaksrobotError
from runner.settings import SsoProvider

#: Signature algorithms an ID token may use: asymmetric ones only (never "none" or HMAC).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
#: Clock difference tolerated between the provider and this server.
LEEWAY_SECONDS = 60
#: How long the discovery document is kept before it is read again.
DISCOVERY_SECONDS = 3600
#: The provider's keys are read again for an unknown key id, at most this often.
JWKS_REFRESH_SECONDS = 60
TIMEOUT_SECONDS = 10


class SsoFailed(SaksrobotError):
    """A single sign-on did not succeed; `reason` says why (shown in Norwegian, audited)."""

    kind = "sso_failed"

    def __init__(self, reason: str, message: str, *, fix: str | None = None) -> None:
        self.reason = reason
        super().__init__(message, fix=fix)


@dataclass(frozen=True, slots=True)
class Identity:
    """The checked claims of an ID token."""

    issuer: str
    subject: str
    claims: dict[str, Any]
    id_token: str


class OidcClient:
    """One configured provider: its discovery document and keys, read when first needed."""

    def __init__(self, key: str, provider: SsoProvider, public_url: str) -> None:
        self.key = key
        self.provider = provider
        self.redirect_uri = f"{public_url}/logg-inn/sso/{key}/svar"
        self.post_logout_uri = f"{public_url}/logg-inn"
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            with Client(timeout=TIMEOUT_SECONDS) as http:
                response = http.get(url)
                response.raise_for_status()
                data = response.json()
        except (HTTPError, ValueError) as error:
            raise SsoFailed(
                "provider_unreachable",
                f"{self.provider.name} could not be reached ({type(error).__name__})",
                fix="Try again in a while; if it lasts, the operators check [sso] issuer and "
                "the network to the provider.",
            ) from error
        if not isinstance(data, dict):
            raise SsoFailed("provider_unreachable", f"{url} did not answer a JSON object")
        return data

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (its issuer must be the configured one)."""
        with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata_at > DISCOVERY_SECONDS:
                issuer = self.provider.issuer.rstrip("/")
                data = self._get_json(f"{issuer}/.well-known/openid-configuration")
                missing = [
                    key
                    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")
                    if not isinstance(data.get(key), str)
                ]
                if missing:
                    raise SsoFailed(
                        "provider_misconfigured",
                        f"The provider's discovery document lacks {', '.join(missing)}",
                        fix="Check [sso.providers.*] issuer: it must be the provider's "
                        "OpenID Connect issuer.",
                    )
                if data.get("issuer") != self.provider.issuer:
                    raise SsoFailed(
                        "provider_misconfigured",
                        f"The provider's discovery document names issuer {data.get('issuer')!r}",
                        fix="Set [sso.providers.*] issuer to exactly that value.",
                    )
                self._metadata, self._metadata_at = data, time.monotonic()
            return self._metadata

    def _key_set(self, kid: str | None) -> KeySet:
        jwks_uri = self.metadata()["jwks_uri"]
        with self._lock:
            stale = time.monotonic() - self._keys_at > JWKS_REFRESH_SECONDS
            known = self._keys is not None and (
                kid is None or any(k.kid == kid for k in self._keys.keys)
            )
            if self._keys is None or (not known and stale):
                data = self._get_json(jwks_uri)
                self._keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
                self._keys_at = time.monotonic()
            return self._keys

    def _oauth(self, **kwargs: Any) -> Any:
        return OAuth2Client(
            client_id=self.provider.client_id,
            scope=" ".join(self.provider.scopes),
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            timeout=TIMEOUT_SECONDS,
            **kwargs,
        )

    def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        """Where to send the browser: the provider's login, with PKCE (S256), state, nonce."""
        endpoint = self.metadata()["authorization_endpoint"]
        with self._oauth() as oauth:
            url, _ = oauth.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=code_verifier
            )
        return str(url)

    def identity(self, *, code: str, code_verifier: str, nonce: str) -> Identity:
        """Exchange the code for tokens and check the ID token: signature (the provider's
        published keys), issuer, audience (and azp), expiry, issue time and nonce."""
        endpoint = self.metadata()["token_endpoint"]
        try:
            with self._oauth(
                client_secret=self.provider.client_secret(),
                token_endpoint_auth_method=self.provider.client_auth,
            ) as oauth:
                token = oauth.fetch_token(
                    endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
        except (OAuthError, HTTPError, ValueError) as error:
            raise SsoFailed(
                "token_refused",
                f"{self.provider.name} did not exchange the code ({type(error).__name__})",
                fix="Log in again; if it lasts, check the client id and secret in [sso].",
            ) from error
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SsoFailed("token_invalid", "The provider's answer has no ID token")
        return self.check_id_token(id_token, nonce=nonce)

    def check_id_token(self, id_token: str, *, nonce: str) -> Identity:
        """The ID token's claims, when its signature and claims hold; SsoFailed otherwise."""
        try:
            kid = jws.extract_compact(id_token.encode()).headers().get("kid")
            token = jwt.decode(id_token, self._key_set(kid), algorithms=list(ALGORITHMS))
        except BadSignatureError as error:
            raise SsoFailed("bad_signature", "The ID token's signature does not hold") from error
        except JoseError as error:
            raise SsoFailed(
                "bad_signature", f"The ID token cannot be verified ({type(error).__name__})"
            ) from error
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.provider.issuer},
            aud={"essential": True, "value": self.provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as error:
            raise SsoFailed("expired", "The ID token has expired") from error
        except (InvalidClaimError, MissingClaimError) as error:
            claim = getattr(error, "claim", "claim")
            reason = {"iss": "wrong_issuer", "aud": "wrong_audience", "nonce": "wrong_nonce"}
            raise SsoFailed(
                reason.get(claim, "token_invalid"), f"The ID token's {claim} is not accepted"
            ) from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.provider.client_id:
            raise SsoFailed("wrong_audience", "The ID token was issued to another party (azp)")
        return Identity(self.provider.issuer, str(claims["sub"]), claims, id_token)

    def logout_url(self, id_token: str | None) -> str | None:
        """The provider's end-session address with id_token_hint and the way back here;
        None when the provider offers no RP-initiated logout."""
        endpoint = self.metadata().get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        query = {
            "post_logout_redirect_uri": self.post_logout_uri,
            "client_id": self.provider.client_id,
        }
        if id_token:
            query["id_token_hint"] = id_token
        separator = "&" if "?" in endpoint else "?"
        return f"{endpoint}{separator}{urlencode(query)}"


def new_secret() -> str:
    """A random value for state, nonce or PKCE code verifier (48 characters)."""
    return str(generate_token(48))
