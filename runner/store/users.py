"""Caseworker accounts and their server-side web sessions (tables from migration 0002)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)

from runner.errors import NotFoundError, StoreError
from runner.store.schema import Id, UTCDateTime, metadata, utcnow
from runner.store.securitylog import SecurityLog

if TYPE_CHECKING:
    from runner.store.store import Store

#: `admin` manages the accounts of its own kommuner; `deployment_admin` every account.
ROLES = ("caseworker", "lead", "admin", "deployment_admin")

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("kommuner", JSON, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    # 0007: an account from single sign-on is the provider's (issuer, subject); it has no
    # password (password_hash is empty) and its role and kommuner come from its groups.
    Column("sso_issuer", String(500)),
    Column("sso_subject", String(255)),
    UniqueConstraint("sso_issuer", "sso_subject"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    # sha256 of the cookie's token: a stolen database does not hand out live sessions.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime),  # 0006: for the idle timeout
    # 0007: a session from single sign-on logs out at its provider with its ID token.
    Column("sso_provider", String(30)),
    Column("id_token", Text),
)

# 0007: a login sent to the identity provider, waiting for its answer. The browser holds a
# random token in a cookie (this table its hash), so the answer is taken only in the browser
# that started the login, once, before expires_at.
sso_logins = Table(
    "sso_logins",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("provider", String(30), nullable=False),
    Column("state", String(100), nullable=False),
    Column("nonce", String(100), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("next", String(500), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# A browser that has logged in to an account: the lockout of new browsers does not apply to
# it, so nobody can keep the owner out by failing logins on purpose (0006).
web_devices = Table(
    "web_devices",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class UserRecord:
    """One account: who, which role, which kommuner's cases they may see."""

    id: int
    username: str
    full_name: str
    password_hash: str
    role: str
    kommuner: list[str]
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    sso_issuer: str | None = None
    sso_subject: str | None = None

    @property
    def sso(self) -> bool:
        """Whether the account logs in by single sign-on only (it has no password)."""
        return self.sso_issuer is not None

    def locked(self, now: datetime) -> bool:
        """Whether repeated failed logins lock the account at `now` (for unknown browsers)."""
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A logged-in browser: its user and the CSRF token its forms must carry."""

    user: UserRecord
    csrf_token: str
    expires_at: datetime
    last_seen: datetime
    sso_provider: str | None = None
    id_token: str | None = None


@dataclass(frozen=True, slots=True)
class SsoLogin:
    """A login waiting for the identity provider's answer (see the sso_logins table)."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    next: str


