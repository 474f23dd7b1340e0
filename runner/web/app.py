"""The review page's FastAPI app: sessions, security headers, error shape, routes."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from runner.errors import NotFoundError, SaksrobotError
from runner.logs import get_logger
from runner.mapdata.svg import case_map_svg
from runner.metrics import store_registry
from runner.models.robot import RobotDefinition, load_robots
from runner.rules import RuleSetCatalog
from runner.settings import Settings
from runner.store import Store
from runner.web import auth, login, sso
from runner.web.actions import Reviewer
from runner.web.core import (
    CSRF_COOKIE,
    HERE,
    SESSION_COOKIE,
    BadRequest,
    LoginRequired,
    WebContext,
    error_response,
    make_environment,
    read_cookie,
    secure,
)
from runner.web.i18n import worded
from runner.web.oidc import OidcClient
from runner.web.passwords import new_token
from runner.web.routes import case, dashboard, documents, ops, quarantine, queue, users
from runner.web.throttle import LoginThrottle

log = get_logger("saksrobot.web")

#: No script at all, styles only from our own file, never framed, forms only to ourselves
#: (and, with single sign-on, to the providers: logging out is a form whose answer is a
#: redirect to the provider's end-session page, and browsers hold redirects to form-action).
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'{sso}; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _rule_titles(catalog: RuleSetCatalog) -> dict[str, dict[str, str]]:
    titles: dict[str, dict[str, str]] = {}
    for rule_set in catalog.all():
        for rule in rule_set.rules:
            titles[rule.id] = dict(rule.title)
    return titles


def _deadline_bases(
    catalog: RuleSetCatalog, robots: dict[str, RobotDefinition]
) -> dict[str, dict[str, tuple[dict[str, str], str, str]]]:
    """Per robot, what its urgent and normal deadline is: the rule-set parameter's
    description and legal reference (the newest version of the rule set that has it)."""
    bases: dict[str, dict[str, tuple[dict[str, str], str, str]]] = {}
    for robot_id, robot in robots.items():
        if robot.deadline is None:
            continue
        versions = [rs for rs in catalog.all() if rs.id == robot.rule_set]
        for name, term in (("urgent", robot.deadline.urgent), ("normal", robot.deadline.normal)):
            for rule_set in reversed(versions):
                spec = rule_set.parameters.get(term.parameter)
                if spec is not None:
                    basis = (dict(spec.description), spec.reference.ref, spec.reference.url)
                    bases.setdefault(robot_id, {})[name] = basis
                    break
    return bases


class InternalError(SaksrobotError):
    """A bug: the request failed in a way the code did not foresee."""

    kind = "internal"


def _with_headers(request: Request, response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", request.app.state.csp)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    max_age = context_of_app(request).settings.web.hsts_seconds
    if secure(request) and max_age:
        response.headers["Strict-Transport-Security"] = f"max-age={max_age}"
    return response


def _sso_clients(settings: Settings) -> dict[str, OidcClient]:
    """A client per [sso.providers.*]; a missing client secret stops the start (SettingsError)."""
    if settings.sso is None:
        return {}
    clients = {}
    for key, provider in settings.sso.providers.items():
        provider.client_secret()
        clients[key] = OidcClient(key, provider, settings.sso.public_url)
    return clients


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def context_of_app(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def create_app(settings: Settings, store: Store) -> FastAPI:
    """The web app over an open store (the caller closes it)."""
    app = FastAPI(title="saksrobot", docs_url=None, redoc_url=None, openapi_url=None)
    robots = load_robots(settings.content_dir / "robots")
    catalog = RuleSetCatalog.load(settings.content_dir / "rules")
    clients = _sso_clients(settings)
    app.state.csp = CSP.format(
        sso="".join(f" {_origin(c.provider.issuer)}" for c in clients.values())
    )
    app.state.ctx = WebContext(
        settings=settings,
        store=store,
        reviewer=Reviewer(settings, store, robots),
        env=make_environment(),
        throttle=LoginThrottle(settings.web),
        rule_titles=_rule_titles(catalog),
        deadline_bases=_deadline_bases(catalog, robots),
        sso=clients,
    )

    app.state.ctx.env.globals["case_map"] = functools.partial(case_map_svg, settings)
    idle = timedelta(minutes=settings.web.idle_minutes)

    @app.middleware("http")
    async def sessions_and_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        token = read_cookie(request, SESSION_COOKIE)
        request.state.session = (
            await run_in_threadpool(store.users.session, token, idle=idle) if token else None
        )
        anon = read_cookie(request, CSRF_COOKIE)
        request.state.anon_csrf = anon or new_token()
        response = await call_next(request)
        if anon is None and request.state.session is None:
            auth.set_cookie(request, response, CSRF_COOKIE, request.state.anon_csrf, 86400)
        if request.state.session is not None or request.url.path.startswith("/logg-inn"):
            response.headers["Cache-Control"] = "no-store"
        return _with_headers(request, response)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, error: LoginRequired) -> Response:
        if "application/json" in request.headers.get("accept", ""):
            return error_response(request, error)
        target = request.url.path if request.method == "GET" else "/saker"
        return RedirectResponse(f"/logg-inn?neste={target}", status_code=303)

    @app.exception_handler(SaksrobotError)
    async def saksrobot_error(request: Request, error: SaksrobotError) -> Response:
        return error_response(request, error)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 404:
            return error_response(request, worded(NotFoundError, "page_missing"))
        if error.status_code == 405:
            failure = worded(BadRequest, "method_refused")
        else:
            failure = worded(BadRequest, "request_refused", status=error.status_code)
        response = error_response(request, failure)
        response.status_code = error.status_code
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        return error_response(request, worded(BadRequest, "invalid_request"))

    @app.exception_handler(Exception)
    async def unforeseen(request: Request, error: Exception) -> Response:
        # Outside the middleware above: the page gets its security headers here.
        log.error(
            "request_failed",
            error=type(error).__name__,
            route=getattr(request.scope.get("route"), "path", None),
        )
        failure = worded(InternalError, "error")
        response = error_response(request, failure)
        response.headers["Cache-Control"] = "no-store"
        return _with_headers(request, response)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, login, sso, queue, case, documents, quarantine, dashboard, users, ops):
        app.include_router(module.router)
    app.state.metrics = store_registry(store)
    return app
