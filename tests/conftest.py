"""Shared fixtures: demo settings on a private data folder, a CLI runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runner.settings import CONTENT_ROOT, Settings, load_settings

DEMO_SETTINGS = CONTENT_ROOT / "demo" / "saksrobot.toml"
DEMO_INBOX = CONTENT_ROOT / "demo" / "inbox"
#: An Askøy demo case on a free spot of the demo map data (demo/kart): its parcel is there.
CLEAR_SPOT_CASE = DEMO_INBOX / "byggesak" / "BS-2026-000122.json"


def on_clear_spot(case: dict[str, Any]) -> dict[str, Any]:
    """`case` (a byggesak case as JSON) placed where the demo kommune's map data find every
    map fact clear: the position, property and boundary distance of CLEAR_SPOT_CASE."""
    spot = json.loads(CLEAR_SPOT_CASE.read_text(encoding="utf-8"))
    placed = {**case, "position": spot["position"]}
    placed["property"] = {**case["property"], "gnr": spot["property"]["gnr"],
                          "bnr": spot["property"]["bnr"]}  # fmt: skip
    placed["measure"] = {
        **case["measure"],
        "distance_to_boundary_m": spot["measure"]["distance_to_boundary_m"],
    }
    return placed


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The demo kommune's settings with data (store, letters, outbox) under tmp_path."""
    return load_settings(DEMO_SETTINGS, data_dir=tmp_path / "data")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for CLI runs: the demo settings with a private data folder whose store
    exists (as `saksrobot db upgrade` makes it: no other command creates one)."""
    from runner.store import open_store

    env = {
        "SAKSROBOT_SETTINGS": str(DEMO_SETTINGS),
        "SAKSROBOT_DATA_DIR": str(tmp_path / "data"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    open_store(f"sqlite:///{tmp_path / 'data' / 'saksrobot.db'}").close()
    return env
