"""Cases through the robot in batches: validate, evaluate, draft, finalise, send.

One way for every case, new or resumed, from a run or a worker: `Pipeline.process_batch`.

1. The store steps (validate, evaluate, draft, finalise: nothing leaves the machine) of all
   the batch's cases run in one store transaction (`Store.unit`), committed once. Each case
   runs in its own SAVEPOINT (`Store.savepoint`): when one of its steps fails, only that
   case's writes are rolled back, and it is retried from where it was, then quarantined
   (a business error) or parked (an application error, or a bug) like any case.
2. Then the letters are sent, one case after the other, each on record in the outbox before
   the channel is called and marked sent after (`_send`): a crash never sends one twice.

A crash before the batch's commit loses only work: every case is still where it was and is
taken up again (`resume_ids`). The transaction per batch instead of per step is where the
speed comes from (one commit, one BEGIN for fifty cases' twenty-odd statements each).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from runner import metrics
from runner.archive import decision_record, record_bytes, record_path
from runner.channels.base import Channel, Delivery, Letter
from runner.deadlines import case_deadline
from runner.drafting import letter_context
from runner.errors import (
    ApplicationError,
    BusinessError,
    CaseInterruptedError,
    CaseValidationError,
    FieldProblem,
    IllegalTransitionError,
    NotFoundError,
    SourceError,
    StoreError,
    UnreadableItemError,
)
from runner.files import write_atomic_all
from runner.kommuner.settings import KommuneSettings
from runner.letterfiles import letter_path, letters_dir, render_letter_pdf, today_in_norway
from runner.letters import LetterTemplates, PdfRenderer, appeal_deadline
from runner.logs import get_logger
from runner.models.registry import CASE_MODELS, decision_date
from runner.models.robot import RobotDefinition
from runner.redaction import personal_data_scope
from runner.rules import RuleSetCatalog, evaluate
from runner.settings import Settings
from runner.sources.base import RawItem, read_marker
from runner.sources.boundary import redacted_trace
from runner.sources.convert import read_case
from runner.store import CaseRecord, CaseState, Store
from runner.store.records import DecisionRecord, LetterRecord

log = get_logger("saksrobot.pipeline")
T = TypeVar("T")

ROBOT_ACTOR = "robot"


@dataclass
class StageTimer:
    """Milliseconds spent per stage, for the run summary and benchmarks."""

    totals: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.totals[stage] = self.totals.get(stage, 0.0) + seconds


@dataclass(frozen=True, slots=True)
class _Handoff:
    """What a step stored that the case's next step reads: kept so it need not be read back.

    Valid only for the case record the step returned (`for_record`): any other record of
    the case (resumed after a crash, approved by a caseworker, changed by anyone else)
    has another version, and the next step reads from the store as usual. The records are
    the rows as the database returned them on insert, not copies made in Python, so both
    ways give the same letter and decision record.
    """

    case_id: int
    version: int
    decision: DecisionRecord
    letter: LetterRecord | None = None

    def for_record(self, record: CaseRecord) -> bool:
        """Whether this was handed on for exactly this record (case and version)."""
        return self.case_id == record.id and self.version == record.version


#: States whose next step changes nothing outside the store but the letter files: a
#: batch takes these steps of all its cases in one transaction.
_STORE_STEPS = (CaseState.received, CaseState.validated, CaseState.evaluated, CaseState.approved)

#: Cases per batch, when the caller has that many at hand.
BATCH_SIZE = 50

#: How often a case may cut its processing short while processed alone (the run or the
#: worker died holding it) before it is parked instead of taken up again. The first time
#: it may have been another case of its batch: from then on it is processed alone.
INTERRUPTION_LIMIT = 2


class _Unprovable(ApplicationError):
    """A letter's delivery can be proven neither way: a human decides, retrying cannot help."""


