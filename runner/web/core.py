"""Shared pieces of the web app: its context, page rendering, the error shape and access rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from runner.errors import IllegalTransitionError, NotFoundError, SaksrobotError
from runner.letters.escaping import strip_invisible
from runner.settings import Settings
from runner.store import CaseRecord, Store
from runner.store.users import SessionRecord, UserRecord
from runner.vocabulary import words
from runner.web.actions import Reviewer
from runner.web.i18n import error_words, problem_words, translator, worded
from runner.web.oidc import OidcClient
from runner.web.summary import number, when
from runner.web.throttle import LoginThrottle

HERE = Path(__file__).resolve().parent
#: The largest id the store's BIGINT columns hold.
MAX_ID = 2**63 - 1

SESSION_COOKIE = "saksrobot_session"
CSRF_COOKIE = "saksrobot_csrf"
#: A browser that has logged in to an account before (exempt from its lockout).
DEVICE_COOKIE = "saksrobot_device"
#: With Secure, cookies get the __Host- prefix: only this host, path /, never over http.
HOST_PREFIX = "__Host-"

#: Who may do what. Admins manage accounts and see the (anonymous) dashboard only; a
#: deployment admin also handles the quarantined items no kommune owns ("unowned": a kommune
#: not served, or none could be read; Settings.owner), which no kommune's users may see.
PERMISSIONS: dict[str, frozenset[str]] = {
    "caseworker": frozenset({"review", "dashboard"}),
    "lead": frozenset({"review", "dashboard", "assign", "bulk"}),
    "admin": frozenset({"dashboard", "users"}),
    "deployment_admin": frozenset({"dashboard", "users", "unowned"}),
}


class AccessDenied(SaksrobotError):
    """The user's role does not allow this page or action."""

    kind = "forbidden"


class LoginRequired(SaksrobotError):
    """The page needs a logged-in user."""

    kind = "login_required"


class BadRequest(SaksrobotError):
    """A form or query parameter is missing or wrong (including a missing CSRF token)."""

    kind = "bad_request"


STATUS = {
    "not_found": 404,
    "forbidden": 403,
    "login_required": 401,
    "bad_request": 400,
    "illegal_transition": 409,
    "review": 409,
    "too_many": 429,
    "internal": 500,
}


@dataclass
class WebContext:
    """Everything a request handler needs, built once per app."""

    settings: Settings
    store: Store
    reviewer: Reviewer
    env: Environment
    throttle: LoginThrottle
    rule_titles: dict[str, dict[str, str]]  # rule id → title per målform (reasons' labels)
    #: robot id → {"urgent"/"normal": (parameter description per målform, ref, url)}
    deadline_bases: dict[str, dict[str, tuple[dict[str, str], str, str]]] = field(
        default_factory=dict
    )
    #: Single sign-on providers by their key in [sso.providers] (runner/web/sso.py).
    sso: dict[str, OidcClient] = field(default_factory=dict)

    def rule_title(self, rule_id: str, malform: str) -> str:
        titles = self.rule_titles.get(rule_id, {})
        return titles.get(malform) or titles.get("nb") or rule_id

    def kommune_name(self, kommunenummer: str | None) -> str:
        """'Askøy kommune (4627)': the kommune's name from the settings, with its number (a
        kommune not served: its number; none read: the owner's name, or '–' without one)."""
        number = kommunenummer or self.settings.owner(None)
        if number is None:
            return "–"
        served = self.settings.kommuner.get(number)
        if served is None and number == self.home_kommune:
            served = self.settings.kommune
        return f"{served.name} ({number})" if served is not None else number

    def deadline_basis(self, robot_id: str, urgent: bool) -> tuple[dict[str, str], str, str] | None:
        """The deadline's description, legal reference and link, when the robot has one."""
        return self.deadline_bases.get(robot_id, {}).get("urgent" if urgent else "normal")

    @property
    def home_kommune(self) -> str:
        return self.settings.kommune.kommunenummer


def _visible(value: Any) -> Any:
    """Every value a page shows loses control characters and bidi overrides (U+202E could
    make a name or number read differently from what it is)."""
    if isinstance(value, Markup):
        return Markup(strip_invisible(value))
    return strip_invisible(value) if isinstance(value, str) else value


