"""Single sign-on in real headless Chromium: the app under uvicorn and the OpenID provider
(tests/oidc/provider.mjs), both on loopback; the caseworker logs in on the provider's own form.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from runner.settings import Settings
from runner.store import Store
from tests.web.conftest import HOME, OTHER, OidcProvider, with_sso
from tests.web.test_browser import CHROMEDRIVER, _click, browser  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

assert CHROMEDRIVER.exists()


@pytest.fixture
def sso_server(
    web_settings: Settings,
    web_store: Store,
    oidc_provider: OidcProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """uvicorn with [sso] on the port the provider knows as this app's."""
    from runner.web.app import create_app

    public_url = f"http://127.0.0.1:{oidc_provider.app_port}"
    settings = with_sso(web_settings, oidc_provider, public_url, monkeypatch)
    config = uvicorn.Config(
        create_app(settings, web_store),
        host="127.0.0.1",
        port=oidc_provider.app_port,
        log_level="warning",
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield public_url
    instance.should_exit = True
    thread.join(timeout=10)


def _log_in_at_provider(driver: WebDriver, server: str, issuer: str, account: str) -> None:
    driver.get(f"{server}/saker")
    assert "/logg-inn" in driver.current_url
    _click(driver, driver.find_element(By.LINK_TEXT, "Logg inn med Testkommunens Entra ID"))
    assert driver.current_url.startswith(f"{issuer}/interaction/")
    driver.find_element(By.NAME, "login").send_keys(account)
    driver.find_element(By.NAME, "password").send_keys("hva-som-helst")
    _click(driver, driver.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    WebDriverWait(driver, 30).until(lambda d: d.current_url.startswith(server))


def test_caseworker_logs_in_with_the_kommunes_provider(
    sso_server: str, browser: WebDriver, web_store: Store, oidc_provider: OidcProvider  # noqa: F811
) -> None:
    _log_in_at_provider(browser, sso_server, oidc_provider.issuer, "kari.sso")
    assert browser.current_url == f"{sso_server}/saker"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Saker til vurdering"
    header = browser.find_element(By.CSS_SELECTOR, "header .tools").text
    assert "Kari Nordmann (saksbehandler)" in header
    references = [
        link.text for link in browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr a")
    ]
    home = {c.reference for c in web_store.list_cases(kommunenummer=HOME, limit=500)}
    assert references and set(references) <= home
    other = web_store.list_cases(kommunenummer=OTHER, limit=1)[0]
    browser.get(f"{sso_server}/saker/{other.id}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Finnes ikke"
    cookie = browser.get_cookie("saksrobot_session")
    assert cookie is not None and cookie["httpOnly"]


def test_logout_ends_the_session_here_and_at_the_provider(
    sso_server: str, browser: WebDriver, web_store: Store, oidc_provider: OidcProvider  # noqa: F811
) -> None:
    _log_in_at_provider(browser, sso_server, oidc_provider.issuer, "kari.sso")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Saker til vurdering"
    _click(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/logg-ut'] button"))
    # The provider asks whether to log out there as well (oidc-provider's own page).
    assert browser.current_url.startswith(f"{oidc_provider.issuer}/session/end")
    _click(browser, browser.find_element(By.CSS_SELECTOR, "button[name=logout][value=yes]"))
    WebDriverWait(browser, 30).until(lambda d: d.current_url.startswith(sso_server))
    assert browser.current_url == f"{sso_server}/logg-inn"
    assert [e.kind for e in web_store.users.log.events()][-2:] == ["login", "logout"]

    # Ended here: the queue asks for a login again.
    browser.get(f"{sso_server}/saker")
    assert "/logg-inn" in browser.current_url
    # Ended at the provider: its login form comes back instead of a silent login.
    _click(browser, browser.find_element(By.LINK_TEXT, "Logg inn med Testkommunens Entra ID"))
    assert browser.current_url.startswith(oidc_provider.issuer)
    assert browser.find_element(By.NAME, "login").is_displayed()
