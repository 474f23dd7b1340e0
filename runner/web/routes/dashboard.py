"""The dashboard (counts, cases per day, time in queue), the outbox list and user accounts."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.errors import StoreError
from runner.letterfiles import today_in_norway
from runner.store.engine import transaction
from runner.store.schema import utcnow
from runner.store.users import ROLES
from runner.web import queries
from runner.web.auth import Session, checked_form
from runner.web.charts import bar_chart
from runner.web.core import BadRequest, context_of, malform_of, render, require
from runner.web.i18n import translator
from runner.web.passwords import MIN_LENGTH, hash_password

router = APIRouter()


@router.get("/oversikt")
def dashboard(request: Request, session: Session) -> Response:
    user = require(session, "dashboard")
    ctx = context_of(request)
    t = translator(malform_of(request))
    with transaction(ctx.store.engine, write=False) as conn:
        figures = queries.dashboard(
            conn, user.kommuner, ctx.home_kommune, today_in_norway(utcnow())
        )
    robots = sorted({robot for robot, _ in figures.by_state})
    states = sorted({state for _, state in figures.by_state})
    chart = bar_chart(figures.per_day, title=t("per_day"), label=t("received").lower())
    return render(
        request,
        "dashboard.html",
        session,
        figures=figures,
        robots=robots,
        states=states,
        chart=chart,
    )


@router.get("/utboks")
def outbox(request: Request, session: Session) -> Response:
    user = require(session, "review")
    with transaction(context_of(request).store.engine, write=False) as conn:
        rows = queries.sent_letters(conn, user.kommuner)
    return render(request, "outbox.html", session, rows=rows)


@router.get("/brukere")
def users_page(request: Request, session: Session) -> Response:
    require(session, "users")
    return render(
        request,
        "users.html",
        session,
        users=context_of(request).store.users.list(),
        roles=ROLES,
        message=request.query_params.get("melding"),
    )


@router.post("/brukere")
async def add_user(request: Request, session: Session) -> Response:
    require(session, "users")
    form = await checked_form(request)
    values = {
        k: str(form.get(k) or "").strip()
        for k in ("username", "full_name", "password", "role", "kommuner")
    }
    if len(values["password"]) < MIN_LENGTH or len(values["username"]) > 100:
        raise BadRequest(
            f"The password must have at least {MIN_LENGTH} characters",
            fix="Choose a longer password.",
        )
    try:
        context_of(request).store.users.add(
            username=values["username"],
            full_name=values["full_name"],
            password_hash=hash_password(values["password"]),
            role=values["role"],
            kommuner=[k.strip() for k in values["kommuner"].split(",") if k.strip()],
        )
    except StoreError as error:
        raise BadRequest(error.message, fix=error.fix) from error
    return RedirectResponse(f"/brukere?{urlencode({'melding': 'created'})}", 303)


@router.post("/brukere/{username}/deaktiver")
async def disable_user(request: Request, username: str, session: Session) -> Response:
    require(session, "users")
    await checked_form(request)
    context_of(request).store.users.set_disabled(username, True)
    return RedirectResponse(f"/brukere?{urlencode({'melding': 'disabled'})}", 303)
