"""Logging in: argon2 passwords, throttling per source address, lockout per account.

The route is a plain function, so FastAPI runs it in a worker thread: argon2 and the
database never hold up the event loop (and /healthz answers while logins are checked).

An account is locked for new browsers after [web] login_failures_per_account failures in a
row, for the window; failures while locked do not renew the lock. A browser that has logged
in to the account before (its device cookie) is not locked out, so a stranger who knows the
username cannot keep the owner out; it is still limited per source address.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.logs import get_logger
from runner.store.schema import utcnow
from runner.web.auth import CheckedForm, safe_next, set_cookie
from runner.web.core import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    context_of,
    read_cookie,
    render,
    source_address,
)
from runner.web.passwords import hash_password, needs_rehash, new_token, verify_password

log = get_logger("saksrobot.web")

router = APIRouter()

#: How long a browser stays known to an account after logging in to it.
DEVICE_DAYS = 365


def login_form(
    request: Request,
    *,
    next: str,
    failed: str | None = None,
    status: int = 200,
    provider: str | None = None,
) -> Response:
    """The login page: a button per single sign-on provider, the password form, and why the
    last attempt failed (`failed`: 'wrong', 'throttled' or an i18n key of an SSO failure)."""
    ctx = context_of(request)
    providers = [(key, client.provider.name) for key, client in ctx.sso.items()]
    name = ctx.sso[provider].provider.name if provider in ctx.sso else ""
    return render(
        request,
        "login.html",
        None,
        status=status,
        next=safe_next(next),
        failed=failed,
        sso_providers=providers,
        provider_name=name,
    )


@router.get("/logg-inn")
def login_page(request: Request, neste: str = "/saker") -> Response:
    if request.state.session is not None:
        return RedirectResponse(safe_next(neste), status_code=303)
    return login_form(request, next=neste)


@router.post("/logg-inn")
def login(
    request: Request,
    form: CheckedForm,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    neste: Annotated[str, Form(max_length=500)] = "/saker",
) -> Response:
    ctx = context_of(request)
    web = ctx.settings.web
    users = ctx.store.users
    address = source_address(request)
    if ctx.throttle.blocked(address):
        log.info("login_throttled")
        return login_form(request, status=429, next=neste, failed="throttled")
    name = username.strip()
    user = users.get(name)
    device = read_cookie(request, DEVICE_COOKIE)
    known = user is not None and users.trusted_device(user.id, device)
    # An account from single sign-on has no password: it logs in at its provider only.
    usable = (
        user is not None
        and not user.disabled
        and not user.sso
        and (known or not user.locked(utcnow()))
    )
    ok = verify_password(user.password_hash if usable and user else None, password)
    if not ok or user is None:
        ctx.throttle.failed(address)
        locked = False
        if user is not None:
            window = timedelta(minutes=web.login_window_minutes)
            locked = users.login_failed(name, limit=web.login_failures_per_account, lock_for=window)
        # An unknown username is not recorded: it may be a password typed in the wrong field.
        users.log.record(
            "login_failed",
            actor=user.username if user else "unknown",
            user_id=user.id if user else None,
            source=address,
            locked=locked,
            known_browser=known,
        )
        log.info("login_failed", locked=locked)
        return login_form(request, status=401, next=neste, failed="wrong")
    users.login_succeeded(user.username)
    if needs_rehash(user.password_hash):
        users.set_password_hash(user.username, hash_password(password))
    token = new_token()
    lifetime = timedelta(hours=web.session_hours)
    users.start_session(user.id, token=token, csrf_token=new_token(), lifetime=lifetime)
    users.log.record(
        "login", actor=user.username, user_id=user.id, source=address, known_browser=known
    )
    log.info("login", user_id=user.id)
    response = RedirectResponse(safe_next(neste), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, int(lifetime.total_seconds()))
    if not known:
        device = new_token()
        users.trust_device(user.id, device)
        set_cookie(request, response, DEVICE_COOKIE, device, DEVICE_DAYS * 24 * 3600)
    return response
