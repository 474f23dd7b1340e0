"""What a caseworker does to a case: approve (as drafted or edited), reject, re-draft, assign.

Each action is a transition or event with the user as actor. Approval ends in the robot's own
pipeline (finalise → outbox with a unique key → send), so a letter goes out exactly once.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from runner.drafting import letter_context
from runner.errors import IllegalTransitionError, NotFoundError, SaksrobotError
from runner.letterfiles import today_in_norway
from runner.letters import appeal_deadline
from runner.letters.placeholders import open_placeholders
from runner.logs import get_logger
from runner.models.results import Route
from runner.models.robot import RobotDefinition
from runner.pipeline import Pipeline
from runner.redaction import personal_data_scope
from runner.settings import Settings
from runner.store import CaseRecord, CaseState, LetterRecord, Store

log = get_logger("saksrobot.web")


class ReviewError(SaksrobotError):
    """A review action cannot be done on the case as it is now."""

    kind = "review"


class Reviewer:
    """Carries out review actions; one robot pipeline per robot, built on first use."""

    def __init__(self, settings: Settings, store: Store, robots: dict[str, RobotDefinition]):
        self.settings = settings
        self.store = store
        self.robots = robots
        self._pipelines: dict[str, Pipeline] = {}
        self._lock = threading.Lock()

    def pipeline(self, robot_id: str) -> Pipeline:
        """The robot's pipeline (rule sets, templates, PDF renderer, channel)."""
        from runner.run import make_pipeline

        with self._lock:
            if robot_id not in self._pipelines:
                robot = self.robots.get(robot_id)
                if robot is None:
                    raise NotFoundError(
                        f"No robot '{robot_id}'", fix="Check robots/ in the content folder."
                    )
                self._pipelines[robot_id] = make_pipeline(self.settings, self.store, robot)
            return self._pipelines[robot_id]

    def _waiting(self, case_id: int, version: int) -> CaseRecord:
        record = self.store.get_case(case_id)
        if record.state != CaseState.pending_review or record.version != version:
            raise IllegalTransitionError(
                str(case_id), f"{record.state} (changed since read)", "approved"
            )
        return record

    def _letter(self, record: CaseRecord, letter_id: int) -> LetterRecord:
        letter = self.store.latest_letter(record.id)
        if letter is None or letter.id != letter_id:
            raise ReviewError(
                f"Case {record.id}: the letter shown is no longer the newest version",
                fix="Open the case again and read the newest letter before approving.",
            )
        return letter

    def approve(
        self,
        case_id: int,
        user: str,
        *,
        version: int,
        letter_id: int,
        markdown: str | None = None,
    ) -> CaseRecord:
        """Approve the letter (a changed text becomes a new version by `user`) and send it."""
        record = self._waiting(case_id, version)
        letter = self._letter(record, letter_id)
        edited = markdown is not None and markdown.strip() != letter.markdown.strip()
        if edited and markdown is not None:
            if not markdown.strip():
                raise ReviewError("The letter is empty", fix="Write the letter, or reject.")
            letter = self.store.save_letter(
                case_id=case_id,
                decision_id=letter.decision_id,
                malform=letter.malform,
                markdown=markdown.replace("\r\n", "\n"),
                pdf_path=None,
                sha256=None,
                created_by=user,
            )
            record = self.store.transition(
                case_id,
                CaseState.pending_review,
                actor=user,
                event="letter_edited",
                data={"letter_id": letter.id, "letter_version": letter.version},
                expected_version=version,
            )
            version = record.version
        open_parts = open_placeholders(letter.markdown)
        if open_parts:  # e.g. the caseworker's assessment in a welfare decision (fvl. § 25)
            saved = " Endringene dine er lagret som en ny versjon." if edited else ""
            raise ReviewError(
                "Brevet har tekst saksbehandleren må skrive før det kan godkjennes: "
                f"«{open_parts[0][:200]}».{saved}",
                fix="Åpne saken, skriv vurderingen i stedet for teksten i [[ ]], og godkjenn.",
            )
        # The letter is approved first: a crash between the two steps leaves an approved
        # letter on a waiting case, never an approved case with an unapproved letter.
        self.store.approve_letter(letter.id, user)
        self.store.transition(
            case_id,
            CaseState.approved,
            actor=user,
            event="approved",
            data={"letter_id": letter.id, "letter_version": letter.version, "edited": edited},
            expected_version=version,
        )
        log.info("case_approved", case_id=case_id, edited=edited)
        return self.pipeline(record.robot_id).process(case_id)

    def reject(self, case_id: int, user: str, *, version: int, reason: str) -> CaseRecord:
        """Close the case without a letter from the robot; the reason is kept in the event."""
        self._waiting(case_id, version)
        if not reason.strip():
            raise ReviewError("A reason is required", fix="Write why the case is closed.")
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
            raise ReviewError(
                f"Robot {record.robot_id} has no letter for outcome '{outcome}'",
                fix=f"Choose one of: {', '.join(pipeline.robot.letters)}.",
            )
        decision = self.store.latest_decision(case_id)
        if decision is None:
            raise ReviewError(f"Case {case_id} has no decision", fix="Run the robot again.")
        old = decision.evaluation()
        chosen = old.decision.model_copy(
            update={"outcome": outcome, "route": Route.review, "matched": f"saksbehandler {user}"}
        )
        evaluation = old.model_copy(update={"decision": chosen})
        kommune = self.settings.kommune_for(record.kommunenummer)
        malform = kommune.letter_malform(record.data.get("malform"))
        today = today_in_norway(datetime.now(UTC))
        with personal_data_scope(record.data, pipeline.case_model):
            context = letter_context(
                case=record.data,
                evaluation=evaluation,
                kommune=kommune,
                malform=malform,
                automatic=False,
                letter_date=today,
                appeal_deadline=appeal_deadline(today, int(old.parameters["klagefrist_uker"])),
                case_type=record.case_type or pipeline.robot.case_model,
                document_rules=pipeline.robot.document_rules,
            )
            draft = pipeline.templates.render(template_id, malform, context)
        decision_id = self.store.save_decision(
            case_id,
            evaluation,
            inputs_hash=decision.inputs_hash,
            template_id=draft.template_id,
            template_hash=draft.template_hash,
        )
        letter = self.store.save_letter(
            case_id=case_id,
            decision_id=decision_id,
            malform=malform,
            markdown=draft.markdown,
            pdf_path=None,
            sha256=None,
            created_by=user,
            template_id=draft.template_id,
            template_hash=draft.template_hash,
        )
        return self.store.transition(
            case_id,
            CaseState.pending_review,
            actor=user,
            event="outcome_changed",
            data={
                "from": record.outcome,
                "to": outcome,
                "decision_id": decision_id,
                "letter_id": letter.id,
                "letter_version": letter.version,
            },
            expected_version=version,
            outcome=outcome,
        )
