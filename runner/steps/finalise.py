"""The finalise step: an approved case → its letter PDF and decision record (on disk when
its batch commits), the letter on record in the outbox."""

from __future__ import annotations

import hashlib
from pathlib import Path

from runner.archive import decision_record, record_bytes, record_path
from runner.errors import ApplicationError
from runner.files import write_atomic_all
from runner.letterfiles import letter_path, render_letter_pdf, today_in_norway
from runner.steps.context import ROBOT_ACTOR, Handoff, Robot, Step
from runner.store import CaseRecord, CaseState
from runner.store.records import DecisionRecord, LetterRecord


def finalise(robot: Robot, record: CaseRecord, _: Path | None, handed: Handoff | None) -> Step:
    """Render the letter's PDF, write it and its decision record, and queue it to be sent."""
    store = robot.store
    with robot.timer.timing("pdf"):
        letter = handed.letter if handed and handed.letter else store.latest_letter(record.id)
        if letter is None:
            raise ApplicationError(f"Case {record.id} is approved but has no letter")
        pdf_bytes = render_letter_pdf(
            robot.pdf,
            record=record,
            letter=letter,
            kommune=robot.kommune(record),
            robot=robot.definition,
            case_model=robot.case_model,
        )
    with robot.timer.timing("finalise"):
        key = f"{robot.definition.id}-{record.id}-v{letter.version}"
        path = letter_path(robot.settings.data_dir, record, key)
        digest = hashlib.sha256(pdf_bytes).hexdigest()
        decision = (
            handed.decision if handed and handed.decision else store.latest_decision(record.id)
        )
        archived = _decision_record(robot, record, decision, letter, path, digest, pdf_bytes, key)
        # written with the batch's others before its commit (flow.py: write_letter_files)
        robot.files.extend([(path, pdf_bytes), (record_path(path), archived)])
        store.update_letter_file(letter.id, str(path), digest)
        store.enqueue(
            case_id=record.id,
            letter_id=letter.id,
            key=key,
            channel=robot.definition.channel.kind,
            target=record.data.get("applicant", {}).get("email") or "",
        )
        result = store.transition(
            record.id,
            CaseState.finalised,
            actor=ROBOT_ACTOR,
            event="finalised",
            data={"letter_id": letter.id, "sha256": digest, "outbox_key": key},
        )
    return result, None


def _decision_record(
    robot: Robot,
    record: CaseRecord,
    decision: DecisionRecord | None,
    letter: LetterRecord,
    path: Path,
    digest: str,
    pdf_bytes: bytes,
    key: str,
) -> bytes:
    """The Noark 5 style decision record beside the letter (runner/archive.py)."""
    if decision is None:
        raise ApplicationError(f"Case {record.id} has no decision to record")
    return record_bytes(
        decision_record(
            case=record,
            letter=letter,
            decision=decision,
            robot=robot.definition,
            settings=robot.settings,
            pdf_path=path,
            sha256=digest,
            size=len(pdf_bytes),
            document_date=today_in_norway(letter.created_at),
            key=key,
        )
    )


class LetterFilesError(ApplicationError):
    """The letter files of a batch could not be written (disk full, permissions)."""


def write_letter_files(files: list[tuple[Path, bytes]]) -> None:
    """Write the letter files of a batch's finalised cases, each whole or not at all."""
    try:
        write_atomic_all(files)
    except OSError as error:
        what = f"letter {files[0][0].stem}" if len(files) <= 2 else f"{len(files) // 2} letters"
        raise LetterFilesError(
            f"Could not store {what} and the decision record: {error.strerror}",
            fix="Check free space and permissions in data_dir.",
        ) from error
