"""Single sign-on: logging in with a kommune's identity provider (OpenID Connect).

GET /logg-inn/sso/{provider} sends the browser to the provider with a fresh state, nonce and
PKCE code verifier, which wait in the store under the hash of a random cookie; the provider
sends it back to /logg-inn/sso/{provider}/svar, which takes that waiting login once, checks
the state, exchanges the code (with the verifier) and checks the ID token (runner/web/oidc.py).
The account is (issuer, subject); its role and kommuner come from the token's groups on every
login ([sso.providers.*.groups]), so a group removed at the provider removes access here.
The session is the same as after a password login. Every failure is a Norwegian page and a
`login_failed` event in the security log, with the source address.

Both routes are plain functions: FastAPI runs them in worker threads, so the calls to the
provider and the database never hold up the event loop.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.errors import NotFoundError
from runner.logs import get_logger
from runner.settings import SsoProvider
from runner.store.users import ROLES, SsoLogin
from runner.web.auth import delete_cookie, safe_next, set_cookie
from runner.web.core import SESSION_COOKIE, context_of, read_cookie, source_address
from runner.web.i18n import worded
from runner.web.login import login_form
from runner.web.oidc import OidcClient, SsoFailed, new_secret
from runner.web.passwords import new_token, same_token

log = get_logger("saksrobot.web")

router = APIRouter()

#: The cookie that ties the provider's answer to the browser that started the login.
SSO_COOKIE = "saksrobot_sso"
#: How long a login may stay at the provider.
PENDING = timedelta(minutes=10)

#: The page's message (runner/web/i18n.py) and status for each reason a login fails.
MESSAGES: dict[str, tuple[str, int]] = {
    "state": ("sso_failed_state", 400),
    "provider_refused": ("sso_failed_refused", 401),
    "provider_unreachable": ("sso_failed_unreachable", 502),
    "provider_misconfigured": ("sso_failed_unreachable", 502),
    "no_group": ("sso_failed_no_group", 403),
    "disabled": ("sso_failed_disabled", 403),
}
TOKEN_FAILURE = ("sso_failed_token", 401)


def _client(request: Request, provider: str) -> OidcClient:
    client = context_of(request).sso.get(provider)
    if client is None:
        raise worded(NotFoundError, "sso_provider_missing")
    return client


def grants(provider: SsoProvider, groups: object) -> tuple[str, list[str]] | None:
    """The role and kommuner the groups give: the highest role among the mapped groups
    (caseworker < lead < admin < deployment_admin), in the kommuner of the groups that give
    that role; None when no group is mapped."""
    if not isinstance(groups, list):
        return None
    mapped = [provider.groups[g] for g in groups if isinstance(g, str) and g in provider.groups]
    if not mapped:
        return None
    role = max((grant.role for grant in mapped), key=ROLES.index)
    kommuner = sorted({k for grant in mapped if grant.role == role for k in grant.kommuner})
    return role, kommuner


def _refuse(
    request: Request, client: OidcClient, failure: SsoFailed, next: str, **data: Any
) -> Response:
    """The login page with the reason in Norwegian; a failed login in the security log."""
    ctx = context_of(request)
    address = source_address(request)
    ctx.throttle.failed(address)
    actor = data.pop("actor", "unknown")
    ctx.store.users.log.record(
        "login_failed",
        actor=actor,
        source=address,
        method="sso",
        provider=client.key,
        reason=failure.reason,
        **data,
    )
    log.info("sso_login_failed", provider=client.key, reason=failure.reason)
    key, status = MESSAGES.get(failure.reason, TOKEN_FAILURE)
    response = login_form(request, next=next, failed=key, status=status, provider=client.key)
    delete_cookie(request, response, SSO_COOKIE)
    return response


@router.get("/logg-inn/sso/{provider}")
def sso_start(
    request: Request, provider: str, neste: Annotated[str, Query(max_length=500)] = "/saker"
) -> Response:
    """Send the browser to the provider's login (authorization code flow, PKCE S256)."""
    client = _client(request, provider)
    ctx = context_of(request)
    if ctx.throttle.blocked(source_address(request)):
        return login_form(request, status=429, next=neste, failed="throttled")
    login = SsoLogin(
        provider=provider,
        state=new_secret(),
        nonce=new_secret(),
        code_verifier=new_secret(),
        next=safe_next(neste),
    )
    try:
        target = client.authorization_url(
            state=login.state, nonce=login.nonce, code_verifier=login.code_verifier
        )
    except SsoFailed as failure:
        return _refuse(request, client, failure, login.next)
    token = new_token()
    ctx.store.users.begin_sso(token, login, lifetime=PENDING)
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SSO_COOKIE, token, int(PENDING.total_seconds()))
    return response


