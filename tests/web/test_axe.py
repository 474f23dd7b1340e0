"""axe-core (npm, tests/web/axe/) on every page of the review site in headless Chromium:
no violation of any impact (WCAG 2.1 A and AA rules and axe's best practices).

axe-core is installed with `npm ci --prefix tests/web/axe` the first time (package-lock.json
pins it); the pages' CSP allows no script, so axe runs through the driver, as a test tool.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from runner.models.robot import load_robots
from runner.settings import Settings
from runner.store import CaseState, Store
from runner.web.actions import Reviewer
from tests.web.conftest import ASSESSMENT, HOME, open_point_ids
from tests.web.test_browser import (  # noqa: F401
    _answer_points,
    _click,
    _log_in,
    browser,
    server,
)

pytestmark = pytest.mark.browser

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
#: What axe checks: every WCAG 2.0/2.1 A and AA rule and its best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));
"""


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js, installed from package-lock.json when node_modules is missing."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed (bash scripts/system-deps.sh installs it)")
        subprocess.run(
            [npm, "ci", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund"],
            check=True,
            timeout=600,
        )
    return AXE_JS.read_text(encoding="utf-8")


def _violations(driver: WebDriver, source: str) -> list[str]:
    driver.set_script_timeout(60)
    driver.execute_script(source)
    found: list[dict[str, Any]] = driver.execute_async_script(RUN, TAGS)
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}" for v in found]


class Pages:
    """Collects axe's violations page by page, to list them all at the end."""

    def __init__(self, driver: WebDriver, source: str) -> None:
        self.driver, self.source = driver, source
        self.checked: list[str] = []
        self.problems: list[str] = []

    def check(self, name: str) -> None:
        assert self.driver.find_element(By.TAG_NAME, "h1").text  # the page did load
        self.checked.append(name)
        self.problems += [f"{name}: {v}" for v in _violations(self.driver, self.source)]


def _switch_malform(driver: WebDriver) -> None:
    _click(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/malform'] button"))


def _log_out(driver: WebDriver) -> None:
    _click(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/logg-ut'] button"))


def test_every_page_passes_axe(
    server: str,  # noqa: F811
    browser: WebDriver,  # noqa: F811
    web_store: Store,
    axe_source: str,
) -> None:
    pages = Pages(browser, axe_source)
    browser.get(f"{server}/logg-inn")
    pages.check("innlogging")
    _log_in(browser, server, "kari")
    pages.check("køen")
    waiting = web_store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
    drafted = next(c for c in waiting if web_store.latest_letter(c.id) is not None)
    undecided = next(c for c in waiting if web_store.latest_letter(c.id) is None)
    browser.get(f"{server}/saker/{drafted.id}")
    pages.check("sak med brevutkast")
    _click(browser, browser.find_element(By.ID, "preview"))
    pages.check("forhåndsvisning")
    _switch_malform(browser)
    browser.get(f"{server}/saker/{drafted.id}")
    pages.check("sak på nynorsk")
    browser.get(f"{server}/saker")
    pages.check("køen på nynorsk")
    _switch_malform(browser)
    browser.get(f"{server}/saker/{undecided.id}")
    pages.check("sak uten utfall")
    browser.get(f"{server}/karantene")
    pages.check("karantene")
    item = browser.find_element(By.CSS_SELECTOR, "main a[href^='/karantene/']")
    _click(browser, item)
    pages.check("sak i karantene")
    browser.get(f"{server}/saker/{drafted.id}")
    if _answer_points(browser, "Vurdert mot søknaden og vedleggene; punktet er ikke oppfylt."):
        pages.check("sak med avgjorte punkter")
    _click(browser, browser.find_element(By.ID, "approve"))
    pages.check("bekreft og send")
    _click(browser, browser.find_element(By.ID, "send"))
    pages.check("sendt sak")
    browser.get(f"{server}/utboks")
    pages.check("utboks")
    browser.get(f"{server}/oversikt")
    pages.check("oversikt")
    browser.get(f"{server}/saker/999999")
    pages.check("finnes ikke")
    _log_out(browser)
    _log_in(browser, server, "leder")
    boxes = browser.find_elements(By.CSS_SELECTOR, "table.queue input[type=checkbox]")
    for box in boxes[:2]:
        box.click()
    _click(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/saker/masse'] button"))
    pages.check("godkjenn flere")
    _log_out(browser)
    _log_in(browser, server, "admin")
    browser.get(f"{server}/brukere")
    pages.check("brukere")
    assert len(pages.checked) >= 16
    assert not pages.problems, "axe found:\n" + "\n".join(pages.problems)


def test_pages_with_letter_edits_kept_or_left_out_pass_axe(
    server: str,  # noqa: F811
    browser: WebDriver,  # noqa: F811
    web_settings: Settings,
    web_store: Store,
    axe_source: str,
) -> None:
    """The case page with the caseworker's edits carried onto a new draft, and with edits
    that could not be (their text beside the new draft's), and its confirmation."""
    reviewer = Reviewer(web_settings, web_store, load_robots(web_settings.content_dir / "robots"))
    waiting = web_store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
    case_id = next(
        c.id for c in waiting if web_store.latest_letter(c.id) and open_point_ids(web_store, c.id)
    )

    def answer(outcome: str) -> None:
        given = {rule_id: (outcome, ASSESSMENT) for rule_id in open_point_ids(web_store, case_id)}
        version = web_store.get_case(case_id).version
        reviewer.answer(case_id, "kari", version=version, given=given)

    def edit(markdown: str) -> None:
        letter = web_store.latest_letter(case_id)
        assert letter is not None
        version = web_store.get_case(case_id).version
        reviewer.prepare(case_id, "kari", version=version, letter_id=letter.id, markdown=markdown)

    def text() -> str:
        letter = web_store.latest_letter(case_id)
        assert letter is not None
        return letter.markdown

    pages = Pages(browser, axe_source)
    _log_in(browser, server, "kari")
    answer("ikke_oppfylt")
    edit(text() + "\nEt tillegg fra saksbehandleren.\n")
    answer("oppfylt")
    browser.get(f"{server}/saker/{case_id}")
    assert browser.find_element(By.ID, "edits-kept").text
    pages.check("sak med endringer ført over")
    edit(text().replace(ASSESSMENT, f"{ASSESSMENT} Sjekket på befaring."))
    answer("ikke_oppfylt")
    browser.get(f"{server}/saker/{case_id}")
    assert browser.find_element(By.ID, "left-out").text
    pages.check("sak med endringer som ikke ble ført over")
    _switch_malform(browser)
    browser.get(f"{server}/saker/{case_id}")
    pages.check("sak med endringer som ikke ble ført over, nynorsk")
    _switch_malform(browser)
    _click(browser, browser.find_element(By.ID, "approve"))
    assert browser.find_element(By.ID, "edits-seen")
    pages.check("bekreft med endringer som ikke ble ført over")
    assert not pages.problems, "axe found:\n" + "\n".join(pages.problems)


def test_axe_reports_a_violation_when_there_is_one(
    server: str,  # noqa: F811
    browser: WebDriver,  # noqa: F811
    axe_source: str,
) -> None:
    """The harness itself: an unlabelled field and an image without text are reported."""
    browser.get(f"{server}/logg-inn")
    browser.execute_script(
        "const main = document.querySelector('main');"
        "main.insertAdjacentHTML('beforeend', '<img src=\"/static/site.css\"><input type=text>');"
    )
    found = "\n".join(_violations(browser, axe_source))
    assert "image-alt" in found and "label" in found
