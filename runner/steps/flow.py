"""The state machine: which step follows which state, a batch of cases through it, and what
becomes of a case whose step fails (retried, quarantined or parked).

One way for every case, new or resumed, from a run or a worker: `Pipeline.process_batch`.

1. The store steps (validate, evaluate, draft, finalise) of all the batch's cases run in one
   transaction (`Store.unit`), each case in a SAVEPOINT: a failing case's writes alone are
   rolled back, and it is retried, then quarantined or parked. The batch's letter files
   are written in one go before it commits.
2. Then the letters are sent, one case after the other (runner/steps/send.py).

A crash before the batch's commit loses only work: every case is still where it was and is
taken up again (`process_resumed`: alone if cut short before, parked past a limit).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from runner import metrics
from runner.channels.kommuner import KommuneChannels
from runner.errors import (
    ApplicationError,
    BusinessError,
    CaseInterruptedError,
    IllegalTransitionError,
    StoreError,
)
from runner.letterfiles import letters_dir
from runner.letters import LetterTemplates, PdfRenderer
from runner.logs import get_logger
from runner.models.registry import CASE_MODELS
from runner.models.robot import RobotDefinition
from runner.rules import RuleSetCatalog
from runner.settings import Settings
from runner.sources.base import Marker, RawItem, read_marker
from runner.sources.boundary import redacted_trace
from runner.steps import failures
from runner.steps.context import Handoff, Robot, StageTimer, Step
from runner.steps.draft import draft
from runner.steps.evaluate import evaluate
from runner.steps.failures import RetryPolicy, with_retry
from runner.steps.finalise import LetterFilesError, finalise, write_letter_files
from runner.steps.send import send
from runner.steps.validate import unread_error, validate
from runner.store import CaseRecord, CaseState, Store

log = get_logger("saksrobot.pipeline")
T = TypeVar("T")

#: The store steps (nothing leaves the machine but the letter files), by the state they
#: take a case from: a batch takes these steps of all its cases in one transaction.
STORE_STEPS: dict[str, Callable[[Robot, CaseRecord, Path | None, Handoff | None], Step]] = {
    CaseState.received: validate,
    CaseState.validated: evaluate,
    CaseState.evaluated: draft,
    CaseState.approved: finalise,
}

#: Cases per batch, when the caller has that many at hand.
BATCH_SIZE = 50

#: How often a case may cut its processing short while processed alone (the run or the
#: worker died holding it) before it is parked instead of taken up again. The first time
#: it may have been another case of its batch: from then on it is processed alone.
INTERRUPTION_LIMIT = 2


class Pipeline:
    """Drives cases of one robot through the state machine, a batch at a time."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        robot: RobotDefinition,
        catalog: RuleSetCatalog,
        templates: LetterTemplates,
        pdf: PdfRenderer,
        channels: KommuneChannels,
        retry: RetryPolicy | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings, self.store, self.robot = settings, store, robot
        self.catalog, self.templates, self.pdf = catalog, templates, pdf
        self.channels = channels  # one per kommune, kept across batches
        self.retry = retry or RetryPolicy(
            attempts=settings.retry_attempts, first_delay=settings.retry_delay_seconds
        )
        self.clock = clock or (lambda: datetime.now(UTC))
        self.timer = StageTimer()
        self.case_model = CASE_MODELS[robot.case_model]
        self.letters_dir = letters_dir(settings.data_dir)
        self._newest_outbox: dict[int, str] = {}  # case id → key, of the batch: sent_outbox_key

    def parts(self) -> Robot:
        """What the steps are given besides the case (as this pipeline now is)."""
        return Robot(
            self.settings, self.store, self.robot, self.catalog, self.templates, self.pdf,
            self.channels, self.clock, self.timer, self.case_model, self.letters_dir,
        )  # fmt: skip

    # -- intake -------------------------------------------------------------------------

    def intake(self, item: RawItem) -> tuple[int, bool]:
        """Store the raw item (idempotent by content hash); return (case id, is new)."""
        record, created = self.take_in(item)
        return record.id, created

    def take_in(self, item: RawItem) -> tuple[CaseRecord, bool]:
        """intake, returning the case as it now is, so the caller need not read it back."""
        origin = None
        if item.source == "folder" and item.base_dir is not None:
            origin = str(item.base_dir / item.source_ref)
        with self.timer.timing("intake"):
            record, created = self._with_retry(
                lambda: self.store.receive(
                    robot_id=self.robot.id,
                    source=item.source,
                    source_ref=item.source_ref,
                    content=item.content,
                    origin=origin,
                )
            )
        if created and item.problem is not None:  # not read whole: parked if it may pass
            marker = read_marker(item.content) or Marker(item.problem, item.transient)
            error = unread_error(record.id, item.source_ref, marker)
            record = self.store.get_case(record.id)
            if isinstance(error, BusinessError):
                record = failures.quarantine(self.store, record, error, self.robot.source)
            else:
                record = failures.park(self.store, record, error, self.robot.source)
        return record, created

    # -- the state machine ----------------------------------------------------------------

    def process(self, case_id: int, *, base_dir: Path | None = None) -> CaseRecord:
        """Move a case forward until it rests (sent, waiting for review, quarantined, parked)."""
        return self.process_batch([(self.store.get_case(case_id), base_dir)])[0]

    def process_taken_in(
        self, record: CaseRecord, content: bytes, *, base_dir: Path | None = None
    ) -> CaseRecord:  # process() for a case as take_in returned it (not read back first)
        return self.process_batch([(record, base_dir)])[0]

    def process_batch(
        self, batch: Sequence[tuple[CaseRecord, Path | None]], *, counting: bool = False
    ) -> list[CaseRecord]:
        """Move every case (with the folder its attachments must be in) until it rests:
        their store steps in one transaction, then their letters sent one by one.

        Returns the cases as they now are, in the same order. A case another worker has
        taken over meanwhile is left as it is (its record as read back). With `counting`
        (cases taken up again: `process_resumed`), each case is counted as interrupted
        when its part begins (the batch's store steps, its own sending), on record before.
        """
        robot = self.parts()
        self._newest_outbox = {}
        started = time.perf_counter()
        if counting:
            taken = self._take_up([record for record, _ in batch if record.state in STORE_STEPS])
            batch = [(taken.get(record.id, record), base) for record, base in batch]
        try:
            if len(batch) > 1:
                stored = self._store_phase(robot, batch)
            else:
                stored = self._with_retry(lambda: self._store_phase(robot, batch))
        except LetterFilesError as error:
            if len(batch) > 1:  # whose files could not be written: each case alone tells
                return [self.process_batch([one])[0] for one in batch]
            return [self._put_aside_unless_moved(batch[0][0], error)]
        # only one clock for the whole batch's store steps: each case gets its share
        share = (time.perf_counter() - started) / max(len(batch), 1)
        done: list[CaseRecord] = []
        for record in stored:
            sent_from = time.perf_counter()
            if counting and record.state == CaseState.finalised:
                record = self._take_up([record])[record.id]
            if record.state == CaseState.finalised:
                record = self._settle(robot, record, None)
            seconds = share + time.perf_counter() - sent_from
            metrics.PROCESSING_SECONDS.labels(self.robot.id).observe(seconds)
            done.append(record)
        return done

    def process_resumed(
        self, batch: Sequence[tuple[CaseRecord, Path | None]], *, counted: bool = False
    ) -> list[CaseRecord]:
        """process_batch for cases taken up again after their processing was cut short,
        counted as interrupted (`counted`: the caller did, as a worker's claim does for a
        lease it takes over). A case cut short before is processed alone, and first (it
        cannot take others down with it), and parked once cut short too often."""
        done: dict[int, CaseRecord] = {}
        for record, base in batch:
            if record.interruptions == 0:
                continue
            if counted and record.interruptions > INTERRUPTION_LIMIT:
                done[record.id] = self._park_interrupted(record)
            else:
                done[record.id] = self.process_batch([(record, base)], counting=not counted)[0]
        fresh = [(record, base) for record, base in batch if record.interruptions == 0]
        if fresh:
            done.update((r.id, r) for r in self.process_batch(fresh, counting=not counted))
        return [done[record.id] for record, _ in batch if record.id in done]

    def _take_up(self, records: list[CaseRecord]) -> dict[int, CaseRecord]:
        """Count the cases as interrupted, committed before they are processed (a move
        resets it); one cut short more than INTERRUPTION_LIMIT times is parked instead."""
        counted = self.store.count_interruption([record.id for record in records])
        return {
            record.id: self._park_interrupted(record)
            if record.interruptions > INTERRUPTION_LIMIT
            else record
            for record in counted
        }

    def _settle(self, robot: Robot, record: CaseRecord, base_dir: Path | None) -> CaseRecord:
        """Take the case's next steps (its store steps, or sending), retried when they fail
        for want of something outside, and on failure put it aside (`_put_aside`)."""
        try:
            try:
                if record.state == CaseState.finalised:
                    sent, newest = self._with_retry(lambda: send(robot, record))
                    if newest is not None:
                        self._newest_outbox[record.id] = newest
                    return sent
                if record.state in STORE_STEPS:
                    return self._with_retry(lambda: self._store_steps(robot, record, base_dir))
                return record
            except StoreError:
                raise
            except Exception as error:
                return self._put_aside(record, error)
        except IllegalTransitionError as error:  # changed meanwhile (e.g. a lost lease)
            log.warning("case_taken_over", case_id=record.id, error=str(error))
            return self.store.get_case(record.id)

    def _store_phase(
        self, robot: Robot, batch: Sequence[tuple[CaseRecord, Path | None]]
    ) -> list[CaseRecord]:
        """The batch's store steps in one transaction, its letter files written (all in one
        go) before it commits: a case is never finalised without its files on disk."""
        robot.files.clear()
        with self.store.unit():
            stored = [self._settle(robot, record, base) for record, base in batch]
            if robot.files:
                with self.timer.timing("finalise"):
                    write_letter_files(robot.files)
        return stored

    def _store_steps(self, robot: Robot, record: CaseRecord, base_dir: Path | None) -> CaseRecord:
        """Validate, evaluate, draft and finalise, as far as the case goes, in a savepoint
        of the batch's transaction: all of its writes, or (if a step raises) none."""
        handoff: Handoff | None = None  # seen only by this case's next step
        files = len(robot.files)
        try:
            with self.store.savepoint():
                while (step := STORE_STEPS.get(record.state)) is not None:
                    handed = handoff if handoff and handoff.for_record(record) else None
                    record, handoff = step(robot, record, base_dir, handed)
        except BaseException:
            del robot.files[files:]  # rolled back: its files are not to be written
            raise
        return record

    def sent_outbox_key(self, case_id: int) -> str | None:
        """The key of the case's newest outbox row as the send step just read it, if this
        pipeline's last batch sent the case (else None: ask the store)."""
        return self._newest_outbox.get(case_id)

    # -- failure handling -------------------------------------------------------------------

    def _put_aside(self, record: CaseRecord, error: Exception) -> CaseRecord:
        """Quarantine (BusinessError) or park (ApplicationError, or a bug) the case."""
        if isinstance(error, BusinessError):
            metrics.ERRORS.labels(self.robot.id, error.kind).inc()
            return failures.quarantine(self.store, record, error, self.robot.source)
        if isinstance(error, ApplicationError):
            metrics.ERRORS.labels(self.robot.id, error.kind).inc()
        else:  # a bug: the type and where, never the message (it may quote the case)
            trace = redacted_trace(error)
            log.error("case_failed", case_id=record.id, exception=type(error).__name__, trace=trace)
            metrics.ERRORS.labels(self.robot.id, "internal").inc()
        return failures.park(self.store, record, error, self.robot.source)

    def _park_interrupted(self, record: CaseRecord) -> CaseRecord:
        log.warning("case_interrupted_too_often", case_id=record.id, times=record.interruptions)
        return self._put_aside_unless_moved(record, failures.interrupted(record))

    def _put_aside_unless_moved(self, record: CaseRecord, error: Exception) -> CaseRecord:
        try:
            return self._put_aside(record, error)
        except IllegalTransitionError:  # changed meanwhile (e.g. a lost lease)
            return self.store.get_case(record.id)

    def _with_retry(self, action: Callable[[], T]) -> T:
        return with_retry(self.retry, action)

    # -- after a crash ------------------------------------------------------------------------

    def resume_ids(self) -> list[int]:
        """Cases a previous run left half-way (crash, kill): they are finished first."""
        return self.store.cases_to_resume(self.robot.id)


__all__ = ["BATCH_SIZE", "INTERRUPTION_LIMIT", "CaseInterruptedError", "Pipeline", "RetryPolicy"]
