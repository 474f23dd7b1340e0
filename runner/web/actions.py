"""What a caseworker does to a case: answer its open points, approve (as drafted or edited),
reject, re-draft.

Each action is a transition or event with the user as actor. Approval has two steps: `prepare`
(keep an edited text, check every open point is answered) and, after the caseworker has seen
the final PDF (`letter_pdf`, the case's draft document), `approve` with the hash of exactly
that letter. It ends in the robot's own pipeline (finalise → outbox with a unique key →
send), so a letter goes out exactly once.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runner.drafting import letter_context
from runner.errors import AnswerError, IllegalTransitionError, NotFoundError, ReviewError
from runner.letterfiles import render_letter_pdf, today_in_norway
from runner.letters import appeal_deadline
from runner.letters.edits import Conflict, carry_edits
from runner.letters.placeholders import open_placeholders
from runner.logs import get_logger
from runner.models.results import Evaluation, Route
from runner.models.robot import RobotDefinition
from runner.pipeline import Pipeline
from runner.points import (
    OpenPoint,
    current_answers,
    letter_answers,
    new_answer,
    open_points,
    problem,
    unanswered,
)
from runner.redaction import personal_data_scope
from runner.settings import Settings
from runner.store import CaseRecord, CaseState, DecisionRecord, LetterRecord, Store
from runner.store.casework import PointAnswer
from runner.vocabulary import Word
from runner.web.i18n import worded

log = get_logger("saksrobot.web")


@dataclass(frozen=True, slots=True)
class Redraft:
    """A letter drafted again: the letter as it now is, and what became of the caseworker's
    hand edits (the event to record after the case's own, or None: there were none)."""

    letter: LetterRecord
    edits: tuple[str, dict[str, Any]] | None


@dataclass(frozen=True, slots=True)
class LeftOut:
    """The caseworker's hand edits a newer draft could not take: the version with their text,
    and each passage that conflicted (their text beside the new draft's)."""

    edited: LetterRecord
    conflicts: tuple[Conflict, ...]


class Reviewer:
    """Carries out review actions; one robot pipeline per robot, built on first use."""

    def __init__(self, settings: Settings, store: Store, robots: dict[str, RobotDefinition]):
        self.settings = settings
        self.store = store
        self.robots = robots
        self._pipelines: dict[str, Pipeline] = {}
        self._lock = threading.Lock()

    def pipeline(self, robot_id: str) -> Pipeline:
        """The robot's pipeline (rule sets, templates, PDF renderer, its kommuner's channels)."""
        from runner.run import make_pipeline

        with self._lock:
            if robot_id not in self._pipelines:
                robot = self.robots.get(robot_id)
                if robot is None:
                    raise worded(NotFoundError, "robot_missing")
                self._pipelines[robot_id] = make_pipeline(self.settings, self.store, robot)
            return self._pipelines[robot_id]

    def _waiting(self, case_id: int, version: int) -> CaseRecord:
        record = self.store.get_case(case_id)
        if record.state != CaseState.pending_review or record.version != version:
            raise IllegalTransitionError(
                str(case_id), record.state, "approved", changed=record.version != version
            )
        return record

    def _letter(self, record: CaseRecord, letter_id: int) -> LetterRecord:
        letter = self.store.latest_letter(record.id)
        if letter is None or letter.id != letter_id:
            raise worded(ReviewError, "letter_not_newest")
        return letter

    def open_points(self, case_id: int) -> tuple[list[OpenPoint], dict[str, PointAnswer]]:
        """The case's open points and their current answers."""
        decision = self.store.latest_decision(case_id)
        found = open_points(decision.results) if decision is not None else []
        return found, current_answers(found, self.store.casework.answers(case_id))

    def answer(
        self,
        case_id: int,
        user: str,
        *,
        version: int,
        given: dict[str, tuple[str | None, str]],
    ) -> CaseRecord:
        """Store the caseworker's answers (rule id → outcome, assessment) to open points and
        draft the letter again with every answer in it, as one change of the case.

        A point left without an outcome and without text stays open; anything else that is
        not a valid answer is refused (AnswerError names each point and what is wrong).
        """
        record = self._waiting(case_id, version)
        decision = self.store.latest_decision(case_id)
        if decision is None:
            raise worded(ReviewError, "no_decision")
        found = {point.rule_id: point for point in open_points(decision.results)}
        problems: dict[str, str] = {}
        answers = []
        for rule_id, (outcome, text) in given.items():
            point = found.get(rule_id)
            if point is None:
                problems[rule_id] = "not_open"
                continue
            if outcome is None and not text.strip():
                continue  # not answered now
            wrong = problem(point, outcome, text)
            if wrong is not None or outcome is None:
                problems[rule_id] = wrong or "answer_missing"
                continue
            answers.append(new_answer(point, outcome, text))
        if problems:
            raise AnswerError(problems)
        if not answers:
            raise AnswerError({next(iter(found), "-"): "answer_missing"})
        # A case still without an outcome (til_vurdering) has no letter to draft yet.
        drafts = record.outcome in self.pipeline(record.robot_id).robot.letters
        with self.store.unit():  # answers, the new letter and the events: all or nothing
            self.store.casework.answer(case_id, decision.id, answers, actor=user)
            _, current = self.open_points(case_id)
            redrafted = None
            if drafts:
                redrafted = self._draft(record, decision.evaluation(), user, decision, current)
            letter = redrafted.letter if redrafted else None
            answered = self.store.transition(
                case_id,
                CaseState.pending_review,
                actor=user,
                event="points_answered",
                data={
                    "answers": {answer.rule_id: answer.outcome for answer in answers},
                    "letter_id": letter.id if letter else None,
                    "letter_version": letter.version if letter else None,
                },
                expected_version=version,
            )
            if redrafted and redrafted.edits:
                kind, data = redrafted.edits
                self.store.record_event(case_id, actor=user, kind=kind, data=data)
            return answered

    def ready(self, case_id: int) -> tuple[CaseRecord, LetterRecord]:
        """The waiting case and the letter that would be sent, if it may be sent now: every
        open point answered, the letter drafted with the answers, no text left to write."""
        record = self.store.get_case(case_id)
        if record.state != CaseState.pending_review:
            raise IllegalTransitionError(str(case_id), record.state, "approved")
        letter = self.store.latest_letter(case_id)
        if letter is None:
            raise worded(ReviewError, "no_letter")
        found, answers = self.open_points(case_id)
        left = unanswered(found, answers)
        if left:
            raise worded(ReviewError, "points_open", n=len(left))
        if answers and letter.created_at < max(a.answered_at for a in answers.values()):
            raise worded(ReviewError, "letter_before_answers")
        open_parts = open_placeholders(letter.markdown)
        if open_parts:  # e.g. the caseworker's assessment in a welfare decision (fvl. § 25)
            raise worded(ReviewError, "letter_placeholder", text=open_parts[0][:200])
        return record, letter

    def prepare(
        self,
        case_id: int,
        user: str,
        *,
        version: int,
        letter_id: int,
        markdown: str | None = None,
    ) -> LetterRecord:
        """The first step of approving: keep an edited text as a new version by `user`, and
        check the case may be sent; the caseworker then confirms the final PDF (`approve`)."""
        record = self._waiting(case_id, version)
        letter = self._letter(record, letter_id)
        edited = markdown is not None and markdown.strip() != letter.markdown.strip()
        if edited and markdown is not None:
            if not markdown.strip():
                raise worded(ReviewError, "letter_empty")
            letter = self.store.save_letter(
                case_id=case_id,
                decision_id=letter.decision_id,
                malform=letter.malform,
                markdown=markdown.replace("\r\n", "\n"),
                pdf_path=None,
                sha256=None,
                created_by=user,
                # The robot's draft the edits are made on: the one shown, or the one the
                # shown text's earlier edits were made on (None for an edit from before 0008).
                based_on=letter.id if letter.template_id is not None else letter.based_on,
            )
            self.store.transition(
                case_id,
                CaseState.pending_review,
                actor=user,
                event="letter_edited",
                data={"letter_id": letter.id, "letter_version": letter.version},
                expected_version=version,
            )
        try:
            _, letter = self.ready(case_id)
        except ReviewError as error:
            if edited:
                raise worded(
                    ReviewError,
                    error.text or "review",
                    notes=(*error.notes, "edits_saved"),
                    **error.values,
                ) from None
            raise
        return letter

    def letter_pdf(self, record: CaseRecord, letter: LetterRecord) -> bytes:
        """The PDF a draft letter becomes if it is approved now, rendered exactly as
        finalising will render it (same text, letterhead, recipient and date). The case
        page's draft document and the confirmation link to it."""
        pipeline = self.pipeline(record.robot_id)
        return render_letter_pdf(
            pipeline.pdf,
            record=record,
            letter=letter,
            kommune=self.settings.kommune_for(record.kommunenummer),
            robot=pipeline.robot,
            case_model=pipeline.case_model,
        )

    def approve(
        self,
        case_id: int,
        user: str,
        *,
        version: int,
        letter_id: int,
        letter_hash: str,
        edits_seen: bool = False,
    ) -> CaseRecord:
        """Approve and send exactly the letter the caseworker confirmed (`letter_hash`, from
        `letter_digest`): a letter changed since, or a case not ready, is refused; so is a
        letter their hand edits could not be carried onto, unless they have looked at the
        passages (`edits_seen`, from the confirmation)."""
        record = self._waiting(case_id, version)
        letter = self._letter(record, letter_id)
        if letter_digest(letter) != letter_hash:
            raise worded(ReviewError, "letter_changed")
        self.ready(case_id)
        left = self.left_out(case_id)
        left_out = len(left.conflicts) if left else 0
        if left_out and not edits_seen:
            raise worded(ReviewError, "edits_not_seen", n=left_out)
        # The letter is approved first: a crash between the two steps leaves an approved
        # letter on a waiting case, never an approved case with an unapproved letter.
        self.store.approve_letter(letter.id, user)
        self.store.transition(
            case_id,
            CaseState.approved,
            actor=user,
            event="approved",
            data={
                "letter_id": letter.id,
                "letter_version": letter.version,
                "edited": letter.template_id is None,
                "edits_left_out": left_out,
            },
            expected_version=version,
        )
        log.info("case_approved", case_id=case_id)
        return self.pipeline(record.robot_id).process(case_id)

    def reject(self, case_id: int, user: str, *, version: int, reason: str) -> CaseRecord:
        """Close the case without a letter from the robot; the reason is kept in the event."""
        self._waiting(case_id, version)
        if not reason.strip():
            raise worded(ReviewError, "reason_required")
        return self.store.transition(
            case_id,
            CaseState.rejected,
            actor=user,
            event="rejected",
            data={"reason": reason.strip()[:2000]},
            expected_version=version,
        )

    def redraft(self, case_id: int, user: str, *, version: int, outcome: str) -> CaseRecord:
        """Draft the robot's letter for another outcome, as the caseworker's decision."""
        record = self._waiting(case_id, version)
        pipeline = self.pipeline(record.robot_id)
        template_id = pipeline.robot.letters.get(outcome)
        if template_id is None:
            raise worded(ReviewError, "no_letter_for_outcome", outcome=Word("outcome", outcome))
        decision = self.store.latest_decision(case_id)
        if decision is None:
            raise worded(ReviewError, "no_decision")
        old = decision.evaluation()
        chosen = old.decision.model_copy(
            update={"outcome": outcome, "route": Route.review, "matched": f"saksbehandler {user}"}
        )
        _, answers = self.open_points(case_id)
        with self.store.unit():  # the new letter and the events: all or nothing
            redrafted = self._draft(
                record, old.model_copy(update={"decision": chosen}), user, decision, answers
            )
            letter = redrafted.letter
            changed = self.store.transition(
                case_id,
                CaseState.pending_review,
                actor=user,
                event="outcome_changed",
                data={
                    "from": record.outcome,
                    "to": outcome,
                    "decision_id": letter.decision_id,
                    "letter_id": letter.id,
                    "letter_version": letter.version,
                },
                expected_version=version,
                outcome=outcome,
            )
            if redrafted.edits:
                kind, data = redrafted.edits
                self.store.record_event(case_id, actor=user, kind=kind, data=data)
            return changed

    def hand_edits(self, case_id: int) -> tuple[LetterRecord, LetterRecord] | None:
        """The newest version of the case's letter with the caseworker's hand edits, and the
        robot's draft they were made on (base, edited); None if there is none."""
        letters = self.store.letters(case_id)
        for edited in reversed(letters):
            if edited.based_on is not None:
                base = next(letter for letter in letters if letter.id == edited.based_on)
                return base, edited
        return None

    def left_out(self, case_id: int) -> LeftOut | None:
        """The caseworker's hand edits a newer draft also changed, so they are not in the
        letter; None when the letter holds all their edits (or they made none)."""
        edits = self.hand_edits(case_id)
        letter = self.store.latest_letter(case_id)
        if edits is None or letter is None or letter.template_id is None:
            return None
        base, edited = edits
        if letter.version < edited.version:
            return None
        conflicts = carry_edits(base.markdown, edited.markdown, letter.markdown).conflicts
        return LeftOut(edited, conflicts) if conflicts else None

    def _draft(
        self,
        record: CaseRecord,
        evaluation: Evaluation,
        user: str,
        decision: DecisionRecord,
        answers: dict[str, PointAnswer],
    ) -> Redraft:
        """Draft the letter for `evaluation`'s outcome with the caseworker's answers, as a new
        version by `user` (a new decision record when the outcome is not the stored one),
        and carry the caseworker's hand edits onto it (`_carry`)."""
        pipeline = self.pipeline(record.robot_id)
        outcome = evaluation.decision.outcome
        template_id = pipeline.robot.letters.get(outcome)
        if template_id is None:
            raise worded(ReviewError, "no_letter_for_outcome", outcome=Word("outcome", outcome))
        kommune = self.settings.kommune_for(record.kommunenummer)
        malform = kommune.letter_malform(record.data.get("malform"))
        today = today_in_norway(datetime.now(UTC))
        found = open_points([result.model_dump(mode="json") for result in evaluation.results])
        with personal_data_scope(record.data, pipeline.case_model):
            context = letter_context(
                case=record.data,
                evaluation=evaluation,
                kommune=kommune,
                malform=malform,
                automatic=False,
                letter_date=today,
                appeal_deadline=appeal_deadline(
                    today, int(evaluation.parameters["klagefrist_uker"])
                ),
                case_type=record.case_type or pipeline.robot.case_model,
                document_rules=pipeline.robot.document_rules,
                answers=letter_answers(found, answers),
            )
            draft = pipeline.templates.render(template_id, malform, context)
        decision_id = decision.id
        if outcome != decision.outcome or draft.template_id != decision.template_id:
            decision_id = self.store.save_decision(
                record.id,
                evaluation,
                inputs_hash=decision.inputs_hash,
                template_id=draft.template_id,
                template_hash=draft.template_hash,
            )
        edits = self.hand_edits(record.id)
        drafted = self.store.save_letter(
            case_id=record.id,
            decision_id=decision_id,
            malform=malform,
            markdown=draft.markdown,
            pdf_path=None,
            sha256=None,
            created_by=user,
            template_id=draft.template_id,
            template_hash=draft.template_hash,
        )
        return self._carry(drafted, edits, user)

    def _carry(
        self,
        drafted: LetterRecord,
        edits: tuple[LetterRecord, LetterRecord] | None,
        user: str,
    ) -> Redraft:
        """The caseworker's hand edits (base, edited) merged into the new draft: a clean
        merge is kept as the next version (with the edits, by `user`); where a passage
        conflicts, the new draft stays the letter and their text stays stored in its version,
        and the case page shows each passage (`left_out`)."""
        if edits is None:
            return Redraft(drafted, None)
        base, edited = edits
        merged = carry_edits(base.markdown, edited.markdown, drafted.markdown)
        trail = {"edited_letter_id": edited.id, "edited_letter_version": edited.version}
        if not merged.clean:
            trail |= {"letter_id": drafted.id, "letter_version": drafted.version}
            return Redraft(
                drafted, ("letter_edits_conflict", trail | {"passages": len(merged.conflicts)})
            )
        if merged.markdown.strip() == drafted.markdown.strip():
            return Redraft(drafted, None)  # the new draft says what the edits said
        letter = self.store.save_letter(
            case_id=drafted.case_id,
            decision_id=drafted.decision_id,
            malform=drafted.malform,
            markdown=merged.markdown,
            pdf_path=None,
            sha256=None,
            created_by=user,
            based_on=drafted.id,
        )
        trail |= {"letter_id": letter.id, "letter_version": letter.version}
        return Redraft(letter, ("letter_edits_kept", trail))


def letter_digest(letter: LetterRecord) -> str:
    """The sha256 of a letter version's text: what the confirmation shows is what is sent."""
    return hashlib.sha256(letter.markdown.encode("utf-8")).hexdigest()
