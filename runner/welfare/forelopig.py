"""Foreløpig svar (forvaltningsloven § 11 a): a letter to cases waiting for review over a month.

Each case gets it once: the outbox key `<robot>-<case id>-forelopig-svar` is unique, and a
row already there is resumed (or left alone when sent), never sent again. The letter is
stored as a version of the case's letters (created_by `robot-forelopig-svar`); right after
it, the decision draft is stored again as the newest version, so the caseworker still
approves the draft.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from runner.channels.base import Channel, Delivery, Letter
from runner.drafting import letter_context
from runner.errors import ApplicationError
from runner.files import write_atomic
from runner.letterfiles import letter_path, render_letter_pdf, today_in_norway
from runner.letters import LetterTemplates, PdfRenderer, appeal_deadline
from runner.logs import get_logger
from runner.models.registry import CASE_MODELS
from runner.models.robot import RobotDefinition
from runner.redaction import personal_data_scope
from runner.settings import Settings
from runner.store import CaseRecord, CaseState, Store
from runner.store.records import LetterRecord

log = get_logger("saksrobot.forelopig")
ACTOR = "robot"
#: `created_by` of a stored foreløpig svar, which tells it apart from the decision draft.
LETTER_AUTHOR = "robot-forelopig-svar"
LETTER = "forelopig_svar"


@dataclass(frozen=True)
class ForelopigResult:
    """What happened to one waiting case."""

    case_id: int
    reference: str | None
    received: date
    action: str  # "sent", "would_send", "already_sent", "resumed"
    key: str


def one_month_after(day: date) -> date:
    """The same day a month later (the month's last day when it has no such day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def outbox_key(robot_id: str, case_id: int) -> str:
    """The one outbox key a case's foreløpig svar may have."""
    return f"{robot_id}-{case_id}-forelopig-svar"


class ForelopigSvar:
    """Drafts, stores and sends foreløpig svar for one robot's long-waiting cases."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        robot: RobotDefinition,
        *,
        templates: LetterTemplates,
        pdf: PdfRenderer,
        channel: Channel,
    ) -> None:
        self.settings = settings
        self.store = store
        self.robot = robot
        self.templates = templates
        self.pdf = pdf
        self.channel = channel
        self.template_id = f"{robot.case_model}/{LETTER}"

    def waiting(self, today: date) -> list[CaseRecord]:
        """Cases in pending_review received more than a month before `today`."""
        records = self.store.list_cases(
            state=CaseState.pending_review, robot_id=self.robot.id, limit=100_000
        )
        return [r for r in records if one_month_after(_received(r)) < today]

    def run(self, now: datetime, *, dry_run: bool = False) -> list[ForelopigResult]:

        today = today_in_norway(now)
        results: list[ForelopigResult] = []
        for record in self.waiting(today):
            key = outbox_key(self.robot.id, record.id)
            rows = [row for row in self.store.outbox_for_case(record.id) if row.key == key]
            if rows and rows[0].state == "sent":
                action = "already_sent"
            elif dry_run:
                action = "would_send"
            elif rows:
                self._deliver(record, key, self.store.letter(rows[0].letter_id))
                action = "resumed"
            else:
                self._deliver(record, key, self._draft(record, today))
                action = "sent"
            results.append(ForelopigResult(record.id, record.reference, _received(record),
                                           action, key))  # fmt: skip
        return results

    def _draft(self, record: CaseRecord, today: date) -> LetterRecord:
        decision = self.store.latest_decision(record.id)
        draft = self._decision_draft(record.id)
        if decision is None or draft is None:
            raise ApplicationError(
                f"Case {record.id} in pending_review has no decision or draft letter",
                fix="Run the robot on the case again (saksrobot cases) before a foreløpig svar.",
            )
        evaluation = decision.evaluation()
        kommune = self.settings.kommune_for(record.kommunenummer)
        malform = draft.malform
        weeks = int(evaluation.parameters.get("klagefrist_uker", 3))
        with personal_data_scope(record.data, CASE_MODELS[self.robot.case_model]):
            context = letter_context(
                case=record.data,
                evaluation=evaluation,
                kommune=kommune,
                malform=malform,
                automatic=True,
                letter_date=today,
                appeal_deadline=appeal_deadline(today, weeks),
                case_type=record.case_type or self.robot.case_model,
                document_rules=self.robot.document_rules,
            )
            rendered = self.templates.render(self.template_id, malform, context)
        letter = self.store.save_letter(
            case_id=record.id, decision_id=decision.id, malform=malform,
            markdown=rendered.markdown, pdf_path=None, sha256=None, created_by=LETTER_AUTHOR,
            template_id=rendered.template_id, template_hash=rendered.template_hash,
        )  # fmt: skip
        # The decision draft stays the newest version: that is what the caseworker approves.
        self.store.save_letter(
            case_id=record.id, decision_id=draft.decision_id, malform=draft.malform,
            markdown=draft.markdown, pdf_path=None, sha256=None, created_by=ACTOR,
            template_id=draft.template_id, template_hash=draft.template_hash,
            based_on=draft.based_on,
        )  # fmt: skip
        return letter

    def _decision_draft(self, case_id: int) -> LetterRecord | None:
        """The newest letter that is not a foreløpig svar (a crash may have left one on top)."""
        for letter in reversed(self.store.letters(case_id)):
            if letter.created_by != LETTER_AUTHOR:
                return letter
        return None

    def _deliver(self, record: CaseRecord, key: str, letter: LetterRecord) -> None:
        path = Path(letter.pdf_path) if letter.pdf_path else None
        if path is None or not path.is_file():
            path = self._write_pdf(record, key, letter)
        row = self.store.enqueue(
            case_id=record.id, letter_id=letter.id, key=key, channel=self.channel.kind,
            target=str(record.data.get("applicant", {}).get("email") or ""),
        )  # fmt: skip
        if row.state == "sending":
            delivery = self.channel.reconcile(key)
            if delivery is Delivery.delivered:
                self.store.mark_sent(key)
                self._record(record, key, letter)
                return
            if delivery is Delivery.unknown:
                self.store.mark_needs_human(key, "leveranse kan ikke bekreftes etter krasj")
                return
            self.store.mark_pending(key, "ikke levert før krasj")
        if row.state == "needs_human":
            return
        self.store.mark_sending(key)
        self.channel.send(Letter(key=key, pdf_path=path, reference=record.reference or "",
                                 recipient_email=row.target or None))  # fmt: skip
        self.store.mark_sent(key)
        self._record(record, key, letter)

    def _write_pdf(self, record: CaseRecord, key: str, letter: LetterRecord) -> Path:
        pdf = render_letter_pdf(
            self.pdf,
            record=record,
            letter=letter,
            kommune=self.settings.kommune_for(record.kommunenummer),
            robot=self.robot,
            case_model=CASE_MODELS[self.robot.case_model],
        )
        path = letter_path(self.settings.data_dir, record, key)
        write_atomic(path, pdf)
        self.store.update_letter_file(letter.id, str(path), hashlib.sha256(pdf).hexdigest())
        return path

    def _record(self, record: CaseRecord, key: str, letter: LetterRecord) -> None:
        self.store.record_event(
            record.id, actor=ACTOR, kind="forelopig_svar_sent",
            data={"outbox_key": key, "letter_id": letter.id, "letter_version": letter.version},
        )  # fmt: skip
        log.info("forelopig_svar_sent", case_id=record.id)


def _received(record: CaseRecord) -> date:
    value = record.data.get("received_at")
    if isinstance(value, str):
        return datetime.fromisoformat(value).date()
    return record.created_at.date()
