"""The demo at debug level logs no welfare applicant's personal data (sotjl. § 44)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo.generate import WELFARE_INBOX
from tests.conftest import DEMO_SETTINGS


@pytest.mark.e2e
def test_welfare_demo_leaks_no_personal_data(tmp_path: Path) -> None:
    env = {**os.environ, "SAKSROBOT_LOG_LEVEL": "debug",
           "SAKSROBOT_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "demo", "--settings", str(DEMO_SETTINGS)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "sosialhjelp-livsopphold" in result.stdout
    values: set[str] = set()
    for path in sorted(WELFARE_INBOX.glob("SH-*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        applicant = case["applicant"]
        values |= {applicant["name"], applicant["national_id"], applicant["account_number"],
                   applicant["email"], applicant["address"]["street"], case["request"]["reason"]}
        values |= {child["birth_date"] for child in case["household"]["children"]}
    leaked = sorted(value for value in values if value in result.stderr + result.stdout)
    assert not leaked, f"{len(leaked)} personal values in the output"
