"""Quarantined items: the errors per field, the raw content (escaped), marking them handled."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy import or_
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.errors import NotFoundError
from runner.store import CaseState
from runner.store.engine import transaction
from runner.store.users import UserRecord
from runner.web import queries
from runner.web.auth import CheckedForm, Session
from runner.web.core import (
    PERMISSIONS,
    BadRequest,
    context_of,
    record_read,
    render,
    require,
    visible_case,
)
from runner.web.i18n import worded

router = APIRouter()

#: The raw content shown on the page is cut here; the whole file stays in the store.
RAW_LIMIT = 100_000


#: A reviewer handles the items of their own kommuner; a deployment admin those no kommune
#: owns (core.sees).
QUARANTINE = ("review", "unowned")


@router.get("/karantene")
def quarantine_list(request: Request, session: Session) -> Response:
    user = require(session, *QUARANTINE)
    ctx = context_of(request)
    permissions = PERMISSIONS[user.role]
    served = ctx.settings.served
    scopes = [queries.kommune_scope(user.kommuner, served)] if "review" in permissions else []
    if "unowned" in permissions:
        scopes.append(queries.unowned_scope(served))
    with transaction(ctx.store.engine, write=False) as conn:
        rows = queries.quarantine(conn, or_(*scopes))
    return render(
        request, "quarantine.html", session, rows=rows, message=request.query_params.get("melding")
    )


def _quarantined(request: Request, session: Session, case_id: int) -> tuple[UserRecord, object]:
    user = require(session, *QUARANTINE)
    record = visible_case(request, user, case_id)
    if record.state != CaseState.quarantined:
        raise worded(NotFoundError, "not_in_quarantine", case=case_id)
    return user, record


@router.get("/karantene/{case_id}")
def quarantine_item(request: Request, case_id: int, session: Session) -> Response:
    user, record = _quarantined(request, session, case_id)
    store = context_of(request).store
    record_read(request, user, case_id, "karantene")
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
    user, _record = _quarantined(request, session, case_id)
    note = form.get("note")
    if not isinstance(note, str) or len(note) > 2000:
        raise worded(BadRequest, "note_too_long")
    context_of(request).store.review.mark_handled(
        case_id, actor=user.username, note=note.strip() or "håndtert"
    )
    return RedirectResponse(f"/karantene?{urlencode({'melding': 'handled'})}", 303)
