"""The demo at debug level: no fødselsnummer, name, address or e-mail from a case reaches a log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from .conftest import DEMO_INBOX, DEMO_SETTINGS


def _personal_values(case: dict[str, object]) -> set[str]:
    applicant = case["applicant"]
    assert isinstance(applicant, dict)
    address = applicant["address"]
    prop = case["property"]
    assert isinstance(address, dict) and isinstance(prop, dict)
    return {
        str(applicant["national_id"]),
        str(applicant["name"]),
        str(applicant["email"]),
        str(address["street"]),
        str(prop["address"]),
    }


@pytest.mark.e2e
def test_demo_at_debug_level_leaks_no_personal_data(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SAKSROBOT_LOG_LEVEL": "debug",
        "SAKSROBOT_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
    }
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "demo", "--settings", str(DEMO_SETTINGS)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    logs = result.stderr
    assert "debug" in logs or "info" in logs  # the run did log
    values: set[str] = set()
    for path in sorted((DEMO_INBOX / "byggesak").glob("*.json")):
        values |= _personal_values(json.loads(path.read_text(encoding="utf-8")))
    leaked = sorted(v for v in values if v in logs)
    assert not leaked, f"{len(leaked)} personal values in the logs"
    # The demo ran on its cases dated for today (runner/demo.py), in the robots' own inbox.
    dated = [
        json.loads(path.read_text(encoding="utf-8"))["received_at"]
        for path in (tmp_path / "data" / "inbox" / "byggesak").glob("*.json")
    ]
    today = datetime.now(UTC).date()
    assert len(dated) == 48
    assert all(0 < (today - datetime.fromisoformat(r).date()).days <= 100 for r in dated)
    assert (tmp_path / "data" / "outbox").is_dir()
    assert any((tmp_path / "data" / "outbox").glob("*.pdf"))
