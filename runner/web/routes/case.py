"""One case: facts, why it was flagged, the rule trace, the letter, history, and the actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.errors import AnswerError
from runner.explain import archive_lines, archive_status
from runner.letters import markdown_to_html
from runner.points import MAX_ASSESSMENT, MIN_ASSESSMENT
from runner.store import CaseRecord, CaseState
from runner.store.users import SessionRecord
from runner.web.actions import letter_digest
from runner.web.auth import CheckedForm, Session
from runner.web.core import (
    BadRequest,
    context_of,
    malform_of,
    record_read,
    render,
    require,
    visible_case,
)
from runner.web.documents import CaseDocuments
from runner.web.i18n import problem_words, worded
from runner.web.summary import summarise

router = APIRouter()

#: The longest internal note.
MAX_NOTE = 2000


def _field(form: FormData, name: str, *, max_length: int = 100_000) -> str:
    value = form.get(name)
    if not isinstance(value, str) or len(value) > max_length:
        raise worded(BadRequest, "form_field")
    return value


def _number(form: FormData, name: str) -> int:
    try:
        return int(_field(form, name, max_length=20))
    except ValueError:
        raise worded(BadRequest, "form_number") from None


def _parked(record: CaseRecord, events: list[Any], malform: str) -> tuple[str, str] | None:
    """Why a parked case was set aside, in the målform (its newest parked event's problem);
    a case parked before problems had words by its stored error, in bokmål."""
    if record.state != CaseState.parked:
        return None
    for event in reversed(events):
        if event.kind == "parked" and isinstance(event.data.get("problem"), dict):
            return problem_words(event.data["problem"], malform)
        if event.kind == "parked":
            break
    return (record.last_error or "", "")


def case_page(
    request: Request,
    session: SessionRecord,
    record: CaseRecord,
    *,
    preview: str | None = None,
    problems: dict[str, str] | None = None,
    given: dict[str, tuple[str | None, str]] | None = None,
    status: int = 200,
) -> Response:
    """Render the case page (also with a preview of an edited letter, or with the answers
    just given and what is wrong with them)."""
    ctx = context_of(request)
    store = ctx.store
    malform = malform_of(request)
    decision = store.latest_decision(record.id)
    letter = store.latest_letter(record.id)
    results: list[dict[str, Any]] = decision.results if decision else []
    robot = ctx.reviewer.robots.get(record.robot_id)
    events = store.events(record.id)
    points, answers = ctx.reviewer.open_points(record.id)
    # The caseworker's edits a new draft took (the version they were in), or could not take.
    kept = next(
        (
            e.data.get("edited_letter_version")
            for e in reversed(events)
            if e.kind == "letter_edits_kept" and letter and e.data.get("letter_id") == letter.id
        ),
        None,
    )
    return render(
        request,
        "case.html",
        session,
        status=status,
        case=record,
        facts=summarise(record.case_type, record.data, malform),
        decision=decision,
        results=results,
        points=points,
        answers=answers,
        unanswered=[p for p in points if p.rule_id not in answers],
        problems=problems or {},
        given=given or {},
        min_assessment=MIN_ASSESSMENT,
        max_assessment=MAX_ASSESSMENT,
        notes=store.casework.notes(record.id),
        letter=letter,
        edits_kept=kept,
        left_out=ctx.reviewer.left_out(record.id),
        documents=CaseDocuments(store, ctx.reviewer, record).listing(),
        letter_html=Markup(markdown_to_html(letter.markdown)) if letter else None,
        preview_markdown=preview,
        preview_html=Markup(markdown_to_html(preview)) if preview else None,
        # Reads stay in the audit trail; the history lists actions and sums up the reads.
        actions=[e for e in events if e.kind != "viewed"],
        reads=[e for e in events if e.kind == "viewed"],
        parked=_parked(record, events, malform),
        archive=archive_lines(
            archive_status([{"kind": e.kind, "data": e.data} for e in events]), malform
        ),
        deadline_basis=ctx.deadline_basis(record.robot_id, record.urgent),
        assignment=store.review.assignment(record.id),
        outcomes=[o for o in (robot.letters if robot else {}) if o != record.outcome],
        colleagues=[
            u.username
            for u in store.users.list()
            if not u.disabled
            and u.role in ("caseworker", "lead")
            and ctx.settings.owner(record.kommunenummer) in u.kommuner
        ],
        message=request.query_params.get("melding"),
    )


@router.get("/saker/{case_id}")
def show_case(request: Request, case_id: int, session: Session) -> Response:
    user = require(session, "review")
    record = visible_case(request, user, case_id)
    # Who looked at whose data: every view is an event in the case's audit trail.
    record_read(request, user, case_id, "sak")
    return case_page(request, session, record)


def _done(case_id: int, message: str) -> Response:
    return RedirectResponse(f"/saker/{case_id}?{urlencode({'melding': message})}", 303)


@router.post("/saker/{case_id}/forhandsvis")
def preview(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    user = require(session, "review")
    record = visible_case(request, user, case_id)
    markdown = _field(form, "markdown")
    # The preview shows the case's facts too: a read like any other.
    record_read(request, user, case_id, "forhandsvis")
    return case_page(request, session, record, preview=markdown)


@router.post("/saker/{case_id}/vurdering")
def answer_points(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    """Store the caseworker's answers to the open points; the letter is drafted again."""
    user = require(session, "review")
    record = visible_case(request, user, case_id)
    reviewer = context_of(request).reviewer
    points, _ = reviewer.open_points(case_id)
    given: dict[str, tuple[str | None, str]] = {}
    for point in points:
        outcome = form.get(f"svar:{point.rule_id}")
        text = form.get(f"vurdering:{point.rule_id}")
        given[point.rule_id] = (
            outcome if isinstance(outcome, str) and outcome else None,
            text[: MAX_ASSESSMENT + 1] if isinstance(text, str) else "",
        )
    try:
        reviewer.answer(case_id, user.username, version=_number(form, "version"), given=given)
    except AnswerError as error:  # the page again, with the answers given and what is wrong
        record_read(request, user, case_id, "vurdering")
        return case_page(request, session, record, problems=error.problems, given=given, status=400)
    return _done(case_id, "answered")


@router.post("/saker/{case_id}/godkjenn")
def approve(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    """Approving, step one: keep an edited letter, check the case may be sent, and go on to
    the confirmation with the final PDF."""
    user = require(session, "review")
    visible_case(request, user, case_id)
    markdown = form.get("markdown")
    context_of(request).reviewer.prepare(
        case_id,
        user.username,
        version=_number(form, "version"),
        letter_id=_number(form, "letter_id"),
        markdown=markdown if isinstance(markdown, str) else None,
    )
    return RedirectResponse(f"/saker/{case_id}/bekreft", 303)


@router.get("/saker/{case_id}/bekreft")
def confirm(request: Request, case_id: int, session: Session) -> Response:
    """Approving, step two: the decision as it will be sent, its PDF, and "Send vedtaket"."""
    user = require(session, "review")
    visible_case(request, user, case_id)
    ctx = context_of(request)
    record, letter = ctx.reviewer.ready(case_id)
    record_read(request, user, case_id, "bekreft")
    points, answers = ctx.reviewer.open_points(case_id)
    return render(
        request,
        "confirm.html",
        session,
        case=record,
        letter=letter,
        letter_hash=letter_digest(letter),
        letter_html=Markup(markdown_to_html(letter.markdown)),
        points=points,
        answers=answers,
        left_out=ctx.reviewer.left_out(case_id),
    )


@router.post("/saker/{case_id}/send")
def send(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    """Send exactly the letter confirmed: refused if it changed since the confirmation."""
    user = require(session, "review")
    visible_case(request, user, case_id)
    context_of(request).reviewer.approve(
        case_id,
        user.username,
        version=_number(form, "version"),
        letter_id=_number(form, "letter_id"),
        letter_hash=_field(form, "letter_hash", max_length=64),
        edits_seen=form.get("endringer_sett") == "ja",
    )
    return _done(case_id, "approved")


@router.post("/saker/{case_id}/notat")
def add_note(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    """An internal note on the case: for colleagues, never in a letter."""
    user = require(session, "review")
    visible_case(request, user, case_id)
    text = _field(form, "note", max_length=MAX_NOTE).strip()
    if not text:
        raise worded(BadRequest, "note_empty")
    context_of(request).store.casework.add_note(case_id, text, actor=user.username)
    return _done(case_id, "noted")


@router.post("/saker/{case_id}/avvis")
def reject(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    user = require(session, "review")
    visible_case(request, user, case_id)
    context_of(request).reviewer.reject(
        case_id,
        user.username,
        version=_number(form, "version"),
        reason=_field(form, "reason", max_length=2000),
    )
    return _done(case_id, "rejected")


@router.post("/saker/{case_id}/utfall")
def change_outcome(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    user = require(session, "review")
    visible_case(request, user, case_id)
    context_of(request).reviewer.redraft(
        case_id,
        user.username,
        version=_number(form, "version"),
        outcome=_field(form, "outcome", max_length=100),
    )
    return _done(case_id, "redrafted")


@router.post("/saker/{case_id}/tildel")
def assign(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    """Take the case, hand it back, or (lead) give it to a colleague."""
    user = require(session, "review")
    action = _field(form, "action", max_length=20)
    if action == "assign":
        require(session, "assign")
    visible_case(request, user, case_id)
    store = context_of(request).store
    if action == "take":
        current = store.review.assignment(case_id)
        if current is not None and current.username != user.username:
            require(session, "assign")  # only a lead takes a case a colleague holds
        target: str | None = user.username
    elif action == "release":
        current = store.review.assignment(case_id)
        if current is not None and current.username != user.username:
            require(session, "assign")  # only a lead takes a case from someone else
        target = None
    elif action == "assign":
        target = _field(form, "username", max_length=100)
        colleague = store.users.get(target)
        home = record_kommune(request, case_id)
        if (
            colleague is None
            or colleague.disabled
            or home is None
            or home not in colleague.kommuner
        ):
            raise worded(BadRequest, "cannot_take")
    else:
        raise worded(BadRequest, "unknown_action")
    store.review.assign(case_id, target, actor=user.username)
    return _done(case_id, "assigned")


def record_kommune(request: Request, case_id: int) -> str | None:
    """The served kommune the case belongs to (Settings.owner)."""
    ctx = context_of(request)
    return ctx.settings.owner(ctx.store.get_case(case_id).kommunenummer)
