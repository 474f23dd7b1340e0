"""A batch's letter files (PDF and decision record per finalised case) are written in one go
before the batch commits; files that cannot be written park only their own case."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest

import runner.steps.finalise as finalise_step
from runner.run import find_robot, run_robot
from runner.settings import Settings
from runner.store import Store

from .conftest import ROBOT, write_cases


def _run(config: Settings, store: Store, inbox: Path) -> dict[str, Any]:
    reports: dict[str, Any] = {}
    robot = find_robot(config, ROBOT)
    run_robot(
        config, store, robot, inbox=inbox, on_case=lambda r: reports.update({r.source_ref: r})
    )
    return reports


def test_a_batch_writes_its_letter_files_in_one_go(
    config: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[Path]] = []
    write = finalise_step.write_atomic_all

    def counted(files: list[tuple[Path, bytes]]) -> None:
        calls.append([path for path, _ in files])
        write(files)

    monkeypatch.setattr(finalise_step, "write_atomic_all", counted)
    inbox = tmp_path / "inbox"
    write_cases(inbox, 12)
    reports = _run(config, store, inbox)
    sent = [report for report in reports.values() if report.state == "sent"]
    assert sent and len(calls) == 1  # one batch of twelve: one write of all its files
    assert len(calls[0]) == 2 * len(sent) and all(path.is_file() for path in calls[0])
    for report in sent:
        letter = store.latest_letter(report.case_id)
        assert letter is not None and Path(letter.pdf_path or "") in calls[0]


def test_letter_files_that_cannot_be_written_park_only_their_case(
    config: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    write_cases(inbox, 12)
    write = finalise_step.write_atomic_all
    bad: list[str] = []

    def full_for_one(files: list[tuple[Path, bytes]]) -> None:
        if any(bad and bad[0] in str(path) for path, _ in files):
            raise OSError(errno.ENOSPC, "No space left on device")
        if not bad:  # the first case that gets a letter is the one whose disk is full
            bad.append(files[0][0].parent.name)
            raise OSError(errno.ENOSPC, "No space left on device")
        write(files)

    monkeypatch.setattr(finalise_step, "write_atomic_all", full_for_one)
    reports = _run(config, store, inbox)
    parked = [report for report in reports.values() if report.state == "parked"]
    assert len(parked) == 1 and parked[0].source_ref == f"{bad[0]}.json"
    case = store.get_case(parked[0].case_id)
    assert "Could not store letter" in (case.last_error or "")
    assert "No space left on device" in (case.last_error or "")
    others = [report for report in reports.values() if report is not parked[0]]
    assert {report.state for report in others} == {"sent", "pending_review"}
    for report in others:
        if report.state == "sent":
            letter = store.latest_letter(report.case_id)
            assert letter is not None and Path(letter.pdf_path or "").is_file()
    assert store.verify_audit() == []
