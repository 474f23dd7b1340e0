"""A worker's metrics port: a real HTTP server on loopback serving the store's case counts."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

from runner.metrics import serve_metrics
from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, load_settings
from runner.store import open_store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_worker_metrics_port_serves_case_counts(tmp_path: Path) -> None:
    settings = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml", data_dir=tmp_path)
    robot = load_robots(settings.content_dir / "robots")["byggesak-skjema"]
    port = _free_port()
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robot, inbox=CONTENT_ROOT / "demo" / "inbox" / "byggesak-skjema")
        serve_metrics(store, "127.0.0.1", port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            body = answer.read().decode("utf-8")
    assert 'saksrobot_cases{kommune="4627",robot="byggesak-skjema",state=' in body
    assert "saksrobot_case_processing_seconds_bucket" in body
