"""A case's documents in the browser: letters and the draft as PDF, the application and its
attachments (runner/web/documents.py). Scoped like the case page: another kommune's case
answers 404; every opening is a read in the case's audit trail."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from runner.web.auth import Session
from runner.web.core import context_of, record_read, require, visible_case
from runner.web.documents import CaseDocuments, Content

router = APIRouter()

#: What the browser shows itself (its PDF viewer, JSON and text as text, images); a
#: spreadsheet or unknown type is offered as a download.
SHOWN = frozenset({"application/pdf", "application/json", "text/plain", "image/png", "image/jpeg"})

#: A document is shown by the browser's own viewer: it may load nothing, run nothing, be
#: framed by nobody and submit nowhere.
DOCUMENT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def document_response(content: Content) -> Response:
    """The document inline (a download for a type the browser should not show itself)."""
    shown = content.media_type.split(";")[0] in SHOWN
    disposition = "inline" if shown else "attachment"
    return Response(
        content.body,
        media_type=content.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{content.filename}"',
            "Content-Security-Policy": DOCUMENT_CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/saker/{case_id}/dokumenter/{key}")
def document(request: Request, case_id: int, key: str, session: Session) -> Response:
    user = require(session, "review")
    record = visible_case(request, user, case_id)
    ctx = context_of(request)
    content = CaseDocuments(ctx.store, ctx.reviewer, record).read(key)
    record_read(request, user, case_id, "dokument", dokument=key)
    return document_response(content)
