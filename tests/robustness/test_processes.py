"""Real processes: SIGTERM stops cleanly after the current case; two runs never share a case."""

from __future__ import annotations

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


@pytest.mark.slow
def test_sigterm_finishes_the_current_case_and_stops_cleanly(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    write_cases(inbox, 120)
    process = subprocess.Popen(
        run_args(inbox, "--json"),
        env=cli_env(data),
        cwd=CONTENT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for _ in range(10):
        process.stdout.readline()
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "stoppet etter signal" in err, err
    assert "stop_requested" in err
    states = [state for (state,) in db_rows(data, "SELECT state FROM cases")]
    assert 10 <= len(states) < 120  # it stopped early
    # The case under way was finished: nothing is left half-way.
    assert set(states) <= RESTING, states
    assert not set(states) & RESUMABLE

    again = saksrobot(data, "run", "byggesak-smatiltak", "--inbox", str(inbox), "--json")
    assert again.returncode == 0, again.stderr
    assert len(db_rows(data, "SELECT id FROM cases")) == 120


@pytest.mark.slow
def test_two_runs_on_one_store_never_process_a_case_twice(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    write_cases(inbox, 80)
    started = [
        subprocess.Popen(
            run_args(inbox, "--json"),
            env=cli_env(data),
            cwd=CONTENT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    ]
    time.sleep(0.3)  # the first holds the lock; the second must wait
    started.append(
        subprocess.Popen(
            run_args(inbox, "--json"),
            env=cli_env(data),
            cwd=CONTENT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    )
    results = [process.communicate(timeout=120) for process in started]
    assert [process.returncode for process in started] == [0, 0], results
    errs = "".join(err for _, err in results)
    assert "En annen kjøring av byggesak-smatiltak pågår" in errs
    worked = [
        line["case_id"] for out, _ in results for line in json_lines(out) if not line["duplicate"]
    ]
    assert len(worked) == len(set(worked)) == 80  # each case handled by exactly one run
    events = db_rows(
        data, "SELECT case_id, count(*) FROM events WHERE kind = 'validated' GROUP BY case_id"
    )
    assert all(count == 1 for _, count in events) and len(events) == 80
    sent = db_rows(data, "SELECT count(*), count(DISTINCT case_id) FROM outbox")[0]
    assert sent[0] == sent[1]
    assert len(list((data / "outbox").glob("*.pdf"))) == sent[0]
