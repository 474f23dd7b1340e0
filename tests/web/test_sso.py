"""Single sign-on against a real OpenID Connect provider on loopback (tests/oidc/provider.mjs).

The app runs in starlette's TestClient; the provider's login form is filled in over HTTP
(the browser version is test_sso_browser.py). Tokens the provider signs wrongly or for
another audience come from its /test/tamper hook.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from runner.errors import SettingsError
from runner.settings import Settings
from runner.store import Store
from runner.store.users import ROLES
from runner.web.app import create_app
from runner.web.sso import grants
from tests.web.conftest import (
    HOME,
    OTHER,
    SSO_SECRET_ENV,
    OidcProvider,
    csrf_of,
    free_port,
    login,
    with_sso,
)

APP = "http://testserver"
ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


@pytest.fixture
def sso_settings(
    web_settings: Settings, oidc_provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    return with_sso(web_settings, oidc_provider, APP, monkeypatch)


@pytest.fixture
def app(sso_settings: Settings, web_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(sso_settings, web_store), follow_redirects=False) as client:
        yield client


def at_provider(app: TestClient, account: str) -> httpx.Response:
    """Click "Logg inn med …", log in as `account` at the provider's own form, and bring the
    provider's answer back to the app; returns the app's response to it."""
    start = app.get("/logg-inn/sso/test?neste=/saker")
    assert start.status_code == 303, start.text
    url = start.headers["location"]
    with httpx.Client(timeout=10) as browser:
        for _ in range(20):
            if url.startswith(APP):
                parts = urlsplit(url)
                return app.get(f"{parts.path}?{parts.query}")
            response = browser.get(url)
            if response.status_code == 200 and 'name="login"' in response.text:
                action = ACTION.search(response.text)
                assert action, response.text
                response = browser.post(
                    urljoin(url, action.group(1)),
                    data={"prompt": "login", "login": account, "password": "hva-som-helst"},
                )
            assert response.status_code in (302, 303), response.text
            url = urljoin(url, response.headers["location"])
    raise AssertionError("the provider never sent the browser back")


def failures(store: Store) -> list[dict[str, object]]:
    return [e.data for e in store.users.log.events(kind="login_failed")]


def test_login_takes_role_and_kommuner_from_the_groups(app: TestClient, web_store: Store) -> None:
    page = app.get("/logg-inn")
    assert "Logg inn med Testkommunens Entra ID" in page.text

    answer = at_provider(app, "kari.sso")
    assert answer.status_code == 303 and answer.headers["location"] == "/saker"
    queue = app.get("/saker")
    assert queue.status_code == 200 and "Saker til vurdering" in queue.text
    assert "OSLO-" not in queue.text  # only kommune 4627's cases
    other = web_store.list_cases(kommunenummer=OTHER, limit=1)[0]
    assert app.get(f"/saker/{other.id}").status_code == 404

    user = web_store.users.get("kari.sso")
    assert user is not None and user.sso and user.full_name == "Kari Nordmann"
    assert (user.role, user.kommuner, user.password_hash) == ("caseworker", [HOME], "")
    (event,) = web_store.users.log.events(kind="login")
    assert event.actor == "kari.sso"
    assert event.data == {
        "user_id": user.id,
        "source": "testclient",
        "method": "sso",
        "provider": "test",
        "role": "caseworker",
        "kommuner": [HOME],
    }


def test_the_highest_role_counts_in_the_kommuner_that_give_it(
    app: TestClient, web_store: Store
) -> None:
    assert at_provider(app, "leder.sso").status_code == 303
    user = web_store.users.get("leder.sso")
    assert user is not None and (user.role, user.kommuner) == ("lead", [HOME])


def test_groups_are_read_again_at_every_login(
    app: TestClient, web_store: Store, oidc_provider: OidcProvider
) -> None:
    assert at_provider(app, "kari.sso").status_code == 303
    assert app.get("/saker").status_code == 200
    oidc_provider.hook(
        "/test/groups", '{"account": "kari.sso", "groups": ["grp-saksbehandler-0301"]}'
    )
    try:
        with TestClient(app.app, follow_redirects=False) as second:
            assert at_provider(second, "kari.sso").status_code == 303
            user = web_store.users.get("kari.sso")
            assert user is not None and user.kommuner == [OTHER]
            # The first browser's session ended with the change of kommuner.
            assert app.get("/saker").status_code == 303
            assert second.get("/saker").status_code == 200
            oidc_provider.hook("/test/groups", '{"account": "kari.sso", "groups": []}')
            with TestClient(app.app, follow_redirects=False) as third:
                refused = at_provider(third, "kari.sso")
            # No group left: refused, and the account's other sessions end as well.
            assert second.get("/saker").status_code == 303
    finally:
        oidc_provider.hook(
            "/test/groups",
            '{"account": "kari.sso", "groups": ["grp-saksbehandler-4627", "grp-not-mapped"]}',
        )
    assert refused.status_code == 403
    assert failures(web_store)[-1]["reason"] == "no_group"


def test_a_user_whose_groups_map_to_nothing_is_refused(app: TestClient, web_store: Store) -> None:
    answer = at_provider(app, "uten.tilgang")
    assert answer.status_code == 403
    assert "men er ikke med i noen gruppe som gir tilgang" in answer.text
    assert "Traceback" not in answer.text
    assert web_store.users.get("uten.tilgang") is None
    assert app.get("/saker").status_code == 303  # no session
    (failure,) = failures(web_store)
    assert failure["reason"] == "no_group" and failure["source"] == "testclient"
    assert failure["subject"] == "uten.tilgang"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("audience", "wrong_audience"),
        ("signature", "bad_signature"),
        ("expired", "expired"),
        ("nonce", "wrong_nonce"),
        ("issuer", "wrong_issuer"),
    ],
)
def test_an_id_token_that_does_not_hold_is_refused(
    app: TestClient, web_store: Store, oidc_provider: OidcProvider, tamper: str, reason: str
) -> None:
    oidc_provider.hook("/test/tamper", tamper)
    answer = at_provider(app, "kari.sso")
    assert answer.status_code == 401
    assert "Svaret fra Testkommunens Entra ID kunne ikke kontrolleres" in answer.text
    assert web_store.users.get("kari.sso") is None
    assert app.get("/saker").status_code == 303
    (failure,) = failures(web_store)
    assert (failure["reason"], failure["method"]) == (reason, "sso")
    assert failure["source"] == "testclient"
    # The next, untampered login works: the refusal was the token's, not the set-up's.
    assert at_provider(app, "kari.sso").status_code == 303


def test_an_answer_without_its_login_is_refused(app: TestClient, web_store: Store) -> None:
    start = app.get("/logg-inn/sso/test")
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    # Another browser (no cookie of the login) brings a code and the right state.
    with TestClient(app.app, follow_redirects=False) as stranger:
        answer = stranger.get(f"/logg-inn/sso/test/svar?code=abc&state={state}")
    assert answer.status_code == 400 and "Innloggingen ble ikke fullført" in answer.text
    # The right browser with a wrong state: refused, and the login is used up.
    assert app.get("/logg-inn/sso/test/svar?code=abc&state=wrong").status_code == 400
    assert app.get(f"/logg-inn/sso/test/svar?code=abc&state={state}").status_code == 400
    assert [f["reason"] for f in failures(web_store)] == ["state", "state", "state"]


def test_the_provider_refusing_is_a_norwegian_page(app: TestClient, web_store: Store) -> None:
    start = app.get("/logg-inn/sso/test")
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    app.cookies.set("malform", "nn")
    answer = app.get(f"/logg-inn/sso/test/svar?error=access_denied&state={state}")
    assert answer.status_code == 401 and "avbraut innlogginga" in answer.text
    assert failures(web_store)[-1]["error"] == "access_denied"


def test_the_authorization_request_uses_pkce_state_and_nonce(app: TestClient) -> None:
    query = parse_qs(urlsplit(app.get("/logg-inn/sso/test").headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [f"{APP}/logg-inn/sso/test/svar"]
    assert query["response_type"] == ["code"] and "openid" in query["scope"][0].split()


def test_logout_goes_on_to_the_provider(app: TestClient, web_store: Store) -> None:
    assert at_provider(app, "kari.sso").status_code == 303
    csrf = csrf_of(app.get("/saker").text)
    answer = app.post("/logg-ut", data={"csrf": csrf})
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.path == "/session/end"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [f"{APP}/logg-inn"]
    assert query["id_token_hint"][0].count(".") == 2
    assert app.get("/saker").status_code == 303  # the session here is over
    assert "form-action 'self' http://127.0.0.1:" in answer.headers["content-security-policy"]


def test_a_missing_client_secret_stops_the_start(
    sso_settings: Settings, web_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SSO_SECRET_ENV)
    with pytest.raises(SettingsError, match=SSO_SECRET_ENV):
        create_app(sso_settings, web_store)


def test_roles_rank_as_the_store_lists_them(sso_settings: Settings) -> None:
    assert ROLES.index("caseworker") < ROLES.index("lead")
    assert sso_settings.sso is not None
    provider = sso_settings.sso.providers["test"]
    assert grants(provider, ["grp-saksbehandler-0301", "grp-saksbehandler-4627"]) == (
        "caseworker",
        [OTHER, HOME],
    )
    assert grants(provider, "grp-leder-4627") is None  # not a list: no access
    assert grants(provider, ["grp-not-mapped"]) is None


def test_an_sso_account_gets_no_password_and_no_role_by_hand(
    app: TestClient, web_store: Store
) -> None:
    assert at_provider(app, "kari.sso").status_code == 303
    user = web_store.users.get("kari.sso")
    assert user is not None
    app.cookies.clear()
    csrf = login(app, "admin")
    page = app.get("/brukere")
    assert f"/brukere/{user.id}/deaktiver" in page.text  # it can be disabled here
    assert f"/brukere/{user.id}/passord" not in page.text
    assert "rolle og kommuner følger gruppene hos identitetsleverandøren" in page.text
    assert app.post(f"/brukere/{user.id}/passord", data={"csrf": csrf}).status_code == 400
    changed = app.post(
        f"/brukere/{user.id}/endre", data={"csrf": csrf, "role": "lead", "kommuner": HOME}
    )
    assert changed.status_code == 400
    after = web_store.users.get("kari.sso")
    assert after is not None and (after.role, after.password_hash) == ("caseworker", "")


def test_a_disabled_sso_account_is_refused(app: TestClient, web_store: Store) -> None:
    assert at_provider(app, "kari.sso").status_code == 303
    web_store.users.set_disabled("kari.sso")
    assert app.get("/saker").status_code == 303
    answer = at_provider(app, "kari.sso")
    assert answer.status_code == 403 and "Kontoen din er deaktivert her" in answer.text
    assert failures(web_store)[-1] == {
        "source": "testclient",
        "method": "sso",
        "provider": "test",
        "reason": "disabled",
        "user_id": web_store.users.get("kari.sso").id,  # type: ignore[union-attr]
    }


def test_a_provider_that_cannot_be_reached_is_a_norwegian_page(
    web_settings: Settings, web_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    nobody = OidcProvider(issuer=f"http://127.0.0.1:{free_port()}", app_port=0)
    settings = with_sso(web_settings, nobody, APP, monkeypatch)
    with TestClient(create_app(settings, web_store), follow_redirects=False) as client:
        answer = client.get("/logg-inn/sso/test")
    assert answer.status_code == 502
    assert "Fikk ikke kontakt med Testkommunens Entra ID" in answer.text
    assert "Traceback" not in answer.text and answer.headers["cache-control"] == "no-store"
    assert failures(web_store)[-1]["reason"] == "provider_unreachable"
