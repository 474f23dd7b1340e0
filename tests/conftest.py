"""Shared fixtures: demo settings on a private data folder, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.make_mapdata import on_clear_spot
from runner.settings import CONTENT_ROOT, Settings, load_settings

__all__ = ["on_clear_spot"]

DEMO_SETTINGS = CONTENT_ROOT / "demo" / "saksrobot.toml"
DEMO_INBOX = CONTENT_ROOT / "demo" / "inbox"


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
