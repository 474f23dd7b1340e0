"""The authorization matrix: each role × each route × a case of the own or another kommune.

A role without the permission gets 403 whatever the case; a role with it gets the page for
its own kommune's case and 404 for another kommune's — the same answer as for a case that
does not exist, so guessing ids reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runner.store import CaseRecord, CaseState, Store
from runner.web.actions import letter_digest
from tests.web.conftest import HOME, OTHER, USERS, login

#: (name, permission, method, path, form builder, status when allowed)
Form = Callable[[Store, CaseRecord], dict[str, Any]]


def _version(store: Store, case: CaseRecord) -> dict[str, Any]:
    letter = store.latest_letter(case.id)
    assert letter is not None
    return {"version": case.version, "letter_id": letter.id}


def _confirmed(store: Store, case: CaseRecord) -> dict[str, Any]:
    letter = store.latest_letter(case.id)
    assert letter is not None
    return {"version": case.version, "letter_id": letter.id, "letter_hash": letter_digest(letter)}


CASE_ROUTES: list[tuple[str, str, str, str, Form, int]] = [
    ("view", "review", "GET", "/saker/{id}", lambda s, c: {}, 200),
    (
        "preview",
        "review",
        "POST",
        "/saker/{id}/forhandsvis",
        lambda s, c: {"markdown": "# Utkast"},
        200,
    ),
    ("approve", "review", "POST", "/saker/{id}/godkjenn", _version, 303),
    ("confirm", "review", "GET", "/saker/{id}/bekreft", lambda s, c: {}, 200),
    ("send", "review", "POST", "/saker/{id}/send", _confirmed, 303),
    ("note", "review", "POST", "/saker/{id}/notat", lambda s, c: {"note": "Ringt søker"}, 303),
    (
        "reject",
        "review",
        "POST",
        "/saker/{id}/avvis",
        lambda s, c: {"version": c.version, "reason": "trukket"},
        303,
    ),
    (
        "outcome",
        "review",
        "POST",
        "/saker/{id}/utfall",
        lambda s, c: {
            "version": c.version,
            "outcome": "avslag" if c.outcome != "avslag" else "innvilget",
        },
        303,
    ),
    ("take", "review", "POST", "/saker/{id}/tildel", lambda s, c: {"action": "take"}, 303),
    (
        "assign",
        "assign",
        "POST",
        "/saker/{id}/tildel",
        lambda s, c: {"action": "assign", "username": "kari"},
        303,
    ),
    (
        "bulk-review",
        "bulk",
        "POST",
        "/saker/masse",
        lambda s, c: {"sak": f"{c.id}:{c.version}:0"},
        200,
    ),
    (
        "bulk-approve",
        "bulk",
        "POST",
        "/saker/masse/godkjenn",
        lambda s, c: {"sak": f"{c.id}:{c.version}:{_version(s, c)['letter_id']}"},
        303,
    ),
]
PAGES = [
    ("/saker", "review"),
    ("/karantene", "quarantine"),
    ("/utboks", "review"),
    ("/oversikt", "dashboard"),
    ("/brukere", "users"),
]
PERMISSIONS = {
    "caseworker": {"review", "dashboard", "quarantine"},
    "lead": {"review", "dashboard", "assign", "bulk", "quarantine"},
    "admin": {"dashboard", "users"},
    # The quarantined items no kommune owns (test_authorization_matrix.py).
    "deployment_admin": {"dashboard", "users", "quarantine"},
}


#: Routes that need a clear draft (a letter, no open points); the others take any waiting case.
NEEDS_CLEAR = {"approve", "confirm", "confirm-pdf", "send", "bulk-review", "bulk-approve"}


def _waiting(store: Store, kommune: str, *, clear: bool = True) -> list[CaseRecord]:
    cases = store.list_cases(state=CaseState.pending_review, kommunenummer=kommune, limit=500)
    # clear drafts without open points: every route accepts them
    return [
        c
        for c in cases
        if (c.route == "auto" and not c.reasons) == clear and store.latest_letter(c.id)
    ]


def _call(client: TestClient, method: str, path: str, csrf: str, form: dict[str, Any]) -> int:
    if method == "GET":
        return client.get(path).status_code
    return client.post(path, data={"csrf": csrf, **form}).status_code


@pytest.mark.parametrize("username", ["kari", "leder", "admin", "drift"])
def test_case_routes(client: TestClient, web_store: Store, username: str) -> None:
    role = USERS[username][0]
    csrf = login(client, username)
    clear, flagged = iter(_waiting(web_store, HOME)), iter(_waiting(web_store, HOME, clear=False))
    other = _waiting(web_store, OTHER, clear=False)  # only ever refused: any draft will do
    assert other
    results = {}
    for name, permission, method, path, form, ok in CASE_ROUTES:
        own = next(clear if name in NEEDS_CLEAR else flagged)  # each route its own case
        for where, case in (("own", own), ("other", other[0])):
            case = web_store.get_case(case.id)
            status = _call(client, method, path.format(id=case.id), csrf, form(web_store, case))
            allowed = permission in PERMISSIONS[role]
            expected = (ok if where == "own" else 404) if allowed else 403
            results[(name, where)] = (status, expected)
    wrong = {key: value for key, value in results.items() if value[0] != value[1]}
    assert wrong == {}, f"{role}: (status, expected) {wrong}"
    # Another kommune's case was left alone by every attempt.
    assert web_store.get_case(other[0].id).state == CaseState.pending_review


@pytest.mark.parametrize("username", ["kari", "leder", "admin", "ola", "drift"])
def test_pages(client: TestClient, username: str) -> None:
    role, kommuner = USERS[username]
    login(client, username)
    for path, permission in PAGES:
        response = client.get(path)
        expected = 200 if permission in PERMISSIONS[role] else 403
        assert response.status_code == expected, (role, path)
        if path == "/saker" and expected == 200:
            # The queue lists only the user's own kommune's cases.
            assert ("OSLO-" in response.text) == (OTHER in kommuner)


def test_admin_manages_users_others_may_not(client: TestClient, web_store: Store) -> None:
    form = {
        "username": "nina",
        "full_name": "Nina",
        "password": "lang-nok-passord-1",
        "role": "caseworker",
        "kommuner": HOME,
    }
    csrf = login(client, "kari")
    assert client.post("/brukere", data={"csrf": csrf, **form}).status_code == 403
    client.cookies.clear()
    csrf = login(client, "admin")
    assert client.post("/brukere", data={"csrf": csrf, **form}).status_code == 303
    assert web_store.users.get("nina") is not None
    created = web_store.users.get("nina")
    assert created is not None
    assert client.post(f"/brukere/{created.id}/deaktiver", data={"csrf": csrf}).status_code == 303
    nina = web_store.users.get("nina")
    assert nina is not None and nina.disabled


def test_bulk_across_kommuner_sends_nothing(client: TestClient, web_store: Store) -> None:
    """A bulk request that names another kommune's case is refused whole (404, as for a
    case that does not exist): the own cases listed before it are neither shown nor sent."""
    csrf = login(client, "leder")
    own, other = _waiting(web_store, HOME)[:2], _waiting(web_store, OTHER, clear=False)[0]

    def value(case: CaseRecord) -> str:
        return f"{case.id}:{case.version}:{_version(web_store, case)['letter_id']}"

    chosen = [value(own[0]), value(other), value(own[1])]
    assert client.post("/saker/masse", data={"csrf": csrf, "sak": chosen}).status_code == 404
    sent = client.post("/saker/masse/godkjenn", data={"csrf": csrf, "sak": chosen})
    assert sent.status_code == 404
    for case in (*own, other):
        assert web_store.get_case(case.id).state == CaseState.pending_review
        assert web_store.outbox_for_case(case.id) == []
