"""Quarantined items: the errors per field, the raw content (escaped), marking them handled."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.errors import NotFoundError
from runner.store import CaseState
from runner.store.engine import transaction
from runner.web import queries
from runner.web.auth import CheckedForm, Session
from runner.web.core import BadRequest, context_of, malform_of, render, require, visible_case
from runner.web.i18n import translator

router = APIRouter()

#: The raw content shown on the page is cut here; the whole file stays in the store.
RAW_LIMIT = 100_000


@router.get("/karantene")
def quarantine_list(request: Request, session: Session) -> Response:
    user = require(session, "review")
    ctx = context_of(request)
    with transaction(ctx.store.engine, write=False) as conn:
        rows = queries.quarantine(conn, user.kommuner, ctx.home_kommune)
    return render(
        request, "quarantine.html", session, rows=rows, message=request.query_params.get("melding")
    )


def _quarantined(request: Request, session: Session, case_id: int) -> tuple[str, object]:
    user = require(session, "review")
    record = visible_case(request, user, case_id)
    if record.state != CaseState.quarantined:
        t = translator(malform_of(request))
        raise NotFoundError(t("not_in_quarantine", n=case_id), fix=t("open_from_quarantine"))
    return user.username, record


@router.get("/karantene/{case_id}")
def quarantine_item(request: Request, case_id: int, session: Session) -> Response:
    username, record = _quarantined(request, session, case_id)
    store = context_of(request).store
    store.record_event(case_id, actor=username, kind="viewed", data={"page": "karantene"})
    content = store.raw_content(case_id)
    text = content[:RAW_LIMIT].decode("utf-8", errors="replace")
    return render(
        request,
        "quarantine_item.html",
        session,
        case=record,
        raw=store.raw_item(case_id),
        text=text,
        cut=len(content) > RAW_LIMIT,
    )


@router.post("/karantene/{case_id}/handtert")
def mark_handled(request: Request, case_id: int, session: Session, form: CheckedForm) -> Response:
    username, _record = _quarantined(request, session, case_id)
    note = form.get("note")
    if not isinstance(note, str) or len(note) > 2000:
        t = translator(malform_of(request))
        raise BadRequest(t("note_too_long"), fix=t("note_fix"))
    context_of(request).store.review.mark_handled(
        case_id, actor=username, note=note.strip() or "håndtert"
    )
    return RedirectResponse(f"/karantene?{urlencode({'melding': 'handled'})}", 303)
