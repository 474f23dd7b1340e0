"""A caseworker's hand edits survive when the letter is drafted again (answers saved again):
kept on the new draft where only they changed the text; where the new draft changed the same
passage, the new draft is the letter, their text stays stored, the case page shows both, and
sending asks that they have seen it. In both målformer (the page's and the letter's)."""

from __future__ import annotations

import json
import re
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import CaseState, Store
from runner.web.actions import letter_digest
from tests.web.conftest import ASSESSMENT, HOME, answer_points, login, send_confirmed
from tests.web.test_no_english import english_in

CASE = CONTENT_ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000115.json"
ADDED = {
    "nb": "Vi viser også til telefonsamtalen med deg 3. desember.",
    "nn": "Vi viser òg til telefonsamtalen med deg 3. desember.",
}
#: What the page says, per målform.
WORDS = {
    "nb": {
        "kept": "Endringene du gjorde i brevteksten (versjon {v}), er ført over",
        "kept_event": "Nytt utkast med endringene i brevet",
        "conflict": "Endringer som ikke kunne føres over",
        "conflict_event": "Nytt utkast: endringer i brevet kunne ikke føres over",
        "yours": "Din tekst",
        "seen": "Jeg har sett endringene mine som ikke ble ført over",
        "not_seen": "1 av endringene dine i brevteksten kom ikke med i det nye utkastet",
    },
    "nn": {
        "kept": "Endringane du gjorde i brevteksten (versjon {v}), er førte over",
        "kept_event": "Nytt utkast med endringane i brevet",
        "conflict": "Endringar som ikkje kunne førast over",
        "conflict_event": "Nytt utkast: endringar i brevet kunne ikkje førast over",
        "yours": "Teksten din",
        "seen": "Eg har sett endringane mine som ikkje vart førte over",
        "not_seen": "1 av endringane dine i brevteksten kom ikkje med i det nye utkastet",
    },
}
PASSAGE = re.compile(r'<tr class="left-out-passage"><td><pre class="passage">(.*?)</pre></td>'
                     r'<td><pre class="passage">(.*?)</pre></td></tr>', re.S)  # fmt: skip


def _case(settings: Settings, store: Store, inbox: Path, malform: str) -> int:
    """A byggesak with open points, in `malform`, waiting for the caseworker."""
    data = json.loads(CASE.read_text(encoding="utf-8"))
    data.update(reference="BS-2026-920115", kommunenummer=HOME, malform=malform)
    inbox.mkdir()
    (inbox / "sak.json").write_text(json.dumps(data), encoding="utf-8")
    run_robot(settings, store, load_robots(settings.content_dir / "robots")["byggesak-smatiltak"],
              inbox=inbox)  # fmt: skip
    case_id = store.find_case("BS-2026-920115").id
    assert store.get_case(case_id).state == CaseState.pending_review
    return case_id


def _save_edit(client: TestClient, store: Store, case_id: int, csrf: str, markdown: str) -> None:
    """The caseworker's edited text, kept as they go on to the confirmation."""
    letter = store.latest_letter(case_id)
    assert letter is not None
    form = {"csrf": csrf, "version": str(store.get_case(case_id).version),
            "letter_id": str(letter.id), "markdown": markdown}  # fmt: skip
    response = client.post(f"/saker/{case_id}/godkjenn", data=form)
    assert response.status_code == 303, response.text