@router.get("/logg-inn/sso/{provider}/svar")
def sso_callback(
    request: Request,
    provider: str,
    code: Annotated[str | None, Query(max_length=4000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    iss: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The provider's answer: check it, then start a session like a password login does."""
    client = _client(request, provider)
    ctx = context_of(request)
    address = source_address(request)
    if ctx.throttle.blocked(address):
        return login_form(request, status=429, next="/saker", failed="throttled")
    cookie = read_cookie(request, SSO_COOKIE)
    login = ctx.store.users.take_sso(cookie) if cookie else None
    if login is None or login.provider != provider or not same_token(state, login.state):
        stray = SsoFailed("state", "The answer does not belong to a login from this browser")
        return _refuse(request, client, stray, "/saker")
    if error is not None or not code:
        refused = SsoFailed("provider_refused", "The provider did not log the user in")
        return _refuse(request, client, refused, login.next, error=(error or "no_code")[:60])
    if iss is not None and iss != client.provider.issuer:
        mixed = SsoFailed("wrong_issuer", "The answer came from another issuer")
        return _refuse(request, client, mixed, login.next)
    try:
        identity = client.identity(
            code=code, code_verifier=login.code_verifier, nonce=login.nonce
        )
    except SsoFailed as failure:
        return _refuse(request, client, failure, login.next)
    claims = identity.claims
    settings = client.provider
    grant = grants(settings, claims.get(settings.groups_claim))
    if grant is None:
        # A known account whose groups were all removed loses its sessions too.
        lost = ctx.store.users.sso_access_lost(issuer=identity.issuer, subject=identity.subject)
        none = SsoFailed("no_group", "None of the user's groups gives access")
        who = {"actor": lost.username, "user_id": lost.id} if lost else {}
        return _refuse(request, client, none, login.next, subject=identity.subject, **who)
    role, kommuner = grant
    name_claim = claims.get(settings.username_claim) or claims.get("email") or identity.subject
    username = str(name_claim)
    user = ctx.store.users.sso_account(
        issuer=identity.issuer,
        subject=identity.subject,
        username=username,
        full_name=str(claims.get("name") or username),
        role=role,
        kommuner=kommuner,
    )
    if user.disabled:
        off = SsoFailed("disabled", "The account is disabled here")
        return _refuse(request, client, off, login.next, actor=user.username, user_id=user.id)
    token = new_token()
    lifetime = timedelta(hours=ctx.settings.web.session_hours)
    ctx.store.users.start_session(
        user.id,
        token=token,
        csrf_token=new_token(),
        lifetime=lifetime,
        sso_provider=provider,
        id_token=identity.id_token,
    )
    ctx.store.users.log.record(
        "login",
        actor=user.username,
        user_id=user.id,
        source=address,
        method="sso",
        provider=provider,
        role=role,
        kommuner=kommuner,
    )
    log.info("login", user_id=user.id, method="sso")
    response = RedirectResponse(login.next, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, int(lifetime.total_seconds()))
    delete_cookie(request, response, SSO_COOKIE)
    return response