def token_hash(token: str) -> str:
    """What is stored of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _user_not_found(username: str) -> NotFoundError:
    return NotFoundError(f"No user '{username}'", fix="List the users with `saksrobot users list`.")


def _sso_managed(username: str) -> StoreError:
    return StoreError(
        f"User '{username}' logs in by single sign-on: no password here, and the role and "
        "kommuner follow the groups at the identity provider",
        fix="Change the user's groups at the identity provider (or the [sso] group mapping); "
        "disable the account here to stop it at once.",
    )


def _get(conn: Connection, username: str) -> UserRecord | None:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    return UserRecord(*row) if row is not None else None


def _check(role: str, kommuner: list[str]) -> None:
    if role not in ROLES:
        raise StoreError(f"There is no role '{role}'", fix=f"Use one of: {', '.join(ROLES)}.")
    bad = [k for k in kommuner if len(k) != 4 or not k.isdigit()]
    if bad or not kommuner:
        raise StoreError(
            f"Kommunenummer {', '.join(bad) or '(none)'} is not valid",
            fix="Give one or more four-digit kommunenummer, e.g. --kommune 4627.",
        )


class UserStore:
    """Accounts and sessions, each call one short transaction on the Store's engine."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def log(self) -> SecurityLog:
        """The security log: logins, failed logins and every change to an account."""
        return SecurityLog(self._store)

    def add(
        self, *, username: str, full_name: str, password_hash: str, role: str, kommuner: list[str]
    ) -> UserRecord:
        """Create an account; an existing username or unknown role is refused."""
        _check(role, kommuner)
        with self._store._write() as conn:
            if _get(conn, username) is not None:
                raise StoreError(
                    f"User '{username}' already exists",
                    fix="Choose another username, or disable the old account first.",
                )
            conn.execute(
                insert(users).values(
                    username=username,
                    full_name=full_name,
                    password_hash=password_hash,
                    role=role,
                    kommuner=sorted(set(kommuner)),
                    disabled=False,
                    failed_logins=0,
                    created_at=utcnow(),
                )
            )
            user = _get(conn, username)
        assert user is not None
        return user

    def get(self, username: str) -> UserRecord | None:
        """The account with this username, if any."""
        with self._store._read() as conn:
            return _get(conn, username)

    def by_id(self, user_id: int) -> UserRecord | None:
        """The account with this id, if any."""
        with self._store._read() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return UserRecord(*row) if row is not None else None

    def change(self, username: str, *, role: str, kommuner: list[str]) -> UserRecord:
        """Give an account another role or other kommuner (its sessions end). An account
        from single sign-on gets both from its groups at every login, so not here."""
        _check(role, kommuner)
        existing = self.get(username)
        if existing is not None and existing.sso:
            raise _sso_managed(username)
        user = self._set(username, role=role, kommuner=sorted(set(kommuner)))
        self._end_sessions(user.id)
        return user

    def _end_sessions(self, user_id: int) -> None:
        with self._store._write() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))

    def list(self) -> list[UserRecord]:
        """Every account, by username."""
        with self._store._read() as conn:
            return [UserRecord(*row) for row in conn.execute(select(users).order_by("username"))]

    def _set(self, username: str, **values: Any) -> UserRecord:
        with self._store._write() as conn:
            done = conn.execute(update(users).where(users.c.username == username).values(values))
            if done.rowcount == 0:
                raise _user_not_found(username)
            if values.get("disabled"):
                ids = select(users.c.id).where(users.c.username == username)
                conn.execute(delete(web_sessions).where(web_sessions.c.user_id.in_(ids)))
            user = _get(conn, username)
        assert user is not None
        return user

    def set_disabled(self, username: str, disabled: bool = True) -> UserRecord:
        """Disable (and log out everywhere) or enable an account."""
        return self._set(username, disabled=disabled)

    def set_password_hash(
        self, username: str, password_hash: str, *, end_sessions: bool = False
    ) -> UserRecord:
        """Store a new password hash (rehash after login, or a reset that logs out everywhere).

        An account from single sign-on has no password and gets none."""
        existing = self.get(username)
        if existing is not None and existing.sso:
            raise _sso_managed(username)
        user = self._set(username, password_hash=password_hash)
        if end_sessions:
            self._end_sessions(user.id)
        return user

    def login_failed(self, username: str, *, limit: int, lock_for: timedelta) -> bool:
        """Count a failed login; at `limit` failures in a row the account is locked a while.

        Failures while it is locked are not counted: the lock ends when it was set to, so
        nobody keeps an account locked by trying on. Returns whether it is locked now.
        """
        now = utcnow()
        with self._store._write() as conn:
            user = _get(conn, username)
            if user is None:
                return False
            if user.locked(now):
                return True
            failures = user.failed_logins + 1
            values: dict[str, Any] = {"failed_logins": failures}
            if failures >= limit:
                values.update(failed_logins=0, locked_until=now + lock_for)
            conn.execute(update(users).where(users.c.id == user.id).values(values))
        return failures >= limit

    def login_succeeded(self, username: str) -> None:
        """Reset the failure count."""
        self._set(username, failed_logins=0, locked_until=None)

    def start_session(
        self,
        user_id: int,
        *,
        token: str,
        csrf_token: str,
        lifetime: timedelta,
        sso_provider: str | None = None,
        id_token: str | None = None,
    ) -> None:
        """Store a new session (the cookie holds `token`; the table its hash)."""
        now = utcnow()
        with self._store._write() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
            conn.execute(
                insert(web_sessions).values(
                    token_hash=token_hash(token),
                    user_id=user_id,
                    csrf_token=csrf_token,
                    created_at=now,
                    expires_at=now + lifetime,
                    last_seen=now,
                    sso_provider=sso_provider,
                    id_token=id_token,
                )
            )

    def session(
        self, token: str, *, idle: timedelta = timedelta(minutes=30)
    ) -> SessionRecord | None:
        """The live session for a cookie token, with its (enabled) user; None otherwise.

        A session unused for `idle` is over; a used one is marked seen (at most once a
        minute, to spare the database a write per request).
        """
        now = utcnow()
        query = (
            select(
                web_sessions.c.csrf_token,
                web_sessions.c.expires_at,
                web_sessions.c.last_seen,
                web_sessions.c.created_at,
                web_sessions.c.sso_provider,
                web_sessions.c.id_token,
                *users.c,
            )
            .join(users, users.c.id == web_sessions.c.user_id)
            .where(web_sessions.c.token_hash == token_hash(token))
        )
        with self._store._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        csrf, expires_at, last_seen, created_at, provider, id_token, *user_row = row
        user = UserRecord(*user_row)
        seen = last_seen or created_at
        if user.disabled or expires_at <= now or seen + idle <= now:
            return None
        if now - seen > timedelta(minutes=1):
            with self._store._write() as conn:
                conn.execute(
                    update(web_sessions)
                    .where(web_sessions.c.token_hash == token_hash(token))
                    .values(last_seen=now)
                )
        return SessionRecord(
            user=user,
            csrf_token=csrf,
            expires_at=expires_at,
            last_seen=now,
            sso_provider=provider,
            id_token=id_token,
        )

    def end_session(self, token: str) -> None:
        """Log out: the session row is deleted."""
        with self._store._write() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash(token)))

    def trust_device(self, user_id: int, token: str) -> None:
        """Remember a browser that logged in to the account (its cookie holds `token`)."""
        with self._store._write() as conn:
            conn.execute(
                insert(web_devices).values(
                    token_hash=token_hash(token), user_id=user_id, created_at=utcnow()
                )
            )

    def trusted_device(self, user_id: int, token: str | None) -> bool:
        """Whether this browser has logged in to the account before."""
        if not token:
            return False
        query = select(web_devices.c.user_id).where(
            web_devices.c.token_hash == token_hash(token), web_devices.c.user_id == user_id
        )
        with self._store._read() as conn:
            return conn.execute(query).first() is not None

    def sso_account(
        self,
        *,
        issuer: str,
        subject: str,
        username: str,
        full_name: str,
        role: str,
        kommuner: Sequence[str],
    ) -> UserRecord:
        """The account of (issuer, subject), created or brought up to date from the claims.

        The role and kommuner are the ones the provider's groups give today; when they
        changed, the account's other sessions end. A new account is named `username`, or,
        when another account has that name, `username` with a suffix from the subject (a
        single sign-on never takes over an account it did not create).
        """
        chosen = sorted(set(kommuner))
        _check(role, chosen)
        key = (users.c.sso_issuer == issuer) & (users.c.sso_subject == subject)
        with self._store._write() as conn:
            row = conn.execute(select(users).where(key)).first()
            if row is None:
                name = username[:100]
                if _get(conn, name) is not None:
                    suffix = "#" + hashlib.sha256(f"{issuer} {subject}".encode()).hexdigest()[:8]
                    name = username[: 100 - len(suffix)] + suffix
                conn.execute(
                    insert(users).values(
                        username=name,
                        full_name=full_name[:200],
                        password_hash="",
                        role=role,
                        kommuner=chosen,
                        disabled=False,
                        failed_logins=0,
                        created_at=utcnow(),
                        sso_issuer=issuer,
                        sso_subject=subject,
                    )
                )
            else:
                old = UserRecord(*row)
                conn.execute(
                    update(users)
                    .where(users.c.id == old.id)
                    .values(full_name=full_name[:200], role=role, kommuner=chosen)
                )
                if (old.role, old.kommuner) != (role, chosen):
                    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == old.id))
            user = UserRecord(*conn.execute(select(users).where(key)).one())
        return user

    def sso_access_lost(self, *, issuer: str, subject: str) -> UserRecord | None:
        """The provider's groups no longer give (issuer, subject) any access: the account's
        sessions end. Returns the account, if there is one."""
        key = (users.c.sso_issuer == issuer) & (users.c.sso_subject == subject)
        with self._store._write() as conn:
            row = conn.execute(select(users).where(key)).first()
            if row is None:
                return None
            conn.execute(delete(web_sessions).where(web_sessions.c.user_id == row.id))
        return UserRecord(*row)

    def begin_sso(self, token: str, login: SsoLogin, *, lifetime: timedelta) -> None:
        """Remember a login sent to the provider (the browser's cookie holds `token`)."""
        now = utcnow()
        with self._store._write() as conn:
            conn.execute(delete(sso_logins).where(sso_logins.c.expires_at < now))
            conn.execute(
                insert(sso_logins).values(
                    token_hash=token_hash(token),
                    provider=login.provider,
                    state=login.state,
                    nonce=login.nonce,
                    code_verifier=login.code_verifier,
                    next=login.next,
                    expires_at=now + lifetime,
                )
            )

    def take_sso(self, token: str) -> SsoLogin | None:
        """The waiting login of this browser, removed (an answer is used once); None when
        there is none or it expired."""
        key = sso_logins.c.token_hash == token_hash(token)
        with self._store._write() as conn:
            row = conn.execute(select(sso_logins).where(key)).first()
            conn.execute(delete(sso_logins).where(key))
        if row is None or row.expires_at <= utcnow():
            return None
        return SsoLogin(row.provider, row.state, row.nonce, row.code_verifier, row.next)
