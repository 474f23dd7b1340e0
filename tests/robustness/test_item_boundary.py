"""One boundary per item, the pipeline's side (issue "No input from any source can stop a run
or poison the store"): what an unforeseen exception leaves for the operator, intake that goes
on when a source or an item fails, and cases that kill the robot parked instead of taken up
forever. Each test failed before the fix.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runner.letters import LetterTemplates, PdfRenderer
from runner.rules import RuleSetCatalog
from runner.run import find_robot, run_robot
from runner.settings import Settings
from runner.sources import FolderSource
from runner.sources.base import RawItem
from runner.store import Store
from runner.worker import Worker, WorkerOptions

from .conftest import CONTENT_ROOT, ROBOT, cli_env, db_rows, write_cases
from .hostile import DEMO, processed, run_once

TRACE_FRAME = re.compile(r"^[\w.]+\.py:\d+ in \S+$")
SECRET = "Kari Nordmann 01017012345"


def _events(store: Store, case_id: int, kind: str) -> list[dict[str, Any]]:
    return [event.data for event in store.events(case_id) if event.kind == kind]


def test_the_quarantine_event_keeps_the_exception_type_and_a_redacted_trace(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write_cases(inbox, 1, prefix="OK")
    case = json.loads((DEMO / "inbox" / "byggesak" / "BS-2026-000107.json").read_text())
    case["reference"] = "@@RAW@@"
    (inbox / "a-sifre.json").write_text(json.dumps(case).replace('"@@RAW@@"', "7" * 5000))
    reports = run_once(config, store, ROBOT, inbox)
    assert reports["a-sifre.json"].state == "quarantined"
    (event,) = _events(store, reports["a-sifre.json"].case_id, "quarantined")
    assert event["exception_type"] == "ValueError"
    assert event["trace"] and all(TRACE_FRAME.match(frame) for frame in event["trace"])
    assert "7777" not in json.dumps(event["trace"])
    assert processed(reports["OK-2026-000000.json"])


def _boom(*args: object, **kwargs: object) -> None:
    raise KeyError(SECRET)  # a bug whose message quotes the case


@pytest.mark.parametrize(
    ("owner", "method"),
    [(RuleSetCatalog, "get"), (LetterTemplates, "render"), (PdfRenderer, "render")],
    ids=["evaluate", "draft", "finalise"],
)
def test_a_bug_in_a_step_parks_the_case_with_its_type_and_a_redacted_trace(
    config: Settings,
    store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    owner: type,
    method: str,
) -> None:
    inbox = tmp_path / "inbox"
    write_cases(inbox, 8)
    monkeypatch.setattr(owner, method, _boom)
    reports = run_once(config, store, ROBOT, inbox)
    parked = [report for report in reports.values() if report.state == "parked"]
    assert parked and {report.state for report in reports.values()} <= {"parked", "pending_review"}
    for report in parked:
        record = store.get_case(report.case_id)
        (event,) = _events(store, record.id, "parked")
        # the case's store steps are one savepoint: it is parked from where the batch took it
        assert (event["from_state"], event["kind"], event["exception_type"]) == (
            "received",
            "internal",
            "KeyError",
        )
        assert event["trace"] and all(TRACE_FRAME.match(frame) for frame in event["trace"])
        assert SECRET not in json.dumps(event) + (record.last_error or "")
        assert "KeyError" in (record.last_error or "")
        assert f"cases retry {record.id}" in (record.last_error or "")


def test_intake_goes_on_past_an_item_that_cannot_be_stored_and_a_source_that_fails(
    config: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    write_cases(inbox, 2)
    read = FolderSource.items

    def failing(self: FolderSource) -> Iterator[RawItem]:
        items = read(self)
        yield RawItem("folder", "a-rar.json", "ikke bytes", base_dir=inbox)  # type: ignore[arg-type]
        yield next(items)
        raise RuntimeError(SECRET)  # the source breaks down past the first item

    monkeypatch.setattr(FolderSource, "items", failing)
    reports: dict[str, Any] = {}
    summary = run_robot(
        config,
        store,
        find_robot(config, ROBOT),
        inbox=inbox,
        on_case=lambda r: reports.update({r.source_ref: r}),
    )
    assert list(reports) == ["KT-2026-000000.json"] and processed(reports["KT-2026-000000.json"])
    first, second = summary.source_problems
    assert first.startswith("a-rar.json i ") and "TypeError" in first
    assert "RuntimeError" in second and "neste kjøring" in second
    assert SECRET not in " ".join(summary.source_problems)
    monkeypatch.setattr(FolderSource, "items", read)
    again = run_once(config, store, ROBOT, inbox)  # what was not taken in is still there
    assert processed(again["KT-2026-000001.json"]) and not again["KT-2026-000001.json"].duplicate


#: A `saksrobot run` in which validating the file named *DREP* kills the process outright.
KILLING_RUN = """
import os, sys
import runner.sources.convert as convert
validate = convert.validate_case
def killing(source, content, case_type):
    if "DREP" in source:
        os._exit(70)
    return validate(source, content, case_type)
