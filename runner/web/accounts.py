"""Caseworker accounts for the review page: adding one with a checked or random password."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.store import Store


def create_user(
    store: Store,
    *,
    username: str,
    full_name: str,
    role: str,
    kommuner: list[str],
    password: str | None = None,
) -> str:
    """Add an account; returns the password (a new random one unless given)."""
    from runner.errors import StoreError
    from runner.web.passwords import MIN_LENGTH, hash_password, new_password

    chosen = password if password is not None else new_password()
    if len(chosen) < MIN_LENGTH:
        raise StoreError(
            f"The password has fewer than {MIN_LENGTH} characters",
            fix="Choose a longer password, or leave it out to get a random one.",
        )
    store.users.add(
        username=username,
        full_name=full_name,
        password_hash=hash_password(chosen),
        role=role,
        kommuner=kommuner,
    )
    return chosen
