"""Failures outside our control are retried with backoff, then parked; `cases retry` resumes."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from runner.casework.retry import RetryRefused, retry_case
from runner.cli import app
from runner.run import find_robot, run_robot
from runner.settings import Settings, load_settings
from runner.store import Store, open_store

from .conftest import DEMO_SETTINGS, write_cases

ATTEMPTS = 3


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    return load_settings(
        DEMO_SETTINGS,
        data_dir=tmp_path / "data",
        retry_attempts=ATTEMPTS,
        retry_delay_seconds=0.01,
        **extra,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'data' / 'saksrobot.db'}") as opened:
        yield opened


def _run(settings: Settings, store: Store, inbox: Path) -> dict[str, Any]:
    robot = find_robot(settings, "byggesak-smatiltak")
    reports: dict[str, Any] = {}
    run_robot(
        settings, store, robot, inbox=inbox, on_case=lambda r: reports.update({r.source_ref: r})
    )
    return reports


def _mount_tmpfs(path: Path, *options: str) -> bool:
    """Mount a small tmpfs at path if this machine allows it (root in a VM or container)."""
    path.mkdir(parents=True, exist_ok=True)
    command = ["mount", "-t", "tmpfs", "-o", ",".join(("size=256k", *options)), "tmpfs", str(path)]
    try:
        return subprocess.run(command, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture
def tmpfs() -> Iterator[Callable[..., bool]]:
    """mount(path, *options) → True if mounted; every mount is undone after the test."""
    mounted: list[Path] = []

    def mount(path: Path, *options: str) -> bool:
        if _mount_tmpfs(path, *options):
            mounted.append(path)
            return True
        return False

    yield mount
    for path in mounted:
        _umount(path)


def _umount(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True, timeout=10)


def test_a_locked_case_file_is_retried_then_parked_and_retry_resumes_it(
    tmp_path: Path, store: Store
) -> None:
    settings = _settings(tmp_path)
    inbox = tmp_path / "inbox"
    first, second = write_cases(inbox, 2)
    with (inbox / f"{first}.json").open("rb") as writer:  # another process is still writing it
        fcntl.flock(writer.fileno(), fcntl.LOCK_EX)
        reports = _run(settings, store, inbox)
    locked = reports[f"{first}.json"]
    assert locked.state == "parked"
    assert reports[f"{second}.json"].state in {"sent", "pending_review"}  # the run went on
    case = store.get_case(locked.case_id)
    assert "låst av en annen prosess" in (case.last_error or "")
    assert f"{ATTEMPTS} forsøk" in (case.last_error or "")
    assert f"cases retry {case.id}" in (case.last_error or "")

    runner = CliRunner()
    env = {"SAKSROBOT_SETTINGS": str(DEMO_SETTINGS), "SAKSROBOT_DATA_DIR": str(settings.data_dir)}
    listed = runner.invoke(app, ["cases", "list", "--state", "parked", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["source_ref"] == f"{first}.json" and "låst" in row["last_error"]

    retried = runner.invoke(app, ["cases", "retry", str(case.id)], env=env)  # lock released
    assert retried.exit_code == 0, retried.output
    assert "ny versjon av filen" in retried.stdout
    done = store.get_case(case.id)
    assert done.state in {"sent", "pending_review"} and done.reference == first
    kinds = [event.kind for event in store.events(case.id)]
    assert kinds[:3] == ["received", "parked", "resubmitted"] and "validated" in kinds
    assert store.verify_audit() == []


def test_outbox_not_writable_is_retried_then_parked(
    tmp_path: Path, store: Store, tmpfs: Callable[..., bool]
) -> None:
    outbox = tmp_path / "outbox"
    if tmpfs(outbox, "ro"):
        how = "read-only tmpfs"
    elif os.geteuid() != 0:  # a folder the robot may not write to
        outbox.mkdir(exist_ok=True)
        outbox.chmod(0o500)
        how = "chmod 0500"
    else:  # root without mount: permissions do not stop root, a file in the way does
        (tmp_path / "blocked").write_bytes(b"")
        outbox = tmp_path / "blocked" / "outbox"
        how = "not a folder"
    settings = _settings(tmp_path, outbox_dir=outbox)
    inbox = tmp_path / "inbox"
    write_cases(inbox, 6)
    bad = inbox / "broken.json"
    bad.write_text('{"case_type": "byggesak"')
    try:
        reports = _run(settings, store, inbox)
    finally:
        if how == "read-only tmpfs":
            _umount(outbox)
        elif how == "chmod 0500":
            outbox.chmod(0o700)
        else:
            (tmp_path / "blocked").unlink()
    parked = [r for r in reports.values() if r.state == "parked"]
    assert parked, f"{how}: no case was parked"
    case = store.get_case(parked[0].case_id)
    assert "Could not write letter" in (case.last_error or ""), case.last_error
    events = store.events(case.id)
    assert events[-1].kind == "parked" and events[-1].data["from_state"] == "finalised"
    assert reports["broken.json"].state == "quarantined"  # a business error: never parked

    # The outbox is writable again (unmounted / chmod back): retry sends the letter once.
    for report in parked:
        result = retry_case(settings, store, str(report.case_id))
        assert result.case.state == "sent"
    assert len(list(outbox.glob("*.pdf"))) == len(parked)
    rows = [row for r in parked for row in store.outbox_for_case(r.case_id)]
    assert [row.state for row in rows] == ["sent"] * len(parked)


def test_disk_full_parks_the_case_and_retry_sends_it_once(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch, tmpfs: Callable[..., bool]
) -> None:
    outbox = tmp_path / "outbox"
    mounted = tmpfs(outbox)
    if mounted:  # a real full disk: fill the small tmpfs
        fd = os.open(outbox / ".filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            with pytest.raises(OSError) as full_disk:
                while True:
                    os.write(fd, b"\0" * 4096)
            assert full_disk.value.errno == errno.ENOSPC
        finally:
            os.close(fd)
    else:  # no mount here: ENOSPC injected at the channel boundary
        import runner.channels.folder as folder

        def full(target: Path, data: bytes) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(folder, "write_atomic", full)
    settings = _settings(tmp_path, outbox_dir=outbox)
    inbox = tmp_path / "inbox"
    write_cases(inbox, 6)
    reports = _run(settings, store, inbox)
    parked = [r for r in reports.values() if r.state == "parked"]
    assert parked
    case = store.get_case(parked[0].case_id)
    assert "No space left on device" in (case.last_error or "")
    assert "disk is full" in (case.last_error or "")
    with pytest.raises(RetryRefused, match="only quarantined or parked"):
        sent = next(r for r in reports.values() if r.state == "pending_review")
        retry_case(settings, store, str(sent.case_id))
    if mounted:
        (outbox / ".filler").unlink()
    else:
        monkeypatch.undo()
    for report in parked:
        assert retry_case(settings, store, str(report.case_id)).case.state == "sent"
    letters = sorted(p.name for p in outbox.glob("*.pdf"))
    assert len(letters) == len(parked)
    assert not list(outbox.glob(".*.tmp"))


def test_a_step_that_fails_half_way_leaves_nothing_behind(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft saves its letter, then the transition fails once: on the retry the step
    starts clean, so every case has exactly one letter (version 1), not one per attempt."""
    from runner.errors import ApplicationError

    settings = _settings(tmp_path)
    write_cases(tmp_path / "inbox", 6)
    failed: set[int] = set()
    original = Store.transition

    def flaky(self: Store, case_id: int, target: Any, **kwargs: Any) -> Any:
        if kwargs.get("event") == "drafted" and case_id not in failed:
            failed.add(case_id)
            raise ApplicationError("the disk hiccuped after the letter was saved")
        return original(self, case_id, target, **kwargs)

    monkeypatch.setattr(Store, "transition", flaky)
    reports = _run(settings, store, tmp_path / "inbox")
    assert len(reports) == 6 and len(failed) == 6
    for case in store.list_cases():
        letters = store.letters(case.id)
        # til_vurdering: no letter until a caseworker chooses the outcome
        expected = [] if case.outcome == "til_vurdering" else [1]
        assert [letter.version for letter in letters] == expected, case.reference
        assert case.state in ("sent", "pending_review")


def test_a_letter_that_went_out_is_marked_sent_even_if_the_case_cannot_be(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last letter is marked sent in the commit that marks the case sent; when that
    commit fails, the letter is still marked sent on its own, never left "sending"."""
    from runner.errors import ApplicationError

    settings = load_settings(
        DEMO_SETTINGS, data_dir=tmp_path / "data", retry_attempts=1, retry_delay_seconds=0.0
    )
    write_cases(tmp_path / "inbox", 6)
    original = Store.transition

    def refused(self: Store, case_id: int, target: Any, **kwargs: Any) -> Any:
        if kwargs.get("event") == "sent":
            raise ApplicationError("the store refused the case's last step")
        return original(self, case_id, target, **kwargs)

    monkeypatch.setattr(Store, "transition", refused)
    reports = _run(settings, store, tmp_path / "inbox")
    parked = [report for report in reports.values() if report.state == "parked"]
    assert parked and {report.state for report in reports.values()} <= {"parked", "pending_review"}
    for report in parked:
        assert [row.state for row in store.outbox_for_case(report.case_id)] == ["sent"]
