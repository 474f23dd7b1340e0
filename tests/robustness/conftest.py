"""Helpers for the robustness tests: synthetic inboxes, real CLI processes, store checks."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from demo.synthetic import SCENARIOS, byggesak_case
from runner.settings import CONTENT_ROOT, Settings, load_settings
from runner.store import Store, open_store
from tests.conftest import on_clear_spot

DEMO_SETTINGS = CONTENT_ROOT / "demo" / "saksrobot.toml"
ROBOT = "byggesak-smatiltak"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: States a case may rest in (nothing more will happen without a human or a new run).
RESTING = {"sent", "pending_review", "quarantined", "parked"}
#: States a run leaves behind only when stopped mid-way; the next run resumes them.
RESUMABLE = {"received", "validated", "evaluated", "approved", "finalised"}


@pytest.fixture
def config(tmp_path: Path) -> Settings:
    """The demo settings with a private data folder and no waiting between retries."""
    return load_settings(DEMO_SETTINGS, data_dir=tmp_path / "data", retry_delay_seconds=0.0)


@pytest.fixture
def store(config: Settings) -> Iterator[Store]:
    with open_store(config.database_url) as opened:
        yield opened


def write_cases(inbox: Path, count: int, *, seed: int = 4627, prefix: str = "KT") -> list[str]:
    """Write `count` valid synthetic byggesaker over every scenario; return their references."""
    inbox.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    scenarios = sorted(SCENARIOS)
    start = datetime(2026, 2, 2, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    references = []
    for number in range(count):
        reference = f"{prefix}-2026-{number:06d}"
        case = byggesak_case(
            rng,
            scenarios[number % len(scenarios)],
            reference=reference,
            received_at=start + timedelta(hours=number),
            malform="nn" if number % 2 else "nb",
        )
        case = on_clear_spot(case)  # where the demo map data find nothing in the way
        (inbox / f"{reference}.json").write_text(json.dumps(case, ensure_ascii=False))
        references.append(reference)
    return references


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a real `python -m runner.cli` process on a private data folder,
    whose store exists (as `saksrobot db upgrade` makes it: no other command creates one)."""
    store = data_dir / "saksrobot.db"
    if "SAKSROBOT_STORE_URL" not in extra and not store.exists():
        open_store(f"sqlite:///{store}").close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAKSROBOT_")}
    env.update(
        SAKSROBOT_SETTINGS=str(DEMO_SETTINGS),
        SAKSROBOT_DATA_DIR=str(data_dir),
        SAKSROBOT_LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def run_args(inbox: Path, *more: str) -> list[str]:
    return [sys.executable, "-m", "runner.cli", "run", ROBOT, "--inbox", str(inbox), *more]


def saksrobot(
    data_dir: Path, *args: str, timeout: float = 120, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run `saksrobot ARGS` as a real process and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "runner.cli", *args],
        env=cli_env(data_dir, **extra),
        cwd=CONTENT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def db_rows(data_dir: Path, query: str) -> list[Any]:
    """Rows of a query on the SQLite store, read directly (not through saksrobot)."""
    with sqlite3.connect(data_dir / "saksrobot.db") as conn:
        return conn.execute(query).fetchall()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]
