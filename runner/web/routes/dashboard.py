"""The dashboard (counts, cases per day, time in queue) and the outbox list."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from runner.letterfiles import today_in_norway
from runner.store.engine import transaction
from runner.store.schema import utcnow
from runner.web import queries
from runner.web.auth import Session
from runner.web.charts import bar_chart
from runner.web.core import context_of, malform_of, render, require
from runner.web.i18n import translator

router = APIRouter()


@router.get("/oversikt")
def dashboard(request: Request, session: Session) -> Response:
    user = require(session, "dashboard")
    ctx = context_of(request)
    t = translator(malform_of(request))
    with transaction(ctx.store.engine, write=False) as conn:
        figures = queries.dashboard(
            conn, user.kommuner, ctx.settings.served, today_in_norway(utcnow())
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
