"""SIGKILL real runs of 500 cases at random moments, then finish: each case once, none twice."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import (
    CONTENT_ROOT,
    RESTING,
    RESUMABLE,
    cli_env,
    db_rows,
    json_lines,
    run_args,
    saksrobot,
    write_cases,
)

CASES = 500
KILL_POINTS = 6
SEED = 20260921


def _run_until_killed(inbox: Path, data: Path, after_cases: int, extra_delay: float) -> bool:
    """Start a run, SIGKILL it once it has finished `after_cases` cases plus a moment.

    Returns False if the run finished on its own first (nothing left to kill).
    """
    process = subprocess.Popen(
        run_args(inbox, "--json"),
        env=cli_env(data),
        cwd=CONTENT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    seen = 0
    for line in process.stdout:
        seen += '"duplicate": false' in line  # count cases worked on, not files seen again
        if seen >= after_cases:
            time.sleep(extra_delay)  # land inside the next case, not between two
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    process.stdout.close()
    return process.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_killed_runs_lose_nothing_and_send_nothing_twice(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    references = write_cases(inbox, CASES)
    rng = random.Random(SEED)
    killed = 0
    for _ in range(KILL_POINTS):
        # Each run first resumes what the last one left, then takes in new files.
        if _run_until_killed(inbox, data, rng.randint(1, 60), rng.uniform(0.0, 0.03)):
            killed += 1
    assert killed == KILL_POINTS  # every kill landed mid-run

    # Something was left half-way at some point; the final run finishes it all.
    final = saksrobot(data, "run", "byggesak-smatiltak", "--inbox", str(inbox), "--json")
    assert final.returncode == 0, final.stderr
    assert all(not line["errors"] for line in json_lines(final.stdout))

    cases = db_rows(data, "SELECT reference, state FROM cases")
    assert len(cases) == CASES  # every file became exactly one case
    assert sorted(ref for ref, _ in cases) == sorted(references)
    states = {state for _, state in cases}
    assert states <= RESTING - {"quarantined", "parked"}, states
    assert not states & RESUMABLE

    sent_cases = {ref for ref, state in cases if state == "sent"}
    rows = db_rows(data, "SELECT case_id, key, state FROM outbox")
    assert all(state == "sent" for _, _, state in rows)
    per_case = [case_id for case_id, _, _ in rows]
    assert len(per_case) == len(set(per_case)) == len(sent_cases)  # one letter per sent case
    outbox = data / "outbox"
    files = sorted(outbox.iterdir())
    assert [f for f in files if f.name.endswith(".tmp") or f.name.startswith(".")] == []
    assert len(files) == len(sent_cases)
    finalised = dict(
        db_rows(data, "SELECT o.key, l.sha256 FROM outbox o JOIN letters l ON l.id = o.letter_id")
    )
    assert len(finalised) == len(sent_cases)
    for path in files:  # whole letters: exactly the finalised PDF, byte for byte
        content = path.read_bytes()
        assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(content).hexdigest() == finalised[path.stem], path.name
    letters_dir = data / "letters"
    assert not [p for p in letters_dir.rglob("*.tmp")]

    audit = saksrobot(data, "audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    print(f"kill points: {killed}, cases: {CASES}, sent: {len(sent_cases)}")
    assert os.stat(data / "saksrobot.db").st_mode & 0o777 == 0o600
