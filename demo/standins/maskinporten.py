"""A local Maskinporten for tests: each token request checked against Digdir's description.

Maskinporten cannot be reached from here, so this server stands in for its token endpoint and
checks every request against what Digdir publishes (docs.digdir.no/docs/Maskinporten/
maskinporten_protocol_token, maskinporten_protocol_jwtgrant, maskinporten_feilsoking):

- `POST /token`, `Content-Type: application/x-www-form-urlencoded`, the fields `grant_type`
  (`urn:ietf:params:oauth:grant-type:jwt-bearer`) and `assertion`, nothing else (no client
  authentication: the grant's signature is it);
- the grant's header: `alg` RS256, RS384 or RS512, and `x5c` (the virksomhetssertifikat, which
  must be the client's organisation's and valid now) or `kid` (a key registered on the client);
- its signature verified with that certificate's or key's public key;
- its claims: only those Digdir lists (aud, iss, iat, exp, jti, scope, resource), `aud` this
  server's issuer (one value), `iss` the client id, `iat` within 10 s of the server's clock,
  `exp - iat` at most 120 s and `exp` not passed, `jti` never seen before, every `scope` one the
  client has.

It answers as Maskinporten does: `{access_token, token_type: "Bearer", expires_in, scope}`, or
400 with `{"error": <OAuth2 code>, "error_description": …}` (invalid_request,
unsupported_grant_type, invalid_grant, invalid_client, invalid_scope); each refusal is kept in
`problems`.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ALGORITHMS = {"RS256", "RS384", "RS512"}
HEADER = {"alg", "x5c", "kid", "typ"}
CLAIMS = {"aud", "iss", "iat", "exp", "jti", "scope", "resource"}
#: Digdir: iat at most 10 s off Maskinporten's clock; exp - iat at most 120 s.
CLOCK_SKEW = 10
GRANT_LIFETIME = 120
#: joserfc refuses a header over 512 bytes by default; one with x5c carries a certificate.
REGISTRY = jws.JWSRegistry(algorithms=sorted(ALGORITHMS))
REGISTRY.max_header_length = 16_384


class Refused(Exception):
    def __init__(self, error: str, description: str) -> None:
        self.error = error
        self.description = description
        super().__init__(description)


@dataclass
class MaskinportenServer:
    """The token endpoint's state: the one client it knows, the tokens it gave, the problems."""

    client_id: str
    organisation: x509.Certificate | None = None
    registered: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)
    scopes: set[str] = field(default_factory=lambda: {"ks:fiks"})
    token_lifetime: int = 120
    tokens: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    port: int = 0

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def close(self) -> None:
        return None

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/token", self.token, methods=["POST"])])

    async def token(self, request: Request) -> Response:
        try:
            scope = self._check(request.headers.get("content-type", ""), await request.body())
        except Refused as refused:
            self.problems.append(f"{refused.error}: {refused.description}")
            body = {"error": refused.error, "error_description": refused.description}
            return JSONResponse(body, status_code=400)
        token = secrets.token_urlsafe(32)
        self.tokens.append(token)
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime,
             "scope": scope},
            headers={"Cache-Control": "no-store"},
        )  # fmt: skip

    def _check(self, content_type: str, body: bytes) -> str:
        """The scope granted, or Refused saying why (as Maskinporten's error JSON)."""
        if content_type.split(";")[0].strip() != "application/x-www-form-urlencoded":
            raise Refused("invalid_request", f"Content-Type {content_type!r} is not a form")
        form = parse_qs(body.decode("ascii", "replace"), keep_blank_values=True)
        extra = sorted(set(form) - {"grant_type", "assertion"})
        if extra:
            raise Refused("invalid_request", f"unexpected fields {extra}")
        if form.get("grant_type") != [GRANT_TYPE]:
            raise Refused("unsupported_grant_type", f"grant_type {form.get('grant_type')}")
        if len(form.get("assertion", [])) != 1:
            raise Refused("invalid_request", "assertion missing")
        assertion = form["assertion"][0].encode()
        try:
            header = jws.extract_compact(assertion, registry=REGISTRY).headers()
        except (JoseError, ValueError) as error:
            raise Refused("invalid_grant", f"Invalid assertion: not a JWS ({error})") from error
        if header.get("alg") not in ALGORITHMS or set(header) - HEADER:
            raise Refused("invalid_grant", f"Invalid assertion: header {sorted(header)}")
        key = RSAKey.import_key(self._public_key(header))
        try:
            claims = jwt.decode(assertion, key, registry=REGISTRY).claims
        except (JoseError, ValueError) as error:
            raise Refused("invalid_grant", "Invalid assertion. Client authentication failed. "
                          f"Bad signature ({type(error).__name__})") from error  # fmt: skip
        return self._check_claims(claims)

    def _public_key(self, header: dict[str, Any]) -> rsa.RSAPublicKey:
        if ("x5c" in header) == ("kid" in header):
            raise Refused("invalid_grant", "Invalid assertion: either kid or x5c must be present")
        if "kid" in header:
            found = self.registered.get(str(header["kid"]))
            if found is None:
                raise Refused("invalid_grant", f"Invalid assertion: unknown kid {header['kid']}")
            return found
        chain = header["x5c"]
        if not isinstance(chain, list) or not chain:
            raise Refused("invalid_grant", "Invalid assertion: x5c is not a certificate chain")
        try:
            certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
        except ValueError as error:
            raise Refused("invalid_grant", "Invalid assertion: x5c[0] is not DER") from error
        now = time.time()
        if not (certificate.not_valid_before_utc.timestamp() <= now
                <= certificate.not_valid_after_utc.timestamp()):  # fmt: skip
            raise Refused("invalid_grant", "MP-121: Invalid assertion. Expired key")
        if self.organisation is None or certificate != self.organisation:
            raise Refused("invalid_grant", "MP-120: Invalid assertion. Client authentication "
                          "failed. The JWT is signed with an invalid certificate.")  # fmt: skip
        public = certificate.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise Refused("invalid_grant", "Invalid assertion: not an RSA certificate")
        return public

    def _check_claims(self, claims: dict[str, Any]) -> str:
        unknown = set(claims) - CLAIMS
        if unknown:
            raise Refused("invalid_grant", f"Invalid assertion: unknown claims {sorted(unknown)}")
        if claims.get("aud") != self.issuer:
            raise Refused("invalid_grant", "MP-110: Invalid assertion. Client authentication "
                          f"failed. Invalid JWT claim aud {claims.get('aud')!r}")  # fmt: skip
        if claims.get("iss") != self.client_id:
            raise Refused("invalid_client", f"Unknown client {claims.get('iss')!r}")
        iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
        if not isinstance(iat, int) or not isinstance(exp, int):
            raise Refused("invalid_grant", "Invalid assertion: iat and exp must be numbers")
        if abs(iat - now) > CLOCK_SKEW:
            raise Refused("invalid_grant", f"Invalid assertion: iat {iat - now:+.0f} s off")
        if not 0 < exp - iat <= GRANT_LIFETIME or exp < now:
            raise Refused("invalid_grant", f"Invalid assertion: exp - iat = {exp - iat}")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or jti in self.seen:
            raise Refused("invalid_grant", "Invalid assertion: jti missing or used before")
        self.seen.add(jti)
        asked = str(claims.get("scope", "")).split()
        if not asked or set(asked) - self.scopes:
            raise Refused("invalid_scope", f"Invalid scope {' '.join(asked)!r} for the client")
        return " ".join(asked)
