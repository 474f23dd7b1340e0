"""The validate step: a stored raw item → a validated case (or the item's error)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from runner.errors import CaseValidationError, FieldProblem, SourceError
from runner.logs import get_logger
from runner.problems import problem
from runner.sources.base import Marker, read_marker
from runner.sources.convert import read_case
from runner.steps.context import ROBOT_ACTOR, Handoff, Robot, Step
from runner.steps.facts import gather_facts
from runner.store import CaseRecord, CaseState

log = get_logger("saksrobot.pipeline")


class UnreadError(SourceError):
    """The source could not read an item whole and gave up retrying: parked at once."""


def unread_error(
    case_id: int, source_ref: str, marker: Marker
) -> UnreadError | CaseValidationError:
    """Why an item the source could not read whole is parked (transient) or quarantined: by
    the problems in words the source named, else by its problem in bokmål."""
    if marker.transient:
        return UnreadError(
            f"{source_ref}: {marker.problem}",
            fix=f"rett årsaken og kjør saksrobot cases retry {case_id}",
        )
    fix = f"rett filen og kjør saksrobot cases retry {case_id}"
    return CaseValidationError(
        source_ref, list(marker.problems) or [FieldProblem("", marker.problem, fix)]
    )


def validate(robot: Robot, record: CaseRecord, base_dir: Path | None, _: Handoff | None) -> Step:
    """Read the case from its raw item (locked), check it, and store it as validated."""
    with robot.timer.timing("validate"):
        store = robot.store
        raw, content = store.raw_item_and_content(record.id, lock=True)
        marker = read_marker(content)
        if marker is not None:  # the source could not read the item whole
            raise unread_error(record.id, raw.source_ref, marker)
        definition = robot.definition
        case = read_case(definition.source, raw, content, definition.case_model)
        check_attachments(raw.source_ref, case, base_dir)
        kommunenummer = getattr(case, "kommunenummer", None)
        if not robot.settings.serves(kommunenummer):
            raise CaseValidationError(
                raw.source_ref,
                [problem("kommune_not_served_case", "kommunenummer", kommune=kommunenummer)],
            )
        case = gather_facts(robot, case)
        data = case.model_dump(mode="json")
        result = store.transition(
            record.id,
            CaseState.validated,
            actor=ROBOT_ACTOR,
            event="validated",
            data={"case_type": data.get("case_type")},
            reference=data.get("reference"),
            kommunenummer=kommunenummer,
            case_type=data.get("case_type"),
            case_data=data,
            errors=[],
        )
        log.debug("case_validated", case_id=record.id, source_ref=raw.source_ref)
    return result, Handoff(result.id, result.version, case=case)


def check_attachments(source_ref: str, case: BaseModel, base_dir: Path | None) -> None:
    """Every attachment must lie inside the inbox (no symbolic link or '..' out of it)."""
    attachments = getattr(case, "attachments", None) or []
    if base_dir is None or not attachments:
        return
    root = base_dir.resolve()
    problems = []
    for index, attachment in enumerate(attachments):
        resolved = (base_dir / attachment.file).resolve()
        if not resolved.is_relative_to(root):
            problems.append(problem("attachment_escapes", f"attachments[{index}].file"))
    if problems:
        raise CaseValidationError(source_ref, problems)
