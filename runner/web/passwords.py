"""Passwords (argon2id) and random tokens for sessions and CSRF."""

from __future__ import annotations

import hmac
import os
import secrets
import string
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()

#: Shortest password `saksrobot users add` accepts.
MIN_LENGTH = 12

#: argon2 takes 64 MiB and a core per check: at most this many at once, whatever the load.
_AT_ONCE = threading.BoundedSemaphore(max(os.cpu_count() or 1, 2))

#: A hash to verify against when the username does not exist, so both take the same time.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of a password (salted; parameters stored in the hash)."""
    with _AT_ONCE:
        return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; an unknown user costs the same time as a wrong password."""
    try:
        with _AT_ONCE:
            matches = _HASHER.verify(password_hash or _DUMMY_HASH, password)
        return matches and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


def new_token() -> str:
    """A random, URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two tokens; a missing one never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def new_password(length: int = 16) -> str:
    """A random password without look-alike characters, for demo and new accounts."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "lI1O0o")
    return "".join(secrets.choice(alphabet) for _ in range(length))
