"""Take the README's screenshots of the review page: `saksrobot demo` in a temporary folder,
the review page served from it, and headless Chromium (Debian's chromium and chromium-driver,
as in the browser tests: bash scripts/system-deps.sh).

    .venv/bin/python scripts/screenshots.py [--out docs]

Writes review-queue.png (the queue), review-case.png (a case with its draft letter) and
review-case-documents.png (the case's documents and the letter editor). The demo's cases
are dated for the day the script runs, so the pictures show a real day's queue.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's runner, also when run from elsewhere

import uvicorn  # noqa: E402
from PIL import Image  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

from runner.settings import Settings, load_settings  # noqa: E402
from runner.store import CaseState, Store, open_store  # noqa: E402
from runner.web.accounts import create_user  # noqa: E402
from runner.web.app import create_app  # noqa: E402

DEMO_SETTINGS = ROOT / "demo" / "saksrobot.toml"
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH = 1280
USERNAME = "skjermbilder"


def run_demo(data_dir: Path) -> Settings:
    """`saksrobot demo` with its store and files in `data_dir`."""
    env = {**os.environ, "SAKSROBOT_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "runner.cli", "demo", "--settings", str(DEMO_SETTINGS)],
        check=True, env=env, stdout=subprocess.DEVNULL, timeout=600,
    )  # fmt: skip
    return load_settings(DEMO_SETTINGS, data_dir=data_dir)


@contextmanager
def serving(settings: Settings, store: Store) -> Iterator[str]:
    """The review page on a free loopback port, in a thread."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        create_app(settings, store), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium(profile: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", f"--window-size={WIDTH},1000",
        "--lang=nb", "--hide-scrollbars",
    ):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: WebDriver, target: Path, height: int, *, at: str | None = None) -> None:
    """A screenshot of the window at WIDTH × height (scrolled to the element with id `at`),
    in 256 colours (small enough to commit)."""
    driver.set_window_size(WIDTH, height)
    if at is not None:
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", at)
    if not driver.save_screenshot(str(target)):
        raise RuntimeError(f"Chromium did not save {target}")
    with Image.open(target) as image:
        image.convert("RGB").quantize(colors=256).save(target, optimize=True)
    print(f"Wrote {target}")


def load(driver: WebDriver, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.TAG_NAME, "h1").text)


def take(out: Path, work: Path) -> None:
    settings = run_demo(work / "data")
    with open_store(settings.database_url) as store:
        password = create_user(
            store, username=USERNAME, full_name="Kari Saksbehandler", role="caseworker",
            kommuner=[settings.kommune.kommunenummer],
        )  # fmt: skip
        waiting = store.list_cases(
            state=CaseState.pending_review, kommunenummer=settings.kommune.kommunenummer, limit=500
        )
        # A byggesak from the folder inbox (with a deadline and attachments) and a draft.
        drafted = [
            c
            for c in waiting
            if c.robot_id == "byggesak-smatiltak" and store.latest_letter(c.id) is not None
        ]
        if not drafted:
            raise RuntimeError("The demo left no byggesak with a draft letter for review")
        case = max(drafted, key=lambda c: (len(c.data.get("attachments", [])), len(c.reasons)))
        with serving(settings, store) as server, chromium(work / "profile") as driver:
            load(driver, f"{server}/logg-inn")
            driver.find_element(By.ID, "username").send_keys(USERNAME)
            driver.find_element(By.ID, "password").send_keys(password)
            driver.find_element(By.CSS_SELECTOR, "form.card button[type=submit]").click()
            WebDriverWait(driver, 30).until(lambda d: "/logg-inn" not in d.current_url)
            load(driver, f"{server}/saker")
            shot(driver, out / "review-queue.png", 1800)  # the filters and a dozen rows
            load(driver, f"{server}/saker/{case.id}")
            shot(driver, out / "review-case.png", 1500)
            shot(driver, out / "review-case-documents.png", 1000, at="documents")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="Folder for the PNGs.")
    args = parser.parse_args()
    if not CHROMEDRIVER.exists():
        sys.exit("Debian chromium and chromium-driver are needed: bash scripts/system-deps.sh")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="saksrobot-screenshots-") as work:
        take(args.out, Path(work))


if __name__ == "__main__":
    main()
