"""The review page in real headless Chromium against uvicorn on loopback.

Screenshots go to tmp_path (the README's are made by scripts/screenshots.py).
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from runner.settings import Settings
from runner.store import CaseState, Store
from tests.web.conftest import OTHER, PASSWORD

pytestmark = pytest.mark.browser

CHROMEDRIVER = Path("/usr/bin/chromedriver")
if not CHROMEDRIVER.exists() or shutil.which("chromium") is None:
    pytest.skip(
        "Debian chromium and chromium-driver are not installed (bash scripts/system-deps.sh)",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(web_settings: Settings, web_store: Store) -> Iterator[str]:
    """uvicorn serving the app on a free loopback port, in a thread."""
    from runner.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(web_settings, web_store), host="127.0.0.1", port=port, log_level="warning"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    profile = tempfile.mkdtemp(prefix="saksrobot-chromium-")
    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
        "--lang=nb",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver: WebDriver, name: str, tmp_path: Path, height: int) -> None:
    driver.set_window_size(1280, height)
    assert driver.save_screenshot(str(tmp_path / name))


def _click(driver: WebDriver, element: WebElement) -> None:
    """Click something that loads a new page, and wait until the old page is gone.

    Without the wait, a lookup right after the click can find an element of the old page
    (a race that shows up on a loaded machine as 'Node … does not belong to the document').
    """
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 30).until(lambda _: _is_gone(page))


def _is_gone(element: WebElement) -> bool:
    """True once the element's document has been replaced by the next page.

    Chromium answers a node of an unloaded document either as stale or with the inspector
    error "does not belong to the document"; both mean the old page is gone.
    """
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise
    return False


def test_review_in_the_browser(
    server: str, browser: WebDriver, web_store: Store, tmp_path: Path
) -> None:
    browser.get(f"{server}/saker")
    assert "/logg-inn" in browser.current_url
    browser.find_element(By.ID, "username").send_keys("kari")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    _click(browser, browser.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Saker til vurdering"
    assert browser.find_elements(By.CSS_SELECTOR, "tr.urgent .badge.urgent")
    _shot(browser, "review-queue.png", tmp_path, 1000)

    # Open the first (most urgent) case with a drafted letter, edit it, preview, approve.
    drafted = [
        link.get_attribute("href")
        for link in browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr a")
        if web_store.latest_letter(int(link.get_attribute("href").rsplit("/", 1)[1]))
    ]
    browser.get(drafted[0])
    assert browser.find_element(By.ID, "letter").text
    _shot(browser, "review-case.png", tmp_path, 1500)
    reference = browser.find_element(By.TAG_NAME, "h1").text.split()[1]
    _answer_points(browser, "Kontrollert mot kartet og tegningene i saken.")
    area = browser.find_element(By.ID, "markdown")
    area.send_keys("\n\nMed vennleg helsing frå nettlesaren.")
    _click(browser, browser.find_element(By.ID, "preview"))
    assert "frå nettlesaren" in browser.find_element(By.ID, "preview-letter").text
    _click(browser, browser.find_element(By.ID, "approve-edited"))
    assert "frå nettlesaren" in browser.find_element(By.ID, "letter").text  # the confirmation
    _click(browser, browser.find_element(By.ID, "send"))
    assert (
        "Saken er godkjent og brevet sendt" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    )
    browser.get(f"{server}/utboks")
    row = browser.find_element(By.XPATH, f"//tr[td/a[text()='{reference}']]")
    assert "Sendt" in row.text
    (case,) = [c for c in web_store.list_cases(limit=500) if c.reference == reference]
    assert case.state == CaseState.sent
    letter = web_store.latest_letter(case.id)
    assert letter is not None and letter.created_by == "kari"

    # Reject another case with a reason.
    browser.get(f"{server}/saker")
    _click(browser, browser.find_element(By.CSS_SELECTOR, "table.queue tbody tr a"))
    browser.find_element(By.ID, "reason").send_keys("Søknaden er trukket.")
    _click(browser, browser.find_element(By.ID, "reject"))
    assert "Saken er avsluttet" in browser.find_element(By.CSS_SELECTOR, ".notice").text

    # Another kommune's case: refused as if it did not exist.
    other = web_store.list_cases(kommunenummer=OTHER, limit=1)[0]
    browser.get(f"{server}/saker/{other.id}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Finnes ikke"
    assert other.reference not in browser.page_source
    assert web_store.events(other.id)[-1].actor != "kari"


def _answer_points(driver: WebDriver, assessment: str) -> int:
    """Answer every open point on the case page as "ikke oppfylt" with `assessment`; how many."""
    points = driver.find_elements(By.CSS_SELECTOR, "#points-form li[id^=point-]")
    for point in points:
        rule_id = point.get_attribute("id").removeprefix("point-")
        driver.find_element(By.ID, f"svar-{rule_id}-ikke_oppfylt").click()
        driver.find_element(By.ID, f"vurdering-{rule_id}").send_keys(assessment)
    if points:
        _click(driver, driver.find_element(By.ID, "save-answers"))
    return len(points)


def test_deciding_two_open_points_then_sending(
    server: str, browser: WebDriver, web_store: Store, tmp_path: Path
) -> None:
    """A caseworker answers both open points of a case, sees the confirmation with the final
    PDF, and sends; the letter sent contains the written assessments."""
    from tests.web.conftest import open_point_ids

    waiting = web_store.list_cases(state=CaseState.pending_review, kommunenummer="4627", limit=500)
    case = next(
        c
        for c in waiting
        if len(open_point_ids(web_store, c.id)) == 2 and web_store.latest_letter(c.id)
    )
    _log_in(browser, server, "kari")
    browser.get(f"{server}/saker/{case.id}")
    assert "0 av 2 punkter er avgjort" in browser.find_element(By.ID, "points-progress").text
    assert not browser.find_elements(By.ID, "approve")  # nothing to send before deciding
    first, second = open_point_ids(web_store, case.id)
    browser.find_element(By.ID, f"svar-{first}-oppfylt").click()
    browser.find_element(By.ID, f"vurdering-{first}").send_keys(
        "Avstanden er målt på situasjonsplanen og er innenfor kravet."
    )
    browser.find_element(By.ID, f"svar-{second}-ikke_oppfylt").click()
    browser.find_element(By.ID, f"vurdering-{second}").send_keys(
        "Nabosamtykket er ikke skriftlig, og kan derfor ikke legges til grunn."
    )
    _click(browser, browser.find_element(By.ID, "save-answers"))
    assert "2 av 2 punkter er avgjort" in browser.find_element(By.ID, "points-progress").text
    assert "Nabosamtykket er ikke skriftlig" in browser.find_element(By.ID, "letter").text
    _shot(browser, "review-case-decided.png", tmp_path, 1500)
    _click(browser, browser.find_element(By.ID, "approve"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Kontroller og send vedtaket")
    pdf_link = browser.find_element(By.ID, "final-pdf").get_attribute("href")
    assert pdf_link.endswith(f"/saker/{case.id}/dokumenter/utkast")
    _shot(browser, "review-confirm.png", tmp_path, 1300)
    _click(browser, browser.find_element(By.ID, "send"))
    assert (
        "Saken er godkjent og brevet sendt" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    )
    assert web_store.get_case(case.id).state == CaseState.sent
    letter = web_store.latest_letter(case.id)
    assert letter is not None and letter.approved_by == "kari"
    assert "Avstanden er målt på situasjonsplanen" in letter.markdown
    assert "Nabosamtykket er ikke skriftlig" in letter.markdown


def _log_in(driver: WebDriver, server: str, username: str) -> None:
    driver.get(f"{server}/saker")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    _click(driver, driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))


def test_one_tab_reaches_the_actions(server: str, browser: WebDriver, web_store: Store) -> None:
    """The first Tab on a case page lands on a link to the actions; Enter moves there."""
    from selenium.webdriver.common.keys import Keys

    _log_in(browser, server, "kari")
    case = web_store.list_cases(state=CaseState.pending_review, kommunenummer="4627", limit=1)[0]
    browser.get(f"{server}/saker/{case.id}")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    first = browser.switch_to.active_element
    assert first.get_attribute("id") == "skip-actions" and first.is_displayed()
    first.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(
        lambda d: d.switch_to.active_element.get_attribute("id") == "actions"
    )
    browser.switch_to.active_element.send_keys(Keys.TAB)  # next stop: the actions' buttons
    assert browser.switch_to.active_element.get_attribute("form") or (
        browser.switch_to.active_element.tag_name in ("button", "select", "textarea", "input")
    )


def test_queue_fits_390_px_without_sideways_scrolling(
    server: str, browser: WebDriver, tmp_path: Path
) -> None:
    """WCAG 1.4.10 reflow: at 390 CSS px the queue (and its page) scroll only downwards."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": False},
    )
    _log_in(browser, server, "leder")
    assert browser.find_elements(By.CSS_SELECTOR, "table.queue tbody tr")
    assert browser.execute_script("return window.innerWidth") == 390
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    wider = browser.execute_script(
        "return [...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert not wider, f"elements reach past the screen's edge: {wider}"
    assert browser.save_screenshot(str(tmp_path / "queue-390.png"))
