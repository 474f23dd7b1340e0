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

from runner.errors import IllegalTransitionError, NotFoundError, ReviewError
from runner.problems import PROBLEMS
from runner.store import CaseState, Store
from runner.vocabulary import Word
from runner.web.i18n import ERRORS, TEXTS, error_words, worded
from tests.web.conftest import HOME, answer_points, login

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
    "sent",
    "draft",
    "queue",
    "quarantine",
    "outbox",
    "dashboard",
    "login",
    "logout",
    "save",
    "cancel",
    "delete",
    "edit",
    "back",
    "next",
    "previous",
    "users",
    "role",
    "name",
    "password",
    "open",
    "caseworker",
    "lead",
    "state",
    "received",
    "approved",
    "rejected",
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


def _waiting(store: Store, *, clear: bool = False) -> tuple[int, int, int]:
    """A waiting case of HOME with a letter (`clear`: a draft that bulk approving takes): its
    id, version and letter id."""
    for case in store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500):
        letter = store.latest_letter(case.id)
        if letter is not None and (not clear or (case.route == "auto" and not case.reasons)):
            return case.id, case.version, letter.id
    raise AssertionError("no waiting case with a letter in the demo store")


#: The notices after an action (runner/web/templates/_messages.html, users.html).
CASE_NOTICES = ["approved", "rejected", "redrafted", "assigned", "answered", "noted", "bulk:2:1"]
USER_NOTICES = ["created", "disabled", "enabled", "changed"]


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
    for notice in CASE_NOTICES:
        yield get(f"/saker/{case_id}?melding={notice}")
    for notice in USER_NOTICES:
        yield get(f"/brukere?melding={notice}")
    yield get("/karantene?melding=handled")
    if role == "leder":  # the confirmation page, and the bulk confirmation
        answer_points(client, store, case_id, csrf)
        case_id, version, letter_id = _waiting(store)
        yield get(f"/saker/{case_id}/bekreft")
        clear, clear_version, _ = _waiting(store, clear=True)
        yield post("/saker/masse", sak=f"{clear}:{clear_version}:0")
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


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_no_english_on_any_page_or_error(
    client: TestClient, web_store: Store, malform: str
) -> None:
    found: list[str] = []
    statuses: set[tuple[str, int]] = set()
    client.cookies.set("malform", malform)
    login_page = client.get("/logg-inn").text
    failed = client.post(
        "/logg-inn", data={"username": "kari", "password": "feil", "csrf": _csrf(login_page)}
    )
    for what, page, status in [
        ("GET /logg-inn", login_page, 200),
        ("POST /logg-inn (wrong password)", failed.text, failed.status_code),
        ("GET /finnes-ikke", client.get("/finnes-ikke").text, 404),
    ]:
        found += [f"anonymous {what} ({status}): …{hit}…" for hit in english_in(page)]
    for role in ROLES:
        csrf = login(client, role)
        client.cookies.set("malform", malform)
        for what, page, status in _visits(client, web_store, role, csrf):
            found += [f"{role} {what} ({status}): …{hit}…" for hit in english_in(page)]
            statuses.add((f"{role} {what.split(' [')[0]}", status))
        client.post("/logg-ut", data={"csrf": csrf})
    assert not found, "English on the pages:\n" + "\n".join(found)
    # The pages were reached, not only their refusals: each role's own pages, the
    # confirmation and bulk pages, and errors of every status the app answers.
    for reached in (
        "kari GET /saker",
        "admin GET /brukere",
        "drift GET /karantene",
        f"leder GET /saker/{_waiting(web_store)[0]}/bekreft",
        "leder POST /saker/masse",
    ):
        assert (reached, 200) in statuses, reached
    assert {400, 403, 404, 405, 409} <= {status for _, status in statuses}


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


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_every_error_has_its_words_in_both_malformer() -> None:
    for key, pairs in ERRORS.items():
        for nb, nn in pairs:
            assert nb.strip() and nn.strip(), key
            assert set(PLACEHOLDER.findall(nb)) == set(PLACEHOLDER.findall(nn)), key
            words = PLACEHOLDER.sub(" ", f"{nb} {nn}")  # {case} is a name, not a word
            assert not english_in(words), (key, nb, nn)


def test_every_error_the_code_names_has_words() -> None:
    """Each worded(Kind, "key") in runner/ names an ERRORS key, and each key but the kinds'
    own is named somewhere (no words left over)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "runner"
    code = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    named = set(re.findall(r'worded\(\s*\w+,\s*"(\w+)"', code))
    named |= set(re.findall(r'text="(\w+)"', code))
    named |= {"case_changed", "illegal_transition"}  # IllegalTransitionError's own
    assert named - ERRORS.keys() == set()
    kinds = {"error", "not_found", "review", "bad_request", "forbidden", "login_required"}
    problems = PROBLEMS.keys()  # a problem's words are named as tests/test_problems.py checks
    assert ERRORS.keys() - named - kinds - problems == set()


def test_words_fill_in_the_readers_malform() -> None:
    changed = IllegalTransitionError("7", "approved", "approved", changed=True)
    assert error_words(changed, "nn") == (
        "Sak 7 er endra sidan du opna ho",
        "Opne saka på nytt, sjå kva som er endra, og prøv igjen.",
    )
    moved = IllegalTransitionError("7", "pending_review", "finalised")
    assert error_words(moved, "nb")[0] == (
        "Sak 7 har tilstanden «Venter på saksbehandler» og kan ikke behandles slik nå"
    )
    assert "pending_review" in str(moved)  # the operator's text keeps the code
    outcome = worded(ReviewError, "no_letter_for_outcome", outcome=Word("outcome", "avslag"))
    assert outcome.message == "Roboten har ikke noe brev for utfallet «Avslag»"
    assert error_words(outcome, "nn")[0] == "Roboten har ikkje noko brev for utfallet «Avslag»"
    noted = worded(ReviewError, "points_open", notes=("edits_saved",), n=2)
    assert error_words(noted, "nn")[0] == (
        "Saka har 2 opne punkt som ikkje er avgjorde " + TEXTS["edits_saved"][1]
    )
    plain = NotFoundError("Case 9 does not exist", fix="Choose another.")  # raised outside web
    assert error_words(plain, "nn") == tuple(pair[1] for pair in ERRORS["not_found"])
