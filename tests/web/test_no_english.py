"""No English on any page a caseworker or admin reads: every page and every error page of the
demo app, as each role, in bokmål and nynorsk, is searched for common English words in
its visible text (tags, URLs and <code>/<pre> are not words a reader is told; the text of
aria-label, title, alt and placeholder attributes is)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from runner.store import CaseState, Store
from tests.web.conftest import HOME, login

#: Common English words and phrases; matched as whole words, case-insensitively.
ENGLISH = [
    "does not exist",
    "not found",
    "method not allowed",
    "error",
    "case",
    "cases",
    "letter",
    "approve",
    "pending",
    "review",
    "the",
    "and",
    "you",
    "your",
    "cannot",
    "missing",
    "invalid",
    "please",
    "must",
    "has",
    "this",
    "with",
    "not",
    "user",
    "page",
    "request",
    "form",
    "field",
]
ENGLISH_WORD = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.I)
#: What a reader is not told in words: code, raw content, scripts and styles.
HIDDEN = re.compile(r"<(code|pre|script|style)\b.*?</\1>", re.S | re.I)
#: Attributes whose values are read (screen readers, tooltips, empty inputs).
READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"', re.I)
TAGS = re.compile(r"<[^>]+>")
URL = re.compile(r"(?:https?://|/)[\w\-./?=&%#~:+]*")


def visible_text(page: str) -> str:
    """What a reader sees or hears on the page."""
    page = HIDDEN.sub(" ", page)
    read = " ".join(READ_ATTRIBUTES.findall(page))
    text = html.unescape(TAGS.sub(" ", page) + " " + read)
    return URL.sub(" ", text)


def english_in(page: str) -> list[str]:
    """The English words of `page`'s visible text, each with a little of its context."""
    text = " ".join(visible_text(page).split())
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in ENGLISH_WORD.finditer(text)]


def test_the_check_finds_english_and_passes_norwegian() -> None:
    english = '<p class="message">Case 12 does not exist</p><a aria-label="Approve">x</a>'
    assert len(english_in(english)) == 3  # "Case", "does not exist", "Approve"
    norwegian = (
        '<p>Saka finst ikkje</p><code>pending_review</code><a href="/review/case">Gå</a>'
        '<input name="letter" aria-label="Brevet">'
    )
    assert english_in(norwegian) == []


def _waiting(store: Store) -> tuple[int, int, int]:
    """A waiting case of HOME with a letter: its id, version and letter id."""
    for case in store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500):
        letter = store.latest_letter(case.id)
        if letter is not None:
            return case.id, case.version, letter.id
    raise AssertionError("no waiting case with a letter in the demo store")


def _quarantined(store: Store) -> int:
    return store.list_cases(state=CaseState.quarantined, kommunenummer=HOME)[0].id


def _visits(
    client: TestClient, store: Store, role: str, csrf: str
) -> Iterator[tuple[str, str, int]]:
    """(what, page, status) for every page the role can reach and the errors it can meet."""
    case_id, version, letter_id = _waiting(store)
    quarantined = _quarantined(store)

    def get(path: str) -> tuple[str, str, int]:
        response = client.get(path)
        return f"GET {path}", response.text, response.status_code

    def post(path: str, **form: str) -> tuple[str, str, int]:
        response = client.post(path, data={"csrf": csrf, **form})
        return f"POST {path} {sorted(form)}", response.text, response.status_code

    for path in ("/saker", "/karantene", "/oversikt", "/utboks", "/brukere"):
        yield get(path)
    yield get(f"/saker/{case_id}")
    yield get(f"/saker/{case_id}/bekreft")
    yield get(f"/karantene/{quarantined}")
    yield get(f"/karantene/{case_id}")  # not quarantined
    yield get(f"/saker/{case_id}/dokumenter/finnes-ikke")
    yield get("/saker/999999")
    yield get("/saker/abc")  # a path parameter the framework refuses (422)
    yield get("/saker?alder=abc")
    yield get("/finnes-ikke")  # the framework's 404
    yield get("/logg-inn/sso/finnes-ikke")
    response = client.delete("/saker")  # the framework's 405
    yield "DELETE /saker", response.text, response.status_code
    response = client.post(f"/saker/{case_id}/notat", data={"csrf": "feil", "note": "x"})
    yield "POST without CSRF", response.text, response.status_code
    yield post(f"/saker/{case_id}/notat", note=" ")
    yield post(f"/saker/{case_id}/avvis", version=str(version), reason=" ")
    yield post(f"/saker/{case_id}/avvis", version=str(version + 100), reason="grunn")
    yield post(f"/saker/{case_id}/godkjenn", version=str(version), letter_id=str(letter_id + 99))
    yield post(
        f"/saker/{case_id}/send",
        version=str(version),
        letter_id=str(letter_id),
        letter_hash="0" * 64,
    )
    yield post(f"/saker/{case_id}/utfall", version=str(version), outcome="finnes_ikke")
    yield post(f"/saker/{case_id}/tildel", action="finnes-ikke")
    yield post(f"/saker/{case_id}/tildel", action="assign", username="finnes-ikke")
    yield post(f"/saker/{case_id}/vurdering", version="abc")
    yield post("/saker/masse")
    yield post(f"/karantene/{quarantined}/handtert", note="x" * 3000)
    yield post("/brukere", username="ny", full_name="Ny", password="kort", role="caseworker")
    yield post(
        "/brukere",
        username="ny",
        full_name="Ny",
        password="langt-nok-passord-her",
        role="deployment_admin",
        kommuner="9999",
    )
    yield post(
        "/brukere",
        username="ny2",
        full_name="Ny",
        password="langt-nok-passord-her",
        role="deployment_admin",
        kommuner=HOME,
    )
    yield post("/brukere/999999/deaktiver")
    own = store.users.get(role)
    assert own is not None
    yield post(f"/brukere/{own.id}/deaktiver")


ROLES = ["kari", "leder", "admin", "drift"]


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_no_english_on_any_page_or_error(
    client: TestClient, web_store: Store, malform: str
) -> None:
    found: list[str] = []
    client.cookies.set("malform", malform)
    for what, page, status in [
        ("GET /logg-inn", client.get("/logg-inn").text, 200),
        ("GET /finnes-ikke", client.get("/finnes-ikke").text, 404),
    ]:
        found += [f"anonymous {what} ({status}): …{hit}…" for hit in english_in(page)]
    for role in ROLES:
        csrf = login(client, role)
        client.cookies.set("malform", malform)
        for what, page, status in _visits(client, web_store, role, csrf):
            found += [f"{role} {what} ({status}): …{hit}…" for hit in english_in(page)]
        client.post("/logg-ut", data={"csrf": csrf})
    assert not found, "English on the pages:\n" + "\n".join(found)


def test_json_errors_speak_the_readers_malform(client: TestClient) -> None:
    login(client, "kari")
    accept = {"accept": "application/json"}
    client.cookies.set("malform", "nn")
    assert client.get("/saker/999999", headers=accept).json() == {
        "error": "not_found",
        "message": "Saka finst ikkje",
        "fix": "Gå tilbake til køen og vel ei sak frå lista.",
    }
    client.cookies.set("malform", "nb")
    answer = client.get("/finnes-ikke", headers=accept)
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert "Not Found" not in answer.text and "finnes ikke" in answer.json()["message"]
    wrong = client.delete("/saker", headers=accept)
    assert wrong.status_code == 405 and wrong.json()["error"] == "bad_request"
    assert "Method" not in wrong.text
