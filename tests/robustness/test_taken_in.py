"""A case just taken in is processed from what intake returned; a resumed one is read back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from runner.errors import ApplicationError
from runner.mapdata import kommune_layers
from runner.pipeline import STORE_STEPS, Pipeline
from runner.run import find_robot, make_pipeline, run_robot
from runner.settings import Settings
from runner.sources.base import RawItem, problem_marker
from runner.steps.context import Handoff
from runner.steps.draft import draft
from runner.steps.evaluate import evaluate
from runner.steps.validate import validate
from runner.store import CaseRecord, CaseState, Store

from .conftest import ROBOT, write_cases


@pytest.fixture
def pipeline(config: Settings, store: Store) -> Pipeline:
    return make_pipeline(config, store, find_robot(config, ROBOT))


def _marker(transient: bool) -> bytes:
    return problem_marker("stor.json", "filen er for stor", "fp-1", transient=transient)


@pytest.mark.parametrize(("transient", "state"), [(False, "quarantined"), (True, "parked")])
def test_an_unread_item_left_received_by_a_crash_is_put_aside_on_resume(
    pipeline: Pipeline, store: Store, transient: bool, state: str
) -> None:
    """Killed between storing the stand-in and putting it aside: process() reads it back."""
    case_id, _ = store.add_raw_item(
        robot_id=ROBOT, source="folder", source_ref="stor.json", content=_marker(transient)
    )
    assert pipeline.resume_ids() == [case_id]
    record = pipeline.process(case_id)
    assert record.state == state and record == store.get_case(case_id)
    assert "filen er for stor" in json.dumps(record.errors) + (record.last_error or "")


def test_a_new_item_whose_content_is_a_marker_is_put_aside(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "stor.json").write_bytes(_marker(False))  # read whole, so no problem is set
    reports: list[Any] = []
    run_robot(config, store, find_robot(config, ROBOT), inbox=inbox, on_case=reports.append)
    (report,) = reports
    assert report.state == "quarantined"
    assert "filen er for stor" in json.dumps(report.errors)


def test_take_in_returns_the_case_as_stored(pipeline: Pipeline, store: Store) -> None:
    fresh = RawItem("folder", "a.json", b'{"n": 1}')
    record, created = pipeline.take_in(fresh)
    assert created and record.state == "received" and record == store.get_case(record.id)
    assert record.event_seq == 1 and record.event_hash == store.events(record.id)[0].hash
    again, created = pipeline.take_in(fresh)
    assert not created and again == record
    unread = RawItem("folder", "b.json", _marker(False), problem="filen er for stor")
    record, created = pipeline.take_in(unread)
    assert created and record.state == "quarantined" and record == store.get_case(record.id)
    assert pipeline.intake(unread) == (record.id, False)


def _run_counting(
    config: Settings, store: Store, tmp_path: Path, count: int, wanted: Callable[[str], bool]
) -> tuple[list[Any], list[str]]:
    """Run the robot over `count` new cases: (their reports, the SQL statements it sent that
    `wanted` picks)."""
    inbox = tmp_path / "inbox"
    write_cases(inbox, count)
    statements: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if wanted(statement):
            statements.append(statement)

    reports: list[Any] = []
    run_robot(config, store, find_robot(config, ROBOT), inbox=inbox, on_case=reports.append)
    return reports, statements


def test_a_run_reads_a_new_case_back_only_to_validate_it(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    """The item is in memory: its case and content are not read again before validation."""
    reports, reads = _run_counting(
        config,
        store,
        tmp_path,
        6,
        lambda sql: sql.startswith("SELECT") and "raw_items.content" in sql.split("FROM")[0],
    )
    assert len(reports) == 6 and {r.state for r in reports} <= {"sent", "pending_review"}
    assert len(reads) == 6  # one read each, by the validate step


def test_a_sent_case_reports_its_newest_outbox_letter_read_once(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    """The send step reads the outbox (it must, to reconcile); the report reuses that read."""
    reports, reads = _run_counting(
        config, store, tmp_path, 12, lambda sql: sql.startswith("SELECT outbox.")
    )
    sent = [report for report in reports if report.state == "sent"]
    assert sent and len(reads) == len(sent)
    for report in sent:
        assert report.letter == store.outbox_for_case(report.case_id)[-1].key + ".pdf"


def test_the_outbox_key_is_only_reused_for_the_cases_just_sent(pipeline: Pipeline) -> None:
    assert pipeline.sent_outbox_key(1) is None
    pipeline._newest_outbox = {1: "byggesak-smatiltak-1-v1"}
    assert pipeline.sent_outbox_key(1) == "byggesak-smatiltak-1-v1"
    assert pipeline.sent_outbox_key(2) is None
    pipeline.process_batch([])  # a new batch forgets the last one's
    assert pipeline.sent_outbox_key(1) is None


def test_no_step_reads_back_the_decision_or_letter_the_step_before_it_stored(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    """Draft and finalise take the decision and letter as the previous step stored them;
    only the send step reads the letter (it must: it may be resuming)."""
    reports, reads = _run_counting(
        config,
        store,
        tmp_path,
        12,
        lambda sql: sql.startswith(("SELECT decisions.", "SELECT letters.")),
    )
    sent = [report for report in reports if report.state == "sent"]
    assert sent and {report.state for report in reports} <= {"sent", "pending_review"}
    assert [sql for sql in reads if sql.startswith("SELECT decisions.")] == []
    assert len(reads) == len(sent)  # outbox_and_letter, once per sent case


def test_what_a_step_hands_on_is_what_the_store_holds(
    config: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every handed-on case, decision and letter equals the store's (the case: what its
    stored data validates to, and dumps to that data), read when it is used."""
    used: list[str] = []

    def checked(step: Any) -> Any:
        def run(robot: Any, record: CaseRecord, base: Any, handed: Handoff | None) -> Any:
            if handed is not None:
                assert handed.for_record(record)
                if handed.case is not None:
                    stored = store.get_case(record.id).data
                    assert handed.case == robot.case_model.model_validate(stored)
                    assert handed.case.model_dump(mode="json") == stored
                else:
                    assert handed.decision == store.latest_decision(record.id)
                if handed.letter is not None:
                    assert handed.letter == store.latest_letter(record.id)
                used.append(record.state)
            return step(robot, record, base, handed)

        return run

    for state, step in list(STORE_STEPS.items()):
        monkeypatch.setitem(STORE_STEPS, state, checked(step))
    inbox = tmp_path / "inbox"
    write_cases(inbox, 12)
    run_robot(config, store, find_robot(config, ROBOT), inbox=inbox)
    assert used.count("validated") == used.count("evaluated") == 12 and "approved" in used


