"""Sessions and cookies: the session dependency, CSRF-checked forms, Secure/HSTS, logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.store.users import SessionRecord
from runner.web.core import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    BadRequest,
    LoginRequired,
    context_of,
    cookie_name,
    read_cookie,
    secure,
    source_address,
)
from runner.web.i18n import worded
from runner.web.oidc import SsoFailed
from runner.web.passwords import same_token

router = APIRouter()


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        cookie_name(request, name),
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def delete_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        cookie_name(request, name), path="/", httponly=True, samesite="lax", secure=secure(request)
    )


def session_required(request: Request) -> SessionRecord:
    """The logged-in session, or LoginRequired (a page redirects to the login form)."""
    session: SessionRecord | None = request.state.session
    if session is None:
        raise worded(LoginRequired, "login_required")
    return session


Session = Annotated[SessionRecord, Depends(session_required)]


async def checked_form(request: Request) -> FormData:
    """The posted form, if its CSRF token matches the session's (or the visitor's cookie).

    A dependency: it reads the body on the event loop, so the route itself can be a plain
    function that FastAPI runs in a worker thread (database, argon2 and PDF work never
    block the loop).
    """
    form = await request.form()
    session: SessionRecord | None = request.state.session
    expected = session.csrf_token if session is not None else read_cookie(request, CSRF_COOKIE)
    token = form.get("csrf")
    if not same_token(token if isinstance(token, str) else None, expected):
        raise worded(BadRequest, "csrf")
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/saker"


@router.post("/logg-ut")
def logout(request: Request, session: Session, form: CheckedForm) -> Response:
    token = read_cookie(request, SESSION_COOKIE)
    ctx = context_of(request)
    if token:
        ctx.store.users.end_session(token)
    ctx.store.users.log.record(
        "logout",
        actor=session.user.username,
        user_id=session.user.id,
        source=source_address(request),
    )
    response = RedirectResponse(_after_logout(request, session), status_code=303)
    delete_cookie(request, response, SESSION_COOKIE)
    return response


def _after_logout(request: Request, session: SessionRecord) -> str:
    """Where the browser goes after logging out: after a single sign-on, the provider's
    end-session page (RP-initiated logout with id_token_hint), which sends it back to the
    login page; else the login page. A provider that cannot be reached is skipped: the
    session here has ended either way."""
    client = context_of(request).sso.get(session.sso_provider or "")
    if client is None:
        return "/logg-inn"
    try:
        return client.logout_url(session.id_token) or "/logg-inn"
    except SsoFailed:
        return "/logg-inn"


@router.post("/malform")
def switch_malform(request: Request, form: CheckedForm) -> Response:
    """Switch between bokmål and nynorsk (a cookie), back to the page the user was on."""
    chosen = "nn" if form.get("malform") == "nn" else "nb"
    back = form.get("neste")
    response = RedirectResponse(safe_next(back if isinstance(back, str) else None), 303)
    set_cookie(request, response, "malform", chosen, 365 * 24 * 3600)
    return response