def make_environment() -> Environment:
    """The page templates' environment: autoescaped HTML, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_visible,
    )
    env.filters["number"] = number
    env.filters["when"] = when
    return env


def context_of(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def secure(request: Request) -> bool:
    """Whether cookies get the Secure flag (and responses HSTS): forced by [web]
    secure_cookies, or else when the request came over HTTPS (uvicorn believes
    X-Forwarded-Proto only from [web] forwarded_allow_ips)."""
    configured = context_of(request).settings.web.secure_cookies
    return configured if configured is not None else request.url.scheme == "https"


def cookie_name(request: Request, name: str) -> str:
    """The cookie's name as sent: __Host-name when Secure (browsers refuse the prefix over
    plain http, as on a developer's localhost)."""
    return HOST_PREFIX + name if secure(request) else name


def read_cookie(request: Request, name: str) -> str | None:
    return request.cookies.get(cookie_name(request, name))


def source_address(request: Request) -> str:
    """The client's address (the proxy's X-Forwarded-For when uvicorn trusts the proxy)."""
    return request.client.host if request.client is not None else "unknown"


def malform_of(request: Request) -> str:
    return "nn" if read_cookie(request, "malform") == "nn" else "nb"


def render(
    request: Request, name: str, session: SessionRecord | None, status: int = 200, **values: Any
) -> HTMLResponse:
    """A page from runner/web/templates in the user's målform."""
    ctx = context_of(request)
    malform = malform_of(request)
    role = session.user.role if session else None
    html = ctx.env.get_template(name).render(
        t=translator(malform),
        word=words(malform),
        problem=lambda stored: problem_words(stored, malform),
        kommune_name=ctx.kommune_name,
        malform=malform,
        user=session.user if session else None,
        can=PERMISSIONS.get(role or "", frozenset()),
        csrf=session.csrf_token if session else getattr(request.state, "anon_csrf", ""),
        path=request.url.path,
        kommune=ctx.settings.kommune,
        **values,
    )
    return HTMLResponse(html, status_code=status)


def require(session: SessionRecord, *permissions: str) -> UserRecord:
    """The user, if their role has one of `permissions`; else AccessDenied."""
    if PERMISSIONS.get(session.user.role, frozenset()).isdisjoint(permissions):
        raise worded(AccessDenied, "forbidden")
    return session.user


def sees(settings: Settings, user: UserRecord, kommunenummer: str | None) -> bool:
    """Whether the user may see a case or quarantined item of this kommunenummer: a reviewer
    those of their own served kommuner, a deployment admin ("unowned") those no served
    kommune owns (Settings.owner) and every one whose kommune could not be read. A case
    without kommunenummer is never taken as the default kommune's."""
    permissions = PERMISSIONS.get(user.role, frozenset())
    owner = settings.owner(kommunenummer)
    if "unowned" in permissions and (owner is None or kommunenummer is None):
        return True
    return owner is not None and "review" in permissions and owner in user.kommuner


def visible_case(request: Request, user: UserRecord, case_id: int) -> CaseRecord:
    """The case, if the user may see it (`sees`).

    Another kommune's case is answered exactly like a case that does not exist (404, not
    403), so guessing ids tells nothing about other kommuner's cases.
    """
    ctx = context_of(request)
    record = None
    if 0 < case_id <= MAX_ID:  # a larger number overflowed the database (a bare 500)
        try:
            record = ctx.store.get_case(case_id)
        except NotFoundError:
            record = None
    if record is None or not sees(ctx.settings, user, record.kommunenummer):
        raise worded(NotFoundError, "case_missing")
    return record


def record_read(
    request: Request, user: UserRecord, case_id: int, page: str, **shown: int | str
) -> None:
    """A page showed the case's personal data: a `viewed` event in its audit trail, with
    the reader's role and source address (`saksrobot audit export` passes them on) and
    what exactly was shown (`shown`, ids only: e.g. letter_id=…)."""
    context_of(request).store.record_event(
        case_id,
        actor=user.username,
        kind="viewed",
        data={"page": page, **shown, "role": user.role, "source": source_address(request)},
    )


def error_response(request: Request, error: SaksrobotError) -> Response:
    """The one error shape: SaksrobotError.as_dict() as JSON, or the same fields as a page,
    with its message and fix in the reader's målform (i18n.error_words)."""
    status = STATUS.get(error.kind, 500 if not isinstance(error, IllegalTransitionError) else 409)
    message, fix = error_words(error, malform_of(request))
    body = {**error.as_dict(), "message": message, "fix": fix}
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(body, status_code=status)
    session = getattr(request.state, "session", None)
    return render(request, "error.html", session, status=status, error=body)
