"""Login, lockout, logout, session cookies, CSRF, security headers and the one error shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from runner.store import Store
from runner.web.core import SESSION_COOKIE
from tests.web.conftest import PASSWORD, csrf_of, login

LOCKOUT_AFTER = 5  # [web] login_failures_per_account


def test_pages_need_a_login_and_redirect_back_after_it(client: TestClient) -> None:
    response = client.get("/saker")
    assert response.status_code == 303
    assert response.headers["location"] == "/logg-inn?neste=/saker"
    page = client.get("/logg-inn?neste=/karantene")
    response = client.post(
        "/logg-inn",
        data={
            "username": "kari",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
            "neste": "/karantene",
        },
    )
    assert response.headers["location"] == "/karantene"


def test_session_cookie_is_httponly_and_samesite_lax(client: TestClient) -> None:
    page = client.get("/logg-inn")
    response = client.post(
        "/logg-inn", data={"username": "kari", "password": PASSWORD, "csrf": csrf_of(page.text)}
    )
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith(SESSION_COOKIE)
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http in tests; Secure over https


def test_cookies_are_secure_over_https(web_settings, web_store: Store) -> None:  # type: ignore[no-untyped-def]
    from runner.web.app import create_app

    app = create_app(web_settings, web_store)
    with TestClient(app, base_url="https://review.test", follow_redirects=False) as https:
        page = https.get("/logg-inn")
        assert "secure" in page.headers["set-cookie"].lower()
        response = https.post(
            "/logg-inn", data={"username": "kari", "password": PASSWORD, "csrf": csrf_of(page.text)}
        )
        assert "secure" in response.headers["set-cookie"].lower()


def test_login_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/logg-inn")
    response = client.post(
        "/logg-inn", data={"username": "kari", "password": PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 400
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_wrong_password_then_lockout(client: TestClient, web_store: Store) -> None:
    csrf = csrf_of(client.get("/logg-inn").text)
    for _ in range(LOCKOUT_AFTER):
        response = client.post(
            "/logg-inn", data={"username": "kari", "password": "feil", "csrf": csrf}
        )
        assert response.status_code == 401
        assert "Feil brukernavn eller passord" in response.text
    user = web_store.users.get("kari")
    assert user is not None and user.locked_until is not None
    # Locked: even the right password is refused, with the same message.
    response = client.post(
        "/logg-inn", data={"username": "kari", "password": PASSWORD, "csrf": csrf}
    )
    assert response.status_code == 401


def test_unknown_user_gets_the_same_answer(client: TestClient) -> None:
    csrf = csrf_of(client.get("/logg-inn").text)
    response = client.post("/logg-inn", data={"username": "nobody", "password": "x", "csrf": csrf})
    assert response.status_code == 401
    assert "Feil brukernavn eller passord" in response.text


def test_logout_ends_the_session(client: TestClient) -> None:
    csrf = login(client, "kari")
    assert client.get("/saker").status_code == 200
    assert client.post("/logg-ut", data={"csrf": csrf}).status_code == 303
    assert client.get("/saker").status_code == 303


def test_disabled_user_is_logged_out(client: TestClient, web_store: Store) -> None:
    login(client, "kari")
    web_store.users.set_disabled("kari")
    assert client.get("/saker").status_code == 303


def test_post_without_csrf_is_refused(client: TestClient) -> None:
    login(client, "kari")
    response = client.post("/logg-ut", data={"csrf": "wrong"})
    assert response.status_code == 400
    assert client.get("/saker").status_code == 200


def test_security_headers_on_every_page(client: TestClient) -> None:
    for response in (client.get("/logg-inn"), client.get("/static/site.css"), client.get("/x")):
        csp = response.headers["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_no_inline_script_anywhere(client: TestClient) -> None:
    login(client, "leder")
    for path in ("/saker", "/karantene", "/oversikt", "/utboks", "/saker/1"):
        text = client.get(path).text
        assert "<script" not in text and " on" + "click=" not in text and "style=" not in text


def test_error_shape_is_pinned_for_json_and_html(client: TestClient) -> None:
    login(client, "kari")
    response = client.get("/saker/999999", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "message": "Saken finnes ikke",
        "fix": "Gå tilbake til køen og velg en sak fra listen.",
    }
    page = client.get("/saker/999999")
    assert page.status_code == 404
    assert 'data-error="not_found"' in page.text
    assert "Saken finnes ikke" in page.text
    assert client.get("/saker/abc", headers={"accept": "application/json"}).json()["error"] == (
        "bad_request"
    )


def test_malform_toggle_switches_to_nynorsk(client: TestClient) -> None:
    csrf = login(client, "kari")
    response = client.post("/malform", data={"csrf": csrf, "malform": "nn", "neste": "/saker"})
    assert response.headers["location"] == "/saker"
    page = client.get("/saker").text
    assert 'lang="nn"' in page and "Skriv bokmål" in page
    off_site = client.post(
        "/malform", data={"csrf": csrf, "malform": "nb", "neste": "//evil.example"}
    )
    assert off_site.headers["location"] == "/saker"
