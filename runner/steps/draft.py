"""The draft step: an evaluated case → its draft letter, for review or approved at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from runner.deadlines import case_deadline
from runner.drafting import letter_context
from runner.errors import ApplicationError
from runner.kommuner.settings import KommuneSettings
from runner.letterfiles import today_in_norway
from runner.letters import appeal_deadline
from runner.logs import get_logger
from runner.models.results import UNDECIDED, Evaluation
from runner.models.robot import RobotDefinition
from runner.redaction import personal_data_scope
from runner.steps.context import ROBOT_ACTOR, Handoff, Robot, Step
from runner.store import CaseRecord, CaseState
from runner.store.records import DecisionRecord

log = get_logger("saksrobot.pipeline")


def needs_review(
    definition: RobotDefinition, outcome: str, route: str, kommune: KommuneSettings
) -> tuple[bool, str]:
    """Whether a caseworker must look at the letter first, and why (in Norwegian)."""
    if route != "auto":
        return True, "regelsettet sender saken til saksbehandler"
    if outcome in definition.review.outcomes:
        return True, f"utfallet '{outcome}' skal alltid vurderes av saksbehandler"
    if definition.id not in kommune.auto_finalise:
        return True, "kommunen har ikke tillatt automatisk vedtak for denne roboten"
    return False, ""


def draft(robot: Robot, record: CaseRecord, _: Path | None, handed: Handoff | None) -> Step:
    """Render the letter for the decision, store it, and send the case to review or on."""
    with robot.timer.timing("draft"):
        store, definition = robot.store, robot.definition
        decision_record = (
            handed.decision if handed and handed.decision else store.latest_decision(record.id)
        )
        if decision_record is None:
            raise ApplicationError(f"Case {record.id} has no decision to draft from")
        evaluation = decision_record.evaluation()
        outcome = evaluation.decision.outcome
        kommune = robot.kommune(record)
        review, why = needs_review(definition, outcome, str(evaluation.decision.route), kommune)
        template_id = definition.letters.get(outcome)
        if template_id is None and outcome == UNDECIDED:
            return await_outcome(robot, record, decision_record)
        if template_id is None:
            raise ApplicationError(
                f"Robot {definition.id} has no letter for outcome '{outcome}'",
                fix=f"Add '{outcome}: <template>' under letters: in the robot file.",
            )
        malform = kommune.letter_malform(record.data.get("malform"))
        today = today_in_norway(robot.clock())
        weeks = int(evaluation.parameters["klagefrist_uker"])
        with personal_data_scope(record.data, robot.case_model):
            context = letter_context(
                case=record.data,
                evaluation=evaluation,
                kommune=kommune,
                malform=malform,
                automatic=not review,
                letter_date=today,
                appeal_deadline=appeal_deadline(today, weeks),
                case_type=record.case_type or definition.case_model,
                document_rules=definition.document_rules,
            )
            letter_draft = robot.templates.render(template_id, malform, context)
            # not the title: finding it parses the whole letter again (~1 ms), even unlogged
            log.debug("letter_drafted", case_id=record.id, template=template_id, malform=malform)
        letter = store.save_letter(
            case_id=record.id,
            decision_id=decision_record.id,
            malform=malform,
            markdown=letter_draft.markdown,
            pdf_path=None,
            sha256=None,
            created_by=ROBOT_ACTOR,
            template_id=letter_draft.template_id,
            template_hash=letter_draft.template_hash,
        )
        result = store.transition(
            record.id,
            CaseState.pending_review if review else CaseState.approved,
            actor=ROBOT_ACTOR,
            event="drafted",
            data={
                "letter_id": letter.id,
                "letter_version": letter.version,
                "template_id": letter_draft.template_id,
                "template_hash": letter_draft.template_hash,
                "malform": malform,
                "review": review,
                "review_reason": why,
            },
            deadline=legal_deadline(robot, record, evaluation),
        )
    return result, Handoff(result.id, result.version, decision=decision_record, letter=letter)


def await_outcome(robot: Robot, record: CaseRecord, decision_record: DecisionRecord) -> Step:
    """No rule gives an outcome: a caseworker chooses it, and the letter is drafted then."""
    evaluation = decision_record.evaluation()
    result = robot.store.transition(
        record.id,
        CaseState.pending_review,
        actor=ROBOT_ACTOR,
        event="drafted",
        data={
            "letter_id": None,
            "review": True,
            "review_reason": "ingen regel gir et utfall; saksbehandler velger utfall, "
            "og brevet lages da",
        },
        deadline=legal_deadline(robot, record, evaluation),
    )
    return result, Handoff(result.id, result.version, decision=decision_record)


def legal_deadline(robot: Robot, record: CaseRecord, evaluation: Evaluation) -> date | None:
    """The case's deadline in law, from the robot's deadline rule and the evaluation."""
    return case_deadline(
        robot.definition.deadline,
        case=record.data,
        parameters=evaluation.parameters,
        urgent=evaluation.decision.urgent,
        robot_id=robot.definition.id,
    )