def _pdf_text(path: str) -> str:
    reader = PdfReader(BytesIO(Path(path).read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_an_edit_is_kept_when_the_answers_draft_the_letter_again(
    client: TestClient, web_settings: Settings, web_store: Store, tmp_path: Path, malform: str
) -> None:
    case_id = _case(web_settings, web_store, tmp_path / "inbox", malform)
    client.cookies.set("malform", malform)
    csrf = login(client, "kari")
    answer_points(client, web_store, case_id, csrf)
    draft = web_store.latest_letter(case_id)
    assert draft is not None and draft.template_id is not None
    # An edit near the end, beside text the next draft keeps.
    heading = "## Slik søker du" if malform == "nb" else "## Slik søkjer du"
    assert heading in draft.markdown
    edited_text = draft.markdown.replace(heading + "\n\n", f"{heading}\n\n{ADDED[malform]}\n\n")
    _save_edit(client, web_store, case_id, csrf, edited_text)
    edited = web_store.latest_letter(case_id)
    assert edited is not None and edited.markdown == edited_text
    assert (edited.template_id, edited.based_on) == (None, draft.id)

    # The caseworker changes their answers: the letter is drafted again, with the edit.
    answer_points(client, web_store, case_id, csrf, outcome="oppfylt")
    letter = web_store.latest_letter(case_id)
    assert letter is not None and letter.version == edited.version + 2
    redrafted = web_store.letters(case_id)[-2]  # the robot's new draft, the next base
    assert redrafted.template_id is not None and ADDED[malform] not in redrafted.markdown
    assert (letter.template_id, letter.based_on, letter.created_by) == (None, redrafted.id, "kari")
    assert ADDED[malform] in letter.markdown
    assert letter.markdown == redrafted.markdown.replace(
        heading + "\n\n", f"{heading}\n\n{ADDED[malform]}\n\n"
    )
    event = web_store.events(case_id)[-1]
    assert (event.kind, event.actor) == ("letter_edits_kept", "kari")
    assert event.data["letter_id"] == letter.id and event.data["edited_letter_id"] == edited.id
    page = client.get(f"/saker/{case_id}").text
    assert WORDS[malform]["kept"].format(v=edited.version) in page
    assert WORDS[malform]["kept_event"] in page and 'id="left-out"' not in page
    assert english_in(page) == []
    found = re.search(r'<textarea id="markdown" name="markdown"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None and unescape(found.group(1)) == letter.markdown

    # What is confirmed and sent is exactly this text, its PDF too.
    assert send_confirmed(client, web_store, case_id, csrf).status_code == 303
    sent = web_store.latest_letter(case_id)
    assert sent is not None and sent.id == letter.id and sent.approved_by == "kari"
    assert web_store.get_case(case_id).state == CaseState.sent
    assert sent.pdf_path and ADDED[malform] in _pdf_text(sent.pdf_path)


def _conflicting(
    client: TestClient, store: Store, case_id: int, csrf: str, malform: str
) -> tuple[str, str]:
    """Edit one of the caseworker's own assessments in the letter, then change the answers,
    so the new draft changes that passage too; (their line, the new draft's line)."""
    answer_points(client, store, case_id, csrf)
    draft = store.latest_letter(case_id)
    assert draft is not None
    line = [x for x in draft.markdown.splitlines() if ASSESSMENT in x][-1]
    mine = line.replace(ASSESSMENT, f"{ASSESSMENT} {ADDED[malform]}")
    assert mine != line
    _save_edit(client, store, case_id, csrf, draft.markdown.replace(line, mine))
    answer_points(client, store, case_id, csrf, outcome="oppfylt")
    new = store.latest_letter(case_id)
    assert new is not None
    changed = next(x for x in new.markdown.splitlines() if x.startswith(line.split(":")[0] + ":"))
    assert changed != line
    return mine, changed


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_a_conflict_keeps_the_new_draft_shows_both_texts_and_asks_before_sending(
    client: TestClient, web_settings: Settings, web_store: Store, tmp_path: Path, malform: str
) -> None:
    case_id = _case(web_settings, web_store, tmp_path / "inbox", malform)
    client.cookies.set("malform", malform)
    csrf = login(client, "kari")
    mine, changed = _conflicting(client, web_store, case_id, csrf, malform)

    # The new draft is the letter; the caseworker's text is still stored.
    letter = web_store.latest_letter(case_id)
    assert letter is not None and letter.template_id is not None
    assert ADDED[malform] not in letter.markdown
    edited = web_store.letters(case_id)[-2]
    assert edited.based_on is not None and mine in edited.markdown
    event = web_store.events(case_id)[-1]
    assert (event.kind, event.data["letter_id"], event.data["edited_letter_id"]) == (
        "letter_edits_conflict", letter.id, edited.id)  # fmt: skip

    # The case page shows the passage: their text beside the new draft's, in their målform.
    page = client.get(f"/saker/{case_id}").text
    assert 'id="left-out"' in page and WORDS[malform]["conflict"] in page
    assert WORDS[malform]["yours"] in page and WORDS[malform]["conflict_event"] in page
    passages = [(unescape(a), unescape(b)) for a, b in PASSAGE.findall(page)]
    assert len(passages) == 1
    theirs, new = passages[0]
    assert mine in theirs.splitlines() and changed in new.splitlines()
    assert english_in(page) == []

    # Sending: the confirmation names it, and asks that they have seen it.
    form = {"csrf": csrf, "version": str(web_store.get_case(case_id).version),
            "letter_id": str(letter.id)}  # fmt: skip
    assert client.post(f"/saker/{case_id}/godkjenn", data=form).status_code == 303
    confirm = client.get(f"/saker/{case_id}/bekreft").text
    assert 'id="left-out"' in confirm and 'id="edits-seen"' in confirm
    assert WORDS[malform]["seen"] in confirm and english_in(confirm) == []
    send = {**form, "letter_hash": letter_digest(letter)}
    refused = client.post(f"/saker/{case_id}/send", data=send)
    assert refused.status_code == 409 and WORDS[malform]["not_seen"] in refused.text
    assert english_in(refused.text) == []
    assert web_store.get_case(case_id).state == CaseState.pending_review
    sent = client.post(f"/saker/{case_id}/send", data={**send, "endringer_sett": "ja"})
    assert sent.status_code == 303, sent.text
    assert web_store.get_case(case_id).state == CaseState.sent
    approved = next(e for e in web_store.events(case_id) if e.kind == "approved")
    assert approved.data["edits_left_out"] == 1 and approved.data["letter_id"] == letter.id


def test_edits_made_again_on_the_new_draft_end_the_conflict(
    client: TestClient, web_settings: Settings, web_store: Store, tmp_path: Path
) -> None:
    case_id = _case(web_settings, web_store, tmp_path / "inbox", "nb")
    csrf = login(client, "kari")
    mine, changed = _conflicting(client, web_store, case_id, csrf, "nb")
    letter = web_store.latest_letter(case_id)
    assert letter is not None
    _save_edit(client, web_store, case_id, csrf, letter.markdown.replace(changed, mine))
    redone = web_store.latest_letter(case_id)
    assert redone is not None and redone.based_on == letter.id
    assert 'id="left-out"' not in client.get(f"/saker/{case_id}").text
    confirm = client.get(f"/saker/{case_id}/bekreft").text
    assert 'id="edits-seen"' not in confirm
    assert send_confirmed(client, web_store, case_id, csrf).status_code == 303
    sent = web_store.latest_letter(case_id)
    assert sent is not None and mine in sent.markdown and sent.approved_by == "kari"


def test_an_edit_is_kept_when_the_caseworker_drafts_for_another_outcome(
    client: TestClient, web_settings: Settings, web_store: Store, tmp_path: Path
) -> None:
    """"Skriv nytt utkast" for another outcome: a closing line the caseworker added is kept."""
    case_id = _case(web_settings, web_store, tmp_path / "inbox", "nb")
    csrf = login(client, "kari")
    answer_points(client, web_store, case_id, csrf)
    draft = web_store.latest_letter(case_id)
    assert draft is not None
    _save_edit(client, web_store, case_id, csrf, f"{draft.markdown}\n{ADDED['nb']}\n")
    before = web_store.get_case(case_id)
    form = {"csrf": csrf, "version": str(before.version), "outcome": "avslag"}
    assert client.post(f"/saker/{case_id}/utfall", data=form).status_code == 303
    case = web_store.get_case(case_id)
    letter = web_store.latest_letter(case_id)
    redrafted = web_store.letters(case_id)[-2]
    assert case.outcome == "avslag" != before.outcome
    assert letter is not None and letter.based_on == redrafted.id
    assert redrafted.template_id == "byggesak/avslag" and ADDED["nb"] not in redrafted.markdown
    assert letter.markdown.rstrip().endswith(ADDED["nb"])
    assert [e.kind for e in web_store.events(case_id)[-2:]] == [
        "outcome_changed", "letter_edits_kept"]  # fmt: skip