convert.validate_case = killing
from runner.cli import app
sys.argv = ["saksrobot", *sys.argv[1:]]
app()
"""


def test_a_case_that_kills_the_run_every_time_is_parked_and_the_others_go_through(
    tmp_path: Path,
) -> None:
    """Before: every run died on the case again, in the resume step, forever."""
    import subprocess

    inbox, data = tmp_path / "inbox", tmp_path / "data"
    write_cases(inbox, 3)
    killer = json.loads((inbox / "KT-2026-000000.json").read_text())
    killer["reference"] = "DREP-2026-1"
    (inbox / "A-DREP.json").write_text(json.dumps(killer))

    def run() -> subprocess.CompletedProcess[str]:
        args = [sys.executable, "-c", KILLING_RUN, "run", ROBOT, "--inbox", str(inbox)]
        return subprocess.run(
            args, env=cli_env(data), cwd=CONTENT_ROOT, capture_output=True, text=True, timeout=120
        )

    # in a batch with the others, then twice alone (the others go through meanwhile)
    assert [run().returncode for _ in range(3)] == [70, 70, 70]
    fourth = run()
    assert fourth.returncode == 0, fourth.stderr[-3000:]
    by_file = "FROM cases c JOIN raw_items r ON r.id = c.raw_item_id"
    rows = dict(db_rows(data, f"SELECT r.source_ref, c.state {by_file}"))
    assert rows.pop("A-DREP.json") == "parked"
    assert set(rows.values()) <= {"sent", "pending_review"} and len(rows) == 3
    ((last_error, interruptions),) = db_rows(
        data, f"SELECT last_error, interruptions {by_file} WHERE r.source_ref = 'A-DREP.json'"
    )
    assert "avbrutt 3 ganger" in last_error and "cases retry" in last_error
    assert interruptions == 0  # counted afresh from the park (a retry starts clean)
    fifth = run()  # a second run over the same store and inbox
    assert fifth.returncode == 0, fifth.stderr[-3000:]


def test_a_case_whose_workers_died_holding_it_is_parked(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    """Before: each worker took the case whose processing killed the one before, forever."""
    inbox = tmp_path / "inbox"
    write_cases(inbox, 3)
    robot = find_robot(config, ROBOT)
    run_robot(config, store, robot, inbox=inbox, intake_only=True)
    first = store.leases.claim([ROBOT], "died-0", 0.05, 3)  # dies with three cases
    time.sleep(0.1)
    doomed = store.leases.claim([ROBOT], "died-1", 0.05, 3)  # takes them over and dies
    assert doomed == first
    assert {case.interruptions for case in store.get_cases(first)} == {1}
    time.sleep(0.1)
    options = WorkerOptions(robots=[ROBOT], lease_seconds=30, idle_exit=True, poll_seconds=0.01)
    # the next worker takes the first alone and gives the others back; it goes through
    Worker(config, store, {ROBOT: robot}, options).run()
    assert all(processed_state(case.state) for case in store.get_cases(first))
    # the same again, and the case a worker died holding alone twice more is parked
    write_cases(inbox, 1, prefix="DW")
    run_robot(config, store, robot, inbox=inbox, intake_only=True)
    (case_id,) = store.cases_to_resume(ROBOT)
    for worker in ("died-2", "died-3", "died-4"):
        assert store.leases.claim([ROBOT], worker, 0.05, 1) == [case_id]
        time.sleep(0.1)
    Worker(config, store, {ROBOT: robot}, options).run()
    record = store.get_case(case_id)
    assert (record.state, record.interruptions) == ("parked", 0)
    assert "avbrutt 3 ganger" in (record.last_error or "")
    assert store.leases.backlog() == {}


def processed_state(state: str) -> bool:
    return state in {"sent", "pending_review"}
