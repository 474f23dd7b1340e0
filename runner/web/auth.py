"""Logging in and out: argon2 passwords, server-side sessions, lockout, CSRF tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.logs import get_logger
from runner.store.schema import utcnow
from runner.store.users import SessionRecord
from runner.web.core import BadRequest, LoginRequired, context_of, render
from runner.web.passwords import (
    hash_password,
    needs_rehash,
    new_token,
    same_token,
    verify_password,
)

log = get_logger("saksrobot.web")

SESSION_COOKIE = "saksrobot_session"
CSRF_COOKIE = "saksrobot_csrf"
SESSION_LIFETIME = timedelta(hours=8)
#: Failed logins in a row before the account is locked, and for how long.
LOCKOUT_AFTER = 5
LOCKOUT_FOR = timedelta(minutes=15)

router = APIRouter()


def secure(request: Request) -> bool:
    """Whether cookies get the Secure flag: configured, or else when served over HTTPS."""
    configured = context_of(request).secure_cookies
    return configured if configured is not None else request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def session_required(request: Request) -> SessionRecord:
    """The logged-in session, or LoginRequired (a page redirects to the login form)."""
    session: SessionRecord | None = request.state.session
    if session is None:
        raise LoginRequired("You are not logged in", fix="Log in and try again.")
    return session


Session = Annotated[SessionRecord, Depends(session_required)]


async def checked_form(request: Request) -> FormData:
    """The posted form, if its CSRF token matches the session's (or the visitor's cookie)."""
    form = await request.form()
    session: SessionRecord | None = request.state.session
    expected = session.csrf_token if session is not None else request.cookies.get(CSRF_COOKIE)
    token = form.get("csrf")
    if not same_token(token if isinstance(token, str) else None, expected):
        raise BadRequest(
            "The form's security token is missing or out of date",
            fix="Reload the page and send the form again.",
        )
    return form


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/saker"


@router.get("/logg-inn")
def login_page(request: Request, neste: str = "/saker") -> Response:
    if request.state.session is not None:
        return RedirectResponse(safe_next(neste), status_code=303)
    return render(request, "login.html", None, next=safe_next(neste), failed=False)


@router.post("/logg-inn")
async def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    neste: Annotated[str, Form(max_length=500)] = "/saker",
) -> Response:
    await checked_form(request)
    users = context_of(request).store.users
    user = users.get(username.strip())
    usable = user is not None and not user.disabled and not user.locked(utcnow())
    ok = verify_password(user.password_hash if usable and user else None, password)
    if not ok or user is None:
        users.login_failed(username.strip(), limit=LOCKOUT_AFTER, lock_for=LOCKOUT_FOR)
        log.info("login_failed", locked=bool(user and user.locked(utcnow())))
        return render(request, "login.html", None, status=401, next=safe_next(neste), failed=True)
    users.login_succeeded(user.username)
    if needs_rehash(user.password_hash):
        users.set_password_hash(user.username, hash_password(password))
    token = new_token()
    users.start_session(user.id, token=token, csrf_token=new_token(), lifetime=SESSION_LIFETIME)
    log.info("login", user=user.username)
    response = RedirectResponse(safe_next(neste), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, int(SESSION_LIFETIME.total_seconds()))
    return response


@router.post("/logg-ut")
async def logout(request: Request, session: Session) -> Response:
    await checked_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        context_of(request).store.users.end_session(token)
    response = RedirectResponse("/logg-inn", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request)
    )
    return response


@router.post("/malform")
async def switch_malform(request: Request) -> Response:
    """Switch between bokmål and nynorsk (a cookie), back to the page the user was on."""
    form = await checked_form(request)
    chosen = "nn" if form.get("malform") == "nn" else "nb"
    back = form.get("neste")
    response = RedirectResponse(safe_next(back if isinstance(back, str) else None), 303)
    set_cookie(request, response, "malform", chosen, 365 * 24 * 3600)
    return response
