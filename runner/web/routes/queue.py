"""The review queue: waiting cases by deadline, filters, counts per reason, bulk approval."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.errors import SaksrobotError
from runner.letterfiles import today_in_norway
from runner.points import unanswered
from runner.store import CaseState
from runner.store.engine import transaction
from runner.store.schema import utcnow
from runner.web import queries
from runner.web.actions import letter_digest
from runner.web.auth import CheckedForm, Session
from runner.web.core import (
    PERMISSIONS,
    BadRequest,
    context_of,
    malform_of,
    record_read,
    render,
    require,
    visible_case,
)
from runner.web.i18n import worded

router = APIRouter()

AGES = (3, 7, 14, 30)


#: Page numbers and ages beyond these are refused (a huge number overflowed the database).
LIMITS = {"side": 1_000_000, "alder": 36_500}


def _int(name: str, value: str | None, default: int | None = None) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = int(value[:20])
    except ValueError:
        number = None
    if number is None or len(value) > 20 or not 0 <= number <= LIMITS[name]:
        raise worded(BadRequest, "filter_number", name=name, limit=LIMITS[name])
    return number


@router.get("/")
def home(session: Session) -> Response:
    target = "/saker" if "review" in PERMISSIONS[session.user.role] else "/oversikt"
    return RedirectResponse(target, status_code=303)


@router.get("/saker")
def queue_page(
    request: Request,
    session: Session,
    robot: str | None = None,
    grunn: str | None = None,
    alder: str | None = None,
    kommune: str | None = None,
    mine: str | None = None,
    side: str | None = None,
    melding: str | None = None,
) -> Response:
    user = require(session, "review")
    ctx = context_of(request)
    flt = queries.QueueFilter(
        robot=robot or None,
        reason=grunn or None,
        min_age_days=_int("alder", alder),
        kommune=kommune or None,
        # "mine=1", never the username: no personal data in an address
        assignee=user.username if mine == "1" else None,
        page=max(_int("side", side, 1) or 1, 1),
    )
    with transaction(ctx.store.engine, write=False) as conn:
        rows, total = queries.queue(conn, user.kommuner, flt)
        counts = queries.reason_counts(conn, user.kommuner, flt)
        results = queries.reason_results(conn, [row.id for row in rows])
    robots = sorted(ctx.reviewer.robots)
    pages = max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1)
    # The filters live in the address (a GET form): a reload or a shared link keeps them.
    params = {
        k: v
        for k, v in (
            ("robot", robot),
            ("grunn", grunn),
            ("alder", alder),
            ("kommune", kommune),
            ("mine", "1" if flt.assignee else None),
        )
        if v
    }

    def page_link(number: int) -> str:
        return "/saker?" + urlencode({**params, "side": number})

    def reason_link(reason: str) -> str:
        return "/saker?" + urlencode({**params, "grunn": reason})

    return render(
        request,
        "queue.html",
        session,
        rows=rows,
        total=total,
        flt=flt,
        counts=counts,
        results=results,
        robots=robots,
        ages=AGES,
        page=flt.page,
        pages=pages,
        page_link=page_link,
        reason_link=reason_link,
        today=today_in_norway(utcnow()),
        title=lambda rule_id: ctx.rule_title(rule_id, malform_of(request)),
        message=melding,
    )


def _selected(form_values: list[str]) -> list[tuple[int, int, int, str]]:
    """'case:version:letter[:sha256]' from the bulk forms (the queue's checkboxes carry no
    letter yet; the confirmation page carries the hash of each letter it showed)."""
    chosen = []
    for value in form_values[:200]:
        parts = value.split(":")
        try:
            if len(parts) not in (3, 4):
                raise ValueError(value)
            case_id, version, letter_id = (int(part) for part in parts[:3])
        except ValueError:
            raise worded(BadRequest, "bad_selection") from None
        chosen.append((case_id, version, letter_id, parts[3] if len(parts) == 4 else ""))
    return chosen


@router.post("/saker/masse")
def bulk_review(request: Request, session: Session, form: CheckedForm) -> Response:
    """Show the chosen clear drafts, with their letters' first lines, before approving.

    A case with open points the caseworker has not answered is left out (and named): it is
    decided on its own page, never in bulk.
    """
    user = require(session, "bulk")
    chosen = _selected([str(v) for v in form.getlist("sak")])
    if not chosen:
        raise worded(BadRequest, "none_chosen")
    ctx = context_of(request)
    store = ctx.store
    items = []
    skipped = []
    for case_id, version, _letter, _hash in chosen:
        record = visible_case(request, user, case_id)
        letter = store.latest_letter(case_id)
        if record.state != CaseState.pending_review or record.route != "auto" or letter is None:
            raise worded(BadRequest, "not_clear_draft", reference=record.reference or case_id)
        if unanswered(*ctx.reviewer.open_points(case_id)):
            skipped.append(record)
            continue
        items.append((record, version, letter_digest(letter), letter))
    for record, *_rest in items:  # the page shows each case's letter: a read of each
        record_read(request, user, record.id, "masse")
    return render(request, "bulk.html", session, items=items, skipped=skipped)


@router.post("/saker/masse/godkjenn")
def bulk_approve(request: Request, session: Session, form: CheckedForm) -> Response:
    """Approve and send every case listed on the confirmation page, each exactly as shown.

    Every case is checked before any is sent: one the user may not see (404) or that is
    not a clear draft stops the whole request with nothing sent. A case with open points not
    answered is skipped (and counted), as is one whose letter changed since it was shown.
    """
    user = require(session, "bulk")
    chosen = _selected([str(v) for v in form.getlist("sak")])
    reviewer = context_of(request).reviewer
    for case_id, _version, _letter_id, _hash in chosen:
        record = visible_case(request, user, case_id)
        if record.route != "auto":
            raise worded(BadRequest, "not_clear_draft", reference=record.reference or case_id)
    done = skipped = 0
    for case_id, version, letter_id, letter_hash in chosen:
        if unanswered(*reviewer.open_points(case_id)):
            skipped += 1
            continue
        try:
            reviewer.approve(
                case_id,
                user.username,
                version=version,
                letter_id=letter_id,
                letter_hash=letter_hash,
            )
        except SaksrobotError:
            continue  # changed meanwhile: it stays in the queue for a closer look
        done += 1
    message = f"bulk:{done}:{skipped}" if skipped else f"bulk:{done}"
    return RedirectResponse(f"/saker?{urlencode({'melding': message})}", 303)
