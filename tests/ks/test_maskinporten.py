"""Maskinporten tokens against a local server that checks each request against Digdir's
description (demo/standins/maskinporten.py): the grant as Digdir describes it, one token
fetched and kept until shortly before it expires, a refused grant as an error saying what to
fix, and the stand-in refusing what the description does not allow."""

from __future__ import annotations

import base64
import socket
import time
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import RSAKey

from demo.standins.keys import make_key_pair
from demo.standins.maskinporten import REGISTRY, MaskinportenServer
from runner.errors import ApplicationError, ConfigurationError
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.ks.keys import KeyPair
from runner.ks.maskinporten import GRANT_TYPE, MaskinportenClient, MaskinportenError


def test_the_grant_is_the_jwt_digdir_describes(
    maskinporten_settings: MaskinportenSettings, virksomhet_keys: KeyPair
) -> None:
    client = MaskinportenClient(maskinporten_settings)
    first, second = client.grant(), client.grant()
    public = RSAKey.import_key(virksomhet_keys.certificate.public_key())
    token = jwt.decode(first, public, algorithms=["RS256"], registry=REGISTRY)
    der = virksomhet_keys.certificate.public_bytes(serialization.Encoding.DER)
    assert token.header == {"alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    claims = token.claims
    assert set(claims) == {"aud", "iss", "scope", "iat", "exp", "jti"}
    assert claims["aud"] == maskinporten_settings.issuer  # the issuer, not the token URL
    assert claims["iss"] == maskinporten_settings.client_id
    assert claims["scope"] == "ks:fiks"
    assert claims["exp"] - claims["iat"] == 120
    assert abs(claims["iat"] - time.time()) < 5
    other = jwt.decode(second, public, algorithms=["RS256"], registry=REGISTRY).claims
    assert other["jti"] != claims["jti"]  # a grant is never used twice


def test_a_token_is_fetched_once_and_kept_until_shortly_before_it_expires(
    maskinporten: MaskinportenServer, maskinporten_settings: MaskinportenSettings
) -> None:
    maskinporten.token_lifetime = 2  # kept until 1 s before it expires (half its lifetime)
    client = MaskinportenClient(maskinporten_settings)
    first = client.access_token()
    assert client.access_token() == first
    assert maskinporten.tokens == [first]
    time.sleep(1.2)
    second = client.access_token()
    assert second != first
    assert maskinporten.tokens == [first, second]
    assert maskinporten.problems == []


def test_threads_wanting_a_token_at_once_share_one_fetch(
    maskinporten: MaskinportenServer, maskinporten_settings: MaskinportenSettings
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = MaskinportenClient(maskinporten_settings)
    with ThreadPoolExecutor(8) as pool:
        tokens = set(pool.map(lambda _: client.access_token(), range(16)))
    assert tokens == set(maskinporten.tokens) and len(tokens) == 1


def test_a_registered_key_is_named_by_its_kid(
    maskinporten: MaskinportenServer, maskinporten_settings: MaskinportenSettings
) -> None:
    keys = make_key_pair("Registrert nøkkel")
    key_path = maskinporten_settings.private_key.with_name("registrert.key.pem")
    key_path.write_bytes(
        keys.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    maskinporten.registered["saksrobot-1"] = keys.private_key.public_key()
    settings = MaskinportenSettings(
        client_id=maskinporten.client_id,
        private_key=key_path,
        key_id="saksrobot-1",
        issuer=maskinporten.issuer,
    )
    assert MaskinportenClient(settings).access_token() == maskinporten.tokens[-1]
    assert maskinporten.problems == []


@pytest.mark.parametrize(
    ("change", "code", "fix"),
    [
        ("scope", "invalid_scope", "ks:fiks"),
        ("client", "invalid_client", "client_id i [maskinporten]"),
        ("certificate", "invalid_grant", "Samarbeidsportalen"),
    ],
)
def test_a_refused_grant_says_what_to_fix(
    maskinporten: MaskinportenServer,
    maskinporten_settings: MaskinportenSettings,
    tmp_path: Path,
    change: str,
    code: str,
    fix: str,
) -> None:
    settings = maskinporten_settings
    if change == "scope":
        maskinporten.scopes = {"ks:fiks.annet"}  # the client was never given ks:fiks
    elif change == "client":
        settings = settings.model_copy(update={"client_id": str(uuid.uuid4())})
    else:
        from tests.ks.fixtures import settings_for

        settings = settings_for(maskinporten, make_key_pair("Annen virksomhet"), tmp_path)
    with pytest.raises(MaskinportenError) as refused:
        MaskinportenClient(settings).access_token()
    assert isinstance(refused.value, ApplicationError)  # retried, then parked
    assert refused.value.message.startswith(f"Maskinporten ga ikke token ({code}: ")
    assert refused.value.fix is not None and fix in refused.value.fix
    assert maskinporten.tokens == []


def test_maskinporten_out_of_reach_is_an_error_to_retry(
    maskinporten_settings: MaskinportenSettings,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = maskinporten_settings.model_copy(
        update={"token_endpoint": f"http://127.0.0.1:{port}/token"}
    )
    with pytest.raises(MaskinportenError, match="Maskinporten kan ikke nås"):
        MaskinportenClient(closed, timeout=2).access_token()


def test_a_key_that_is_not_the_certificates_is_refused_before_any_grant(
    maskinporten_settings: MaskinportenSettings, tmp_path: Path
) -> None:
    from demo.standins.keys import write_key_pair

    other, _ = write_key_pair(make_key_pair("Annen"), tmp_path, "annen")
    with pytest.raises(ConfigurationError, match="hører ikke til sertifikatet"):
        MaskinportenClient(maskinporten_settings.model_copy(update={"private_key": other}))


def test_the_stand_in_refuses_what_the_description_does_not_allow(
    maskinporten: MaskinportenServer, maskinporten_settings: MaskinportenSettings
) -> None:
    """The local server's checks can fail: the wrong content type or grant type, a grant used
    twice, one valid too long, a claim Digdir does not list, an aud that is the token URL."""
    client = MaskinportenClient(maskinporten_settings)
    url = maskinporten_settings.token_url
    grant = client.grant()

    def post(**options: object) -> dict[str, object]:
        response = httpx.post(url, **options)  # type: ignore[arg-type]
        assert response.status_code == 400
        answer = response.json()
        assert set(answer) == {"error", "error_description"}
        return dict(answer)

    assert post(json={"grant_type": GRANT_TYPE, "assertion": grant})["error"] == "invalid_request"
    assert post(data={"grant_type": "client_credentials", "assertion": grant})["error"] == (
        "unsupported_grant_type"
    )
    assert httpx.post(url, data={"grant_type": GRANT_TYPE, "assertion": grant}).status_code == 200
    again = post(data={"grant_type": GRANT_TYPE, "assertion": grant})
    assert again["error"] == "invalid_grant" and "jti" in str(again["error_description"])
    now = int(time.time())
    claims = {"aud": maskinporten.issuer, "iss": maskinporten.client_id, "scope": "ks:fiks",
              "iat": now, "exp": now + 120, "jti": str(uuid.uuid4())}  # fmt: skip
    for changed, words in (
        ({"exp": now + 300}, "exp - iat"),
        ({"tenant": "x"}, "unknown claims"),
        ({"aud": url}, "aud"),
    ):
        bad = jwt.encode(client.header, {**claims, **changed, "jti": str(uuid.uuid4())},
                         client.key, algorithms=["RS256"], default_type=None)  # fmt: skip
        answer = post(data={"grant_type": GRANT_TYPE, "assertion": bad})
        assert answer["error"] == "invalid_grant" and words in str(answer["error_description"])
    assert len(maskinporten.problems) == 6