class _Unreadable(SourceError):
    """The source could not read an item whole and gave up retrying: parked at once."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often an application error is retried before the case is parked for a human."""

    attempts: int = 3
    first_delay: float = 0.2
    factor: float = 2.0


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
        channel: Channel,
        retry: RetryPolicy | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.robot = robot
        self.catalog = catalog
        self.templates = templates
        self.pdf = pdf
        self.channel = channel
        self.retry = retry or RetryPolicy(
            attempts=settings.retry_attempts, first_delay=settings.retry_delay_seconds
        )
        self.clock = clock or (lambda: datetime.now(UTC))
        self.timer = StageTimer()
        self.case_model = CASE_MODELS[robot.case_model]
        self.letters_dir = letters_dir(settings.data_dir)
        self._newest_outbox: dict[int, str] = {}  # case id → key, of the batch: sent_outbox_key
        self._handoff: _Handoff | None = None  # from the case's step before (_handed)
        self._staged: _Handoff | None = None  # the running step's, handed on if it succeeds

    # -- intake -------------------------------------------------------------------------

    def intake(self, item: RawItem) -> tuple[int, bool]:
        """Store the raw item (idempotent by content hash); return (case id, is new)."""
        record, created = self.take_in(item)
        return record.id, created

    def take_in(self, item: RawItem) -> tuple[CaseRecord, bool]:
        """intake, returning the case as it now is, so the caller need not read it back."""
        started = time.perf_counter()
        record, created = self._with_retry(
            lambda: self.store.receive(
                robot_id=self.robot.id,
                source=item.source,
                source_ref=item.source_ref,
                content=item.content,
                origin=str(item.base_dir / item.source_ref)
                if item.source == "folder" and item.base_dir is not None
                else None,
            )
        )
        self.timer.add("intake", time.perf_counter() - started)
        if created and item.problem is not None:
            problem, transient = item.problem, item.transient
            record = self._unread_item(record.id, item.source_ref, problem, transient=transient)
        return record, created

    def _unread_item(
        self, case_id: int, source_ref: str, problem: str, *, transient: bool
    ) -> CaseRecord:
        """An item the source could not read whole: parked if it may pass, else quarantined."""
        record = self.store.get_case(case_id)
        error = _unread_error(case_id, source_ref, problem, transient=transient)
        if isinstance(error, BusinessError):
            return self._quarantine(record, error)
        return self._park(record, error)

    # -- the state machine ----------------------------------------------------------------

    def process(self, case_id: int, *, base_dir: Path | None = None) -> CaseRecord:
        """Move a case forward until it rests (sent, waiting for review, quarantined, parked)."""
        return self.process_batch([(self.store.get_case(case_id), base_dir)])[0]

    def process_taken_in(
        self, record: CaseRecord, content: bytes, *, base_dir: Path | None = None
    ) -> CaseRecord:
        """process() for a case as take_in returned it: it is not read back first.

        (`content` is what it was made from; the validate step reads it with its lock.)
        """
        return self.process_batch([(record, base_dir)])[0]

    def process_batch(self, batch: Sequence[tuple[CaseRecord, Path | None]]) -> list[CaseRecord]:
        """Move every case (with the folder its attachments must be in) until it rests:
        their store steps in one transaction, then their letters sent one by one.

        Returns the cases as they now are, in the same order. A case another worker has
        taken over meanwhile is left as it is (its record as read back).
        """
        self._newest_outbox = {}
        started = time.perf_counter()
        with self.store.unit():
            stored = [self._settle(record, base) for record, base in batch]
        # only one clock for the whole batch's store steps: each case gets its share
        share = (time.perf_counter() - started) / max(len(batch), 1)
        done: list[CaseRecord] = []
        for record in stored:
            sent_from = time.perf_counter()
            if record.state == CaseState.finalised:
                record = self._settle(record, None)
            seconds = share + time.perf_counter() - sent_from
            metrics.PROCESSING_SECONDS.labels(self.robot.id).observe(seconds)
            done.append(record)
        return done

    def process_resumed(
        self, batch: Sequence[tuple[CaseRecord, Path | None]], *, counted: bool = False
    ) -> list[CaseRecord]:
        """process_batch for cases taken up again after their processing was cut short.

        Each is counted as interrupted first (committed before it is processed; `counted`
        if the caller did, as a worker's claim does for a lease it takes over). A case cut
        short before is processed alone, so it cannot take a batch down with it, and once
        cut short more than INTERRUPTION_LIMIT times it is parked for a human instead: a
        case that kills the robot stops it only that often, never forever.
        """
        done: dict[int, CaseRecord] = {}
        fresh = [(record, base) for record, base in batch if record.interruptions == 0]
        if fresh:
            if not counted:
                bases = {record.id: base for record, base in fresh}
                now = self.store.count_interruption(list(bases))
                fresh = [(record, bases[record.id]) for record in now]
            done.update((record.id, record) for record in self.process_batch(fresh))
        for record, base in batch:
            if record.interruptions == 0:
                continue
            if not counted:
                (record,) = self.store.count_interruption([record.id])
            if record.interruptions > INTERRUPTION_LIMIT:
                done[record.id] = self._park_interrupted(record)
            else:
                done[record.id] = self.process_batch([(record, base)])[0]
        return [done[record.id] for record, _ in batch if record.id in done]

    def _park_interrupted(self, record: CaseRecord) -> CaseRecord:
        times = record.interruptions
        log.warning("case_interrupted_too_often", case_id=record.id, times=times)
        metrics.ERRORS.labels(self.robot.id, CaseInterruptedError.kind).inc()
        error = CaseInterruptedError(
            f"behandlingen av saken ble avbrutt {times} ganger (roboten stoppet mens den "
            f"behandlet saken, i tilstand '{record.state}'); saken er satt til side så den "
            "ikke stopper flere kjøringer",
            fix=f"gi driftsansvarlig saksnummeret {record.id} (loggen viser hvor det stoppet), "
            f"rett årsaken og kjør saksrobot cases retry {record.id}",
        )
        try:
            return self._park(record, error)
        except IllegalTransitionError:  # changed meanwhile (e.g. a lost lease)
            return self.store.get_case(record.id)

    def _settle(self, record: CaseRecord, base_dir: Path | None) -> CaseRecord:
        """Take the case's next steps (its store steps, or sending), retried when they fail
        for want of something outside (ApplicationError), and on failure put it aside:
        quarantined (BusinessError) or parked (ApplicationError, or an unexpected error)."""
        try:
            try:
                if record.state == CaseState.finalised:
                    return self._with_retry(lambda: self._send(record))
                if record.state in _STORE_STEPS:
                    return self._with_retry(lambda: self._store_steps(record, base_dir))
                return record
            except BusinessError as error:
                metrics.ERRORS.labels(self.robot.id, error.kind).inc()
                return self._quarantine(record, error)
            except ApplicationError as error:
                metrics.ERRORS.labels(self.robot.id, error.kind).inc()
                return self._park(record, error)
            except StoreError:
                raise
            except Exception as error:  # a bug: park the case so it cannot block the others
                # the type and where, never the message: it may quote the case
                log.error(
                    "case_failed",
                    case_id=record.id,
                    exception=type(error).__name__,
                    trace=redacted_trace(error),
                )
                metrics.ERRORS.labels(self.robot.id, "internal").inc()
                return self._park(record, error)
        except IllegalTransitionError as error:  # changed meanwhile (e.g. a lost lease)
            log.warning("case_taken_over", case_id=record.id, error=str(error))
            return self.store.get_case(record.id)

    def _store_steps(self, record: CaseRecord, base_dir: Path | None) -> CaseRecord:
        """Validate, evaluate, draft and finalise, as far as the case goes, in a savepoint
        of the batch's transaction: all of its writes, or (if a step raises) none."""
        steps: dict[str, Callable[[CaseRecord], CaseRecord]] = {
            CaseState.received: lambda r: self._validate(r, base_dir),
            CaseState.validated: self._evaluate,
            CaseState.evaluated: self._draft,
            CaseState.approved: self._finalise,
        }
        self._handoff = None
        try:
            with self.store.savepoint():
                while record.state in steps:
                    self._staged = None
                    record = steps[record.state](record)
                    self._handoff = self._staged  # seen only by this case's next step
        finally:
            self._handoff = self._staged = None  # it may name rows rolled back
        return record

    def _validate(self, record: CaseRecord, base_dir: Path | None) -> CaseRecord:
        started = time.perf_counter()
        raw, content = self.store.raw_item_and_content(record.id, lock=True)
        marker = read_marker(content)
        if marker is not None:  # the source could not read the item whole
            problem, transient = marker
            raise _unread_error(record.id, raw.source_ref, problem, transient=transient)
        case = read_case(self.robot.source, raw, content, self.robot.case_model)
        self._check_attachments(raw.source_ref, case, base_dir)
        kommunenummer = getattr(case, "kommunenummer", None)
        if not self.settings.serves(kommunenummer):
            raise CaseValidationError(
                raw.source_ref,
                [
                    FieldProblem(
                        "kommunenummer",
                        f"kommune {kommunenummer} betjenes ikke av denne installasjonen",
                        f"send saken til riktig kommune, eller legg {kommunenummer} til "
                        "i innstillingene",
                    )
                ],
            )
        data = case.model_dump(mode="json")
        result = self.store.transition(
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
        self.timer.add("validate", time.perf_counter() - started)
        return result

    def _check_attachments(self, source_ref: str, case: BaseModel, base_dir: Path | None) -> None:
        attachments = getattr(case, "attachments", None) or []
        if base_dir is None or not attachments:
            return
        root = base_dir.resolve()
        problems = []
        for index, attachment in enumerate(attachments):
            candidate = base_dir / attachment.file
            resolved = candidate.resolve()
            if not resolved.is_relative_to(root):
                problems.append(
                    FieldProblem(
                        f"attachments[{index}].file",
                        "vedlegget peker ut av innboksen (via en symbolsk lenke eller '..')",
                        "legg vedlegget i innboksen og bruk en relativ sti",
                    )
                )
        if problems:
            raise CaseValidationError(source_ref, problems)

    def _model(self, record: CaseRecord) -> BaseModel:
        return self.case_model.model_validate(record.data)

    def _evaluate(self, record: CaseRecord) -> CaseRecord:
        started = time.perf_counter()
        case = self._model(record)
        on = decision_date(case)
        with personal_data_scope(case, self.case_model):
            try:
                rule_set = self.catalog.get(self.robot.rule_set, on)
            except NotFoundError as error:
                raise CaseValidationError(
                    f"sak {record.reference}",
                    [
                        FieldProblem(
                            "",
                            f"ingen versjon av regelsettet gjelder {on}: {error}",
                            "sjekk datoen på saken eller legg til en regelsett-versjon",
                        )
                    ],
                ) from error
            kommune = self._kommune(record).rule_parameters(record.case_type, on)
            evaluation = evaluate(rule_set, case, on=on, kommune=kommune)
            inputs_hash = _sha256_json(record.data)
            saved = self.store.record_decision(
                record.id, evaluation, inputs_hash=inputs_hash, template_id=None, template_hash=None
            )
            decision = evaluation.decision
            result = self.store.transition(
                record.id,
                CaseState.evaluated,
                actor=ROBOT_ACTOR,
                event="evaluated",
                data={
                    "decision_id": saved.id,
                    "rule_set": f"{evaluation.rule_set_id}@{evaluation.rule_set_version}",
                    "rule_set_hash": evaluation.rule_set_hash,
                    "outcome": decision.outcome,
                    "route": str(decision.route),
                    "reasons": list(decision.reasons),
                },
                outcome=decision.outcome,
                route=str(decision.route),
                reasons=list(decision.reasons),
                urgent=decision.urgent,
            )
        self._staged = _Handoff(result.id, result.version, saved)
        log.debug("case_evaluated", case_id=record.id, outcome=decision.outcome,
                  route=str(decision.route), reasons=list(decision.reasons))
        self.timer.add("evaluate", time.perf_counter() - started)
        return result

    def _kommune(self, record: CaseRecord) -> KommuneSettings:
        """The settings of the case's kommune (the default kommune for a case without one)."""
        return self.settings.kommune_for(record.kommunenummer)

    def _needs_review(self, outcome: str, route: str, kommune: KommuneSettings) -> tuple[bool, str]:
        if route != "auto":
            return True, "regelsettet sender saken til saksbehandler"
        if outcome in self.robot.review.outcomes:
            return True, f"utfallet '{outcome}' skal alltid vurderes av saksbehandler"
        if self.robot.id not in kommune.auto_finalise:
            return True, "kommunen har ikke tillatt automatisk vedtak for denne roboten"
        return False, ""

    def _draft(self, record: CaseRecord) -> CaseRecord:
        started = time.perf_counter()
        handed = self._handed(record)
        decision_record = handed.decision if handed else self.store.latest_decision(record.id)
        if decision_record is None:
            raise ApplicationError(f"Case {record.id} has no decision to draft from")
        evaluation = decision_record.evaluation()
        outcome = evaluation.decision.outcome
        kommune = self._kommune(record)
        review, why = self._needs_review(outcome, str(evaluation.decision.route), kommune)
        template_id = self.robot.letters.get(outcome)
        if template_id is None:
            raise ApplicationError(
                f"Robot {self.robot.id} has no letter for outcome '{outcome}'",
                fix=f"Add '{outcome}: <template>' under letters: in the robot file.",
            )
        malform = kommune.letter_malform(record.data.get("malform"))
        today = today_in_norway(self.clock())
        weeks = int(evaluation.parameters["klagefrist_uker"])
        with personal_data_scope(record.data, self.case_model):
            context = letter_context(
                case=record.data,
                evaluation=evaluation,
                kommune=kommune,
                malform=malform,
                automatic=not review,
                letter_date=today,
                appeal_deadline=appeal_deadline(today, weeks),
                case_type=record.case_type or self.robot.case_model,
                document_rules=self.robot.document_rules,
            )
            draft = self.templates.render(template_id, malform, context)
            # not the title: finding it parses the whole letter again (~1 ms), even unlogged
            log.debug("letter_drafted", case_id=record.id, template=template_id, malform=malform)
        letter = self.store.save_letter(
            case_id=record.id,
            decision_id=decision_record.id,
            malform=malform,
            markdown=draft.markdown,
            pdf_path=None,
            sha256=None,
            created_by=ROBOT_ACTOR,
            template_id=draft.template_id,
            template_hash=draft.template_hash,
        )
        target = CaseState.pending_review if review else CaseState.approved
        result = self.store.transition(
            record.id,
            target,
            actor=ROBOT_ACTOR,
            event="drafted",
            data={
                "letter_id": letter.id,
                "letter_version": letter.version,
                "template_id": draft.template_id,
                "template_hash": draft.template_hash,
                "malform": malform,
                "review": review,
                "review_reason": why,
            },
            deadline=case_deadline(
                self.robot.deadline,
                case=record.data,
                parameters=evaluation.parameters,
                urgent=evaluation.decision.urgent,
                robot_id=self.robot.id,
            ),
        )
        self._staged = _Handoff(result.id, result.version, decision_record, letter)
        self.timer.add("draft", time.perf_counter() - started)
        return result

    def _finalise(self, record: CaseRecord) -> CaseRecord:
        started = time.perf_counter()
        handed = self._handed(record)
        letter = handed.letter if handed and handed.letter else self.store.latest_letter(record.id)
        if letter is None:
            raise ApplicationError(f"Case {record.id} is approved but has no letter")
        pdf_bytes = render_letter_pdf(
            self.pdf,
            record=record,
            letter=letter,
            kommune=self._kommune(record),
            robot=self.robot,
            case_model=self.case_model,
        )
        self.timer.add("pdf", time.perf_counter() - started)
        started = time.perf_counter()
        key = f"{self.robot.id}-{record.id}-v{letter.version}"
        path = letter_path(self.settings.data_dir, record, key)
        digest = hashlib.sha256(pdf_bytes).hexdigest()
        decision = handed.decision if handed else self.store.latest_decision(record.id)
        size = len(pdf_bytes)
        archived = self._decision_record(record, decision, letter, path, digest, size, key)
        try:
            write_atomic_all([(path, pdf_bytes), (record_path(path), archived)])
        except OSError as error:
            raise ApplicationError(
                f"Could not store letter {key} and its decision record: {error.strerror}",
                fix="Check free space and permissions in data_dir.",
            ) from error
        self.store.update_letter_file(letter.id, str(path), digest)
        self.store.enqueue(
            case_id=record.id,
            letter_id=letter.id,
            key=key,
            channel=self.channel.kind,
            target=record.data.get("applicant", {}).get("email") or "",
        )
        result = self.store.transition(
            record.id,
            CaseState.finalised,
            actor=ROBOT_ACTOR,
            event="finalised",
            data={"letter_id": letter.id, "sha256": digest, "outbox_key": key},
        )
        self.timer.add("finalise", time.perf_counter() - started)
        return result

    def _decision_record(
        self,
        record: CaseRecord,
        decision: DecisionRecord | None,
        letter: LetterRecord,
        path: Path,
        digest: str,
        size: int,
        key: str,
    ) -> bytes:
        """The Noark 5 style decision record beside the letter (runner/archive.py)."""
        if decision is None:
            raise ApplicationError(f"Case {record.id} has no decision to record")
        return record_bytes(
            decision_record(
                case=record, letter=letter, decision=decision, robot=self.robot,
                settings=self.settings, pdf_path=path, sha256=digest, size=size,
                document_date=today_in_norway(letter.created_at), key=key,
            )
        )

    def _handed(self, record: CaseRecord) -> _Handoff | None:
        """What the previous step handed on for this very record, taken (used once)."""
        handoff, self._handoff = self._handoff, None
        return handoff if handoff is not None and handoff.for_record(record) else None

    def _send(self, record: CaseRecord) -> CaseRecord:
        started = time.perf_counter()
        marked: str | None = None  # a first letter with nothing to reconcile: on record with
        with self.store.unit():  # the read, as "sending", in one commit
            rows, letter = self.store.outbox_and_letter(record.id)
            pending = [row for row in rows if row.state != "sent"]
            if pending and pending[0].state == "pending" and letter and letter.pdf_path:
                marked = self.store.mark_sending(pending[0].key).key
        if rows:
            self._newest_outbox[record.id] = rows[-1].key
        last_sent: str | None = None  # marked sent together with the case (below)
        for row in pending:
            if last_sent is not None:  # an earlier letter went out: on record before all else
                self.store.mark_sent(last_sent)
                last_sent = None
            if row.state == "needs_human":
                raise _Unprovable(
                    f"Letter {row.key} could not be proven delivered: {row.last_error}",
                    fix="Check the channel by hand, then mark the letter sent or resend it.",
                )
            if row.state == "sending":
                delivery = self.channel.reconcile(row.key)
                if delivery is Delivery.delivered:
                    self.store.mark_sent(row.key)
                    continue
                if delivery is Delivery.unknown:
                    self.store.mark_needs_human(row.key, "leveranse kan ikke bekreftes etter krasj")
                    raise _Unprovable(
                        f"Letter {row.key} was being sent when the robot stopped, and "
                        f"channel '{self.channel.kind}' cannot prove whether it was delivered",
                        fix="Check the channel by hand, then mark the letter sent or resend it.",
                    )
                self.store.mark_pending(row.key, "ikke levert før avbrudd; sendes på nytt")
            if letter is None or letter.pdf_path is None:
                raise ApplicationError(f"Letter for case {record.id} has no PDF")
            if row.key != marked:
                self.store.mark_sending(row.key)
            self.channel.send(
                Letter(
                    key=row.key,
                    pdf_path=Path(letter.pdf_path),
                    reference=record.reference or str(record.id),
                    recipient_email=row.target or None,
                )
            )
            last_sent = row.key
            metrics.LETTERS_SENT.labels(self.robot.id, record.kommunenummer or "").inc()
        result = self._sent(record, last_sent, [row.key for row in pending])
        self.timer.add("send", time.perf_counter() - started)
        return result

    def _sent(self, record: CaseRecord, last_sent: str | None, keys: list[str]) -> CaseRecord:
        """The case is sent: with the last letter marked sent in the same commit (one
        transaction less per letter). If that commit fails, the letter is still marked sent
        on its own before the error goes on: a letter that went out is never left "sending"
        for want of the case's transition (a stop between the two is reconciled as before)."""
        try:
            with self.store.unit():
                if last_sent is not None:
                    self.store.mark_sent(last_sent)
                return self.store.transition(
                    record.id,
                    CaseState.sent,
                    actor=ROBOT_ACTOR,
                    event="sent",
                    data={"channel": self.channel.kind, "keys": keys},
                )
        except Exception:
            if last_sent is not None:
                self.store.mark_sent(last_sent)
            raise

    def sent_outbox_key(self, case_id: int) -> str | None:
        """The key of the case's newest outbox row as the send step just read it, if this
        pipeline's last batch sent the case (else None: ask the store)."""
        return self._newest_outbox.get(case_id)

    # -- failure handling -------------------------------------------------------------------

    def _quarantine(self, record: CaseRecord, error: BusinessError) -> CaseRecord:
        problems = (
            [p.as_dict() for p in error.problems]
            if isinstance(error, CaseValidationError)
            else [FieldProblem("", error.message, error.fix or "").as_dict()]
        )
        log.info("case_quarantined", case_id=record.id, problems=len(problems))
        data: dict[str, Any] = {"errors": problems}
        if isinstance(error, UnreadableItemError):  # for the operator: what failed, and where
            data["exception_type"] = error.exception_type
            data["trace"] = error.trace
        return self.store.transition(
            record.id,
            CaseState.quarantined,
            actor=ROBOT_ACTOR,
            event="quarantined",
            data=data,
            errors=problems,
        )

    def _park(self, record: CaseRecord, error: Exception) -> CaseRecord:
        """Put the case aside for a human; `error` is an ApplicationError or a bug."""
        current = self.store.get_case(record.id)
        shown = str(error) if isinstance(error, ApplicationError) else type(error).__name__
        log.warning("case_parked", case_id=record.id, state=current.state, error=shown)
        data: dict[str, Any]
        if isinstance(error, ApplicationError):
            data = {"from_state": current.state, "error": str(error), "kind": error.kind}
            last_error = str(error)
        else:  # a bug: its type and a traceback without messages (they may quote the case)
            name = type(error).__name__
            data = {
                "from_state": current.state,
                "error": name,
                "kind": "internal",
                "exception_type": name,
                "trace": redacted_trace(error),
            }
            last_error = (
                f"uventet feil i roboten ({name}) i tilstand '{current.state}'; feiltypen "
                f"og sporet står i saksloggen. Gi driftsansvarlig saksnummeret {record.id}, "
                f"og kjør saksrobot cases retry {record.id} når feilen er rettet"
            )
        return self.store.transition(
            record.id,
            CaseState.parked,
            actor=ROBOT_ACTOR,
            event="parked",
            data=data,
            last_error=last_error,
            attempts=current.attempts + 1,
        )

    def _with_retry(self, action: Callable[[], T]) -> T:
        delay = self.retry.first_delay
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return action()
            except ApplicationError as error:
                if attempt == self.retry.attempts or isinstance(error, _Unprovable | _Unreadable):
                    raise
                log.warning("retrying", attempt=attempt, error=error.kind, delay=delay)
            except OSError as error:
                if attempt == self.retry.attempts:
                    raise ApplicationError(
                        f"{error.strerror or error}", fix="Check the disk and permissions."
                    ) from error
                log.warning("retrying", attempt=attempt, error="oserror", delay=delay)
            time.sleep(delay)
            delay *= self.retry.factor
        raise AssertionError("unreachable")

    # -- after a crash ------------------------------------------------------------------------

    def resume_ids(self) -> list[int]:
        """Cases a previous run left half-way (crash, kill): they are finished first."""
        return self.store.cases_to_resume(self.robot.id)


def _unread_error(
    case_id: int, source_ref: str, problem: str, *, transient: bool
) -> _Unreadable | CaseValidationError:
    """Why an item the source could not read whole is parked (transient) or quarantined."""
    if transient:
        return _Unreadable(
            f"{source_ref}: {problem}", fix=f"rett årsaken og kjør saksrobot cases retry {case_id}"
        )
    fix = f"rett filen og kjør saksrobot cases retry {case_id}"
    return CaseValidationError(source_ref, [FieldProblem("", problem, fix)])


def _sha256_json(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