def test_a_handoff_is_used_only_for_the_record_it_was_made_for(
    pipeline: Pipeline, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handoff of another case, or of an older version of this one, is not for the
    record: the step is given none and reads from the store."""
    inbox = tmp_path / "inbox"
    write_cases(inbox, 1)
    item = RawItem("folder", "x.json", next(inbox.iterdir()).read_bytes(), base_dir=inbox)
    record, _ = pipeline.take_in(item)
    robot = pipeline.parts()
    with store.unit():
        record, _ = validate(robot, record, inbox, None)
        record, handoff = evaluate(robot, record, inbox, None)
    assert handoff is not None and handoff.for_record(record)
    decision = handoff.decision
    assert not Handoff(record.id + 1, record.version, decision).for_record(record)
    assert not Handoff(record.id, record.version - 1, decision).for_record(record)
    given: list[Handoff | None] = []

    def drafting(robot: Any, record: CaseRecord, base: Any, handed: Handoff | None) -> Any:
        given.append(handed)
        return draft(robot, record, base, handed)

    monkeypatch.setitem(STORE_STEPS, CaseState.evaluated, drafting)
    pipeline.process(record.id, base_dir=inbox)  # resumed: nothing handed on
    assert given == [None]


def test_a_case_whose_steps_fail_hands_nothing_on(
    pipeline: Pipeline, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a step hands on reaches only its case's next step while its savepoint stands:
    a rolled-back decision must never reach the next step, nor another case."""
    inbox = tmp_path / "inbox"
    write_cases(inbox, 1)
    item = RawItem("folder", "x.json", next(inbox.iterdir()).read_bytes(), base_dir=inbox)
    record, _ = pipeline.take_in(item)

    def failing_draft(robot: Any, record: CaseRecord, base: Any, handed: Any) -> Any:
        assert handed is not None  # evaluate's decision, for this case
        raise ApplicationError("the draft failed after the decision was stored")

    monkeypatch.setitem(STORE_STEPS, CaseState.evaluated, failing_draft)
    with store.unit(), pytest.raises(ApplicationError):
        pipeline._store_steps(pipeline.parts(), record, inbox)
    assert store.get_case(record.id).state == "received"
    assert store.latest_decision(record.id) is None


def test_a_batch_of_new_cases_is_validated_evaluated_and_drafted_in_one_transaction(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    """Intake of each item, then the store steps of all in one commit; sending as before."""
    reports, begins = _run_counting(
        config, store, tmp_path, 12, lambda sql: sql.startswith("BEGIN IMMEDIATE")
    )
    review = sum(report.state == "pending_review" for report in reports)
    sent = sum(report.state == "sent" for report in reports)
    assert review and sent and review + sent == 12
    # intake of each, one batch; a sent case also: mark sending, sent
    assert len(begins) == 12 + 1 + 2 * sent
    for report in reports:
        kinds = [event.kind for event in store.events(report.case_id)]
        assert kinds[:4] == ["received", "validated", "evaluated", "drafted"]


def test_when_a_step_fails_the_case_is_rolled_back_and_retried(
    config: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure rolls back the case's savepoint: the case is retried, and ends with one
    set of rows and events, as if the failed attempt had not been made."""
    failed: set[int] = set()

    def once(robot: Any, record: CaseRecord, base: Any, handed: Any) -> Any:
        if record.id not in failed:
            failed.add(record.id)
            raise ApplicationError("the disk hiccuped")
        return draft(robot, record, base, handed)

    monkeypatch.setitem(STORE_STEPS, CaseState.evaluated, once)
    inbox = tmp_path / "inbox"
    write_cases(inbox, 6)
    reports: list[Any] = []
    run_robot(config, store, find_robot(config, ROBOT), inbox=inbox, on_case=reports.append)
    assert len(failed) == 6 and {r.state for r in reports} <= {"sent", "pending_review"}
    for report in reports:
        kinds = [event.kind for event in store.events(report.case_id)]
        assert kinds[:4] == ["received", "validated", "evaluated", "drafted"]
        letters = 0 if report.outcome == "til_vurdering" else 1  # til_vurdering: none yet
        assert kinds.count("evaluated") == 1 and len(store.letters(report.case_id)) == letters
    assert store.verify_audit() == []


def test_a_batch_finds_its_kommunes_map_data_once(
    config: Settings, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facts step looks up the kommune's map layers once per batch (every case of the
    batch is checked against the same files), and the next batch looks at the files again."""
    looked_up: list[Path] = []

    def counted(settings: Any, map_dir: Path) -> Any:
        looked_up.append(map_dir)
        return kommune_layers(settings, map_dir)

    monkeypatch.setattr("runner.steps.context.kommune_layers", counted)
    inbox = tmp_path / "inbox"
    reports: list[Any] = []
    write_cases(inbox, 6)
    run_robot(config, store, find_robot(config, ROBOT), inbox=inbox, on_case=reports.append)
    assert len(looked_up) == 1
    write_cases(inbox, 3, prefix="KU")
    run_robot(config, store, find_robot(config, ROBOT), inbox=inbox, on_case=reports.append)
    cases = {report.case_id for report in reports}  # the second run reports the first's too
    assert len(looked_up) == 2 and len(cases) == 9
    for case_id in cases:
        data = store.get_case(case_id).data
        assert data["map_facts"]["unresolved"] == {}
        assert any(item["source"] == "kartdata" for item in data["verified"])
