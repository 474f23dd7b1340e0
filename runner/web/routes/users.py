"""User accounts: a kommune admin manages the caseworkers and leads of its own kommuner, a
deployment admin every account. Every change, and every refused attempt, is in the security
log (runner/store/securitylog.py).

Accounts are named by id in URLs (a username is a person's name). An account outside the
admin's reach is answered like one that does not exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.errors import NotFoundError, StoreError
from runner.store.users import ROLES, SessionRecord, UserRecord
from runner.vocabulary import Word
from runner.web.auth import CheckedForm, Session
from runner.web.core import (
    MAX_ID,
    AccessDenied,
    BadRequest,
    context_of,
    render,
    require,
    source_address,
)
from runner.web.i18n import worded
from runner.web.passwords import MIN_LENGTH, hash_password, new_password

router = APIRouter()

#: The roles a kommune admin may give; a deployment admin gives any.
KOMMUNE_ROLES = ("caseworker", "lead")


def grantable(admin: UserRecord) -> tuple[str, ...]:
    return ROLES if admin.role == "deployment_admin" else KOMMUNE_ROLES


def reaches(admin: UserRecord, role: str, kommuner: list[str]) -> bool:
    """Whether the admin may manage an account with this role and these kommuner: all of
    them its own (a shared account is managed by someone with every one of its kommuner)."""
    if admin.role == "deployment_admin":
        return True
    return role in KOMMUNE_ROLES and set(kommuner) <= set(admin.kommuner)


def visible(admin: UserRecord, user: UserRecord) -> bool:
    """Whether the admin sees the account in the list (it works for one of its kommuner)."""
    return admin.role == "deployment_admin" or bool(set(user.kommuner) & set(admin.kommuner))


def _audit(request: Request, admin: UserRecord, kind: str, **data: Any) -> None:
    context_of(request).store.users.log.record(
        kind, actor=admin.username, source=source_address(request), **data
    )


def _target(request: Request, admin: UserRecord, user_id: int) -> UserRecord:
    users = context_of(request).store.users
    user = users.by_id(user_id) if 0 < user_id <= MAX_ID else None
    if user is None or not reaches(admin, user.role, user.kommuner):
        if user is not None:
            _audit(request, admin, "admin_refused", user_id=user_id, action=request.url.path)
        raise worded(NotFoundError, "user_missing")
    if user.id == admin.id:
        raise worded(BadRequest, "own_account")
    return user


def _wanted(request: Request, admin: UserRecord, role: str, kommuner: list[str]) -> None:
    """Refuse a role or kommuner the admin may not give (and log the attempt)."""
    settings = context_of(request).settings
    unserved = [k for k in kommuner if not settings.serves(k)]
    if unserved:
        raise worded(BadRequest, "kommune_not_served", kommuner=", ".join(unserved))
    if not reaches(admin, role, kommuner):
        _audit(request, admin, "admin_refused", role=role, kommuner=sorted(kommuner))
        raise worded(
            AccessDenied,
            "role_not_yours",
            role=Word("role", role),
            kommuner=", ".join(sorted(kommuner)),
        )


def _kommuner(form: FormData) -> list[str]:
    return sorted({k.strip() for k in str(form.get("kommuner") or "").split(",") if k.strip()})


def _done(message: str) -> Response:
    return RedirectResponse(f"/brukere?{urlencode({'melding': message})}", 303)


def _page(
    request: Request,
    session: SessionRecord,
    *,
    new_password: str | None = None,
    reset_for: str | None = None,
) -> Response:
    admin = session.user
    accounts = [u for u in context_of(request).store.users.list() if visible(admin, u)]
    return render(
        request,
        "users.html",
        session,
        users=accounts,
        manageable={
            u.id for u in accounts if u.id != admin.id and reaches(admin, u.role, u.kommuner)
        },
        roles=grantable(admin),
        message=request.query_params.get("melding"),
        new_password=new_password,
        reset_for=reset_for,
    )


@router.get("/brukere")
def users_page(request: Request, session: Session) -> Response:
    require(session, "users")
    return _page(request, session)


@router.post("/brukere")
def add_user(request: Request, session: Session, form: CheckedForm) -> Response:
    admin = require(session, "users")
    values = {
        k: str(form.get(k) or "").strip() for k in ("username", "full_name", "password", "role")
    }
    kommuner = _kommuner(form)
    if len(values["password"]) < MIN_LENGTH or len(values["username"]) > 100:
        raise worded(BadRequest, "password_short", n=MIN_LENGTH)
    _wanted(request, admin, values["role"], kommuner)
    try:
        user = context_of(request).store.users.add(
            username=values["username"],
            full_name=values["full_name"][:200],
            password_hash=hash_password(values["password"]),
            role=values["role"],
            kommuner=kommuner,
        )
    except StoreError as error:
        raise worded(BadRequest, "user_refused") from error
    _audit(request, admin, "user_created", user_id=user.id, role=user.role, kommuner=user.kommuner)
    return _done("created")


@router.post("/brukere/{user_id}/deaktiver")
def disable_user(request: Request, user_id: int, session: Session, form: CheckedForm) -> Response:
    admin = require(session, "users")
    user = _target(request, admin, user_id)
    context_of(request).store.users.set_disabled(user.username, True)
    _audit(request, admin, "user_disabled", user_id=user.id)
    return _done("disabled")


@router.post("/brukere/{user_id}/aktiver")
def enable_user(request: Request, user_id: int, session: Session, form: CheckedForm) -> Response:
    admin = require(session, "users")
    user = _target(request, admin, user_id)
    context_of(request).store.users.set_disabled(user.username, False)
    _audit(request, admin, "user_enabled", user_id=user.id)
    return _done("enabled")


@router.post("/brukere/{user_id}/endre")
def change_user(request: Request, user_id: int, session: Session, form: CheckedForm) -> Response:
    """Another role or other kommuner (the account's sessions end)."""
    admin = require(session, "users")
    user = _target(request, admin, user_id)
    role, kommuner = str(form.get("role") or ""), _kommuner(form)
    _wanted(request, admin, role, kommuner)
    try:
        changed = context_of(request).store.users.change(
            user.username, role=role, kommuner=kommuner
        )
    except StoreError as error:
        raise worded(BadRequest, "user_refused") from error
    _audit(
        request,
        admin,
        "user_changed",
        user_id=user.id,
        role=[user.role, changed.role],
        kommuner=[user.kommuner, changed.kommuner],
    )
    return _done("changed")


@router.post("/brukere/{user_id}/passord")
def reset_password(request: Request, user_id: int, session: Session, form: CheckedForm) -> Response:
    """A new random password, shown once on the page; the account's sessions end."""
    admin = require(session, "users")
    user = _target(request, admin, user_id)
    password = new_password()
    try:
        context_of(request).store.users.set_password_hash(
            user.username, hash_password(password), end_sessions=True
        )
    except StoreError as error:
        raise worded(BadRequest, "user_refused") from error
    _audit(request, admin, "password_reset", user_id=user.id)
    return _page(request, session, new_password=password, reset_for=user.username)
