"""`saksrobot cases retry`: send a quarantined or parked case back in, keeping its history."""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass
from pathlib import Path

from runner.casework.lock import robot_lock
from runner.errors import SaksrobotError
from runner.settings import Settings
from runner.sources import FolderSource
from runner.store import CaseRecord, CaseState, Store


class RetryRefused(SaksrobotError):
    """The case cannot be retried as asked (wrong state, file missing or still unreadable)."""

    kind = "retry_refused"


@dataclass(frozen=True)
class RetryResult:
    """What a retry did: the case as it now rests, and whether its content changed."""

    case: CaseRecord
    resubmitted_from: Path | None
    content_changed: bool


def retry_case(
    settings: Settings,
    store: Store,
    ref: str,
    *,
    file: Path | None = None,
    inbox: Path | None = None,
    delivered: bool = False,
    resend: bool = False,
) -> RetryResult:
    """Retry one case: re-read its file (or `file`) if it went back to intake, then process it.

    A quarantined case, or a case parked before it could be read, is read again from its
    source file (the path recorded at intake, `inbox`/name, or `file`): changed content
    replaces the stored item, and the case keeps its id and audit trail. A case parked
    later resumes at the step that failed. A letter whose delivery could not be proven is
    first settled by a human: `delivered` (it did arrive) or `resend` (send it again).
    """
    from runner.run import find_robot, make_pipeline

    record = store.find_case(ref)
    if record.state not in (CaseState.quarantined, CaseState.parked):
        raise RetryRefused(
            f"Case {ref} is '{record.state}'; only quarantined or parked cases can be retried",
            fix="See where it is with saksrobot explain; a case still under way resumes by itself "
            "at the next run.",
        )
    robot = find_robot(settings, record.robot_id)
    pipeline = make_pipeline(settings, store, robot)
    actor = f"cli:{getpass.getuser()}"
    with robot_lock(settings.data_dir, robot.id):
        record = store.get_case(record.id)  # as it is now that no run can move it
        target = _resume_state(store, record)
        if target == CaseState.received:
            path = _source_file(store, record, file, inbox)
            content = _read(settings, path)
            changed = hashlib.sha256(content).hexdigest() != store.raw_item(record.id).content_hash
            store.resubmit(
                record.id,
                CaseState.received,
                actor=actor,
                content=content if changed else None,
                source_ref=path.name,
                data={"from": str(path)},
                errors=[],
                last_error=None,
            )
            done = pipeline.process(record.id, base_dir=path.parent)
            return RetryResult(done, path, changed)
        _settle_letters(store, record.id, delivered=delivered, resend=resend)
        store.resubmit(
            record.id,
            target,
            actor=actor,
            content=None,
            source_ref=store.raw_item(record.id).source_ref,
            data={},
            last_error=None,
        )
        return RetryResult(pipeline.process(record.id), None, False)


def _resume_state(store: Store, record: CaseRecord) -> CaseState:
    """Where the case goes back in: intake if quarantined, else the state it was parked from."""
    if record.state == CaseState.quarantined:
        return CaseState.received
    for event in reversed(store.events(record.id)):
        if event.kind == "parked":
            return CaseState(event.data.get("from_state", CaseState.received))
    return CaseState.received


def _source_file(store: Store, record: CaseRecord, file: Path | None, inbox: Path | None) -> Path:
    if file is not None:
        if not file.is_file():
            raise RetryRefused(f"{file} is not a file", fix="Give the corrected case file.")
        return file
    raw = store.raw_item(record.id)
    if inbox is not None:
        candidate = inbox / raw.source_ref
    else:
        received = store.events(record.id)[0]
        origin = received.data.get("origin")
        candidate = Path(origin) if isinstance(origin, str) else Path(raw.source_ref)
    if not candidate.exists() and not candidate.is_symlink():
        raise RetryRefused(
            f"The case's file {candidate} is gone",
            fix="Give the corrected file with --file PATH (or its folder with --inbox).",
        )
    return candidate


def _read(settings: Settings, path: Path) -> bytes:
    source = FolderSource(
        path.parent,
        max_bytes=settings.max_input_bytes,
        retry_attempts=settings.retry_attempts,
        retry_delay=settings.retry_delay_seconds,
    )
    item = source.read(path)
    if item.problem is not None:
        raise RetryRefused(f"{path.name}: {item.problem}", fix="Fix the file, then retry again.")
    return item.content


def _settle_letters(store: Store, case_id: int, *, delivered: bool, resend: bool) -> None:
    """Apply a human's word on letters whose delivery could not be proven."""
    if delivered and resend:
        raise RetryRefused("Both --delivered and --resend given", fix="Choose one.")
    unsettled = [row for row in store.outbox_for_case(case_id) if row.state == "needs_human"]
    if unsettled and not (delivered or resend):
        keys = ", ".join(row.key for row in unsettled)
        raise RetryRefused(
            f"Delivery of letter {keys} could not be proven",
            fix="Check the channel by hand, then retry with --delivered (it arrived) or "
            "--resend (send it again).",
        )
    for row in unsettled:
        if delivered:
            store.mark_sent(row.key)
        else:
            store.mark_pending(row.key, "saksbehandler ba om ny sending")
