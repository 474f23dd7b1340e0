"""Deciding, not clicking: the case page leads with the open points, the caseworker answers
each, the letter is drafted with the answers, and sending goes through a confirmation that
shows the final PDF and sends exactly that letter. Notes, "Mine saker", filters in the URL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from runner.points import open_points
from runner.store import CaseRecord, CaseState, Store
from runner.web.actions import letter_digest
from tests.web.conftest import (
    ASSESSMENT,
    HIDDEN,
    HOME,
    OTHER,
    answer_points,
    login,
    open_point_ids,
    send_confirmed,
)

JSON = {"accept": "application/json"}


def _with_points(store: Store, *, route: str | None = None) -> list[CaseRecord]:
    """Waiting cases of the own kommune with a letter and at least one open point."""
    cases = store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
    return [
        c
        for c in cases
        if store.latest_letter(c.id) is not None
        and open_point_ids(store, c.id)
        and (route is None or c.route == route)
    ]


def _approve_form(store: Store, case_id: int, csrf: str) -> dict[str, str]:
    letter = store.latest_letter(case_id)
    assert letter is not None
    case = store.get_case(case_id)
    return {"csrf": csrf, "version": str(case.version), "letter_id": str(letter.id)}


def test_sending_is_refused_while_open_points_are_unanswered(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    case = _with_points(web_store)[0]
    page = client.get(f"/saker/{case.id}").text
    # The page leads with the open points, before the facts; nothing to send yet.
    assert page.index("Åpne punkter du må avgjøre") < page.index("Opplysninger i saken")
    assert 'id="approve"' not in page and 'id="approve-edited"' not in page
    assert 'id="answer-first"' in page
    form = _approve_form(web_store, case.id, csrf)
    refused = client.post(f"/saker/{case.id}/godkjenn", data=form, headers=JSON)
    assert refused.status_code == 409 and refused.json()["error"] == "review"
    assert "åpne punkt" in refused.json()["message"]
    assert client.get(f"/saker/{case.id}/bekreft", headers=JSON).status_code == 409
    letter = web_store.latest_letter(case.id)
    assert letter is not None
    forged = {**form, "letter_hash": letter_digest(letter)}
    assert client.post(f"/saker/{case.id}/send", data=forged, headers=JSON).status_code == 409
    assert web_store.get_case(case.id).state == CaseState.pending_review
    assert web_store.outbox_for_case(case.id) == []


def test_answers_need_an_assessment_and_are_stored_with_who_and_when(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    case = _with_points(web_store)[0]
    decision = web_store.latest_decision(case.id)
    assert decision is not None
    point = open_points(decision.results)[0]
    override = "oppfylt" if point.robot_outcome != "oppfylt" else "ikke_oppfylt"
    base = {"csrf": csrf, "version": str(case.version)}

    # Overriding the robot (or deciding what it left unclear) without an assessment: refused,
    # the page comes back with the answer kept and what is missing.
    short = {**base, f"svar:{point.rule_id}": override, f"vurdering:{point.rule_id}": "Ok."}
    response = client.post(f"/saker/{case.id}/vurdering", data=short)
    assert response.status_code == 400
    assert "Skriv en vurdering på minst 20 tegn." in response.text
    assert f'id="svar-{point.rule_id}-{override}" checked' in response.text
    assert web_store.casework.answers(case.id) == {}
    read = web_store.events(case.id)[-1]  # the page shown again is a read like any other
    assert (read.kind, read.actor, read.data["page"]) == ("viewed", "kari", "vurdering")
    assert read.data["role"] == "caseworker" and read.data["source"]
    no_choice = {**base, f"vurdering:{point.rule_id}": ASSESSMENT}
    response = client.post(f"/saker/{case.id}/vurdering", data=no_choice)
    assert response.status_code == 400 and "Velg oppfylt eller ikke oppfylt." in response.text

    before = web_store.latest_letter(case.id)
    assert before is not None
    good = {**base, f"svar:{point.rule_id}": override, f"vurdering:{point.rule_id}": ASSESSMENT}
    assert client.post(f"/saker/{case.id}/vurdering", data=good).status_code == 303
    answer = web_store.casework.answers(case.id)[point.rule_id]
    assert (answer.outcome, answer.assessment, answer.answered_by) == (override, ASSESSMENT, "kari")
    assert (answer.robot_outcome, answer.decision_id) == (point.robot_outcome, decision.id)
    event = web_store.events(case.id)[-1]
    assert (event.kind, event.actor) == ("points_answered", "kari")
    assert event.data["answers"] == {point.rule_id: override}
    # The letter is drafted again, by kari, with the assessment in its reasoning.
    letter = web_store.latest_letter(case.id)
    assert letter is not None and letter.version == before.version + 1
    assert letter.created_by == "kari" and ASSESSMENT in letter.markdown
    assert event.data["letter_id"] == letter.id
    page = client.get(f"/saker/{case.id}").text
    assert f'id="answered-{point.rule_id}"' in page and "Avgjort av kari" in page
    assert "Åpne punkter avgjort" in page  # the history, in words
    client.cookies.set("malform", "nn")
    nynorsk = client.get(f"/saker/{case.id}").text
    assert "Opne punkt du må avgjere" in nynorsk and "Opne punkt avgjorde" in nynorsk


def test_confirmation_shows_the_final_pdf_and_refuses_a_changed_draft(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    case = _with_points(web_store)[0]
    answer_points(client, web_store, case.id, csrf)
    first = client.post(f"/saker/{case.id}/godkjenn", data=_approve_form(web_store, case.id, csrf))
    assert first.status_code == 303 and first.headers["location"] == f"/saker/{case.id}/bekreft"
    page = client.get(f"/saker/{case.id}/bekreft").text
    record = web_store.get_case(case.id)
    assert "Kontroller og send vedtaket" in page and ASSESSMENT in page
    outcome_shown = re.search(r'id="confirm-outcome">([^<]+)<', page)
    assert outcome_shown and outcome_shown.group(1) != record.outcome  # in words, not a code
    assert f'href="/saker/{case.id}/dokumenter/utkast"' in page
    pdf = client.get(f"/saker/{case.id}/dokumenter/utkast")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    read = web_store.events(case.id)[-1]
    assert (read.kind, read.actor, read.data["page"]) == ("viewed", "kari", "dokument")
    old_form = dict(HIDDEN.findall(page[page.index('id="send-form"') :]))

    # The draft changes after the confirmation was shown: its form no longer sends.
    letter = web_store.latest_letter(case.id)
    assert letter is not None
    edited = letter.markdown + "\n\nEndret etter bekreftelsen.\n"
    form = {**_approve_form(web_store, case.id, csrf), "markdown": edited}
    assert client.post(f"/saker/{case.id}/godkjenn", data=form).status_code == 303
    stale = {**old_form, "version": str(web_store.get_case(case.id).version)}
    refused = client.post(f"/saker/{case.id}/send", data=stale, headers=JSON)
    assert refused.status_code == 409 and refused.json()["error"] == "review"
    tampered = {**old_form, "letter_id": str(web_store.latest_letter(case.id).id)}  # type: ignore[union-attr]
    tampered["version"] = stale["version"]
    refused = client.post(f"/saker/{case.id}/send", data=tampered, headers=JSON)
    assert refused.status_code == 409
    assert "endret etter at det ble vist" in refused.json()["message"]
    assert web_store.outbox_for_case(case.id) == []

    # Confirmed again: exactly the PDF shown is the one sent.
    shown = client.get(f"/saker/{case.id}/dokumenter/utkast").content
    assert send_confirmed(client, web_store, case.id, csrf).status_code == 303
    sent = web_store.latest_letter(case.id)
    assert sent is not None and sent.pdf_path and "Endret etter bekreftelsen" in sent.markdown
    with open(sent.pdf_path, "rb") as file:
        assert file.read() == shown
    assert web_store.get_case(case.id).state == CaseState.sent


def test_bulk_approval_skips_cases_with_open_points(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "leder")
    flagged = _with_points(web_store, route="auto")[0]
    queue = client.get("/saker").text
    assert f'id="sel-{flagged.id}"' not in queue  # no checkbox for it in the queue
    value = f"{flagged.id}:{flagged.version}:0"
    listing = client.post("/saker/masse", data={"csrf": csrf, "sak": value})
    assert listing.status_code == 200 and 'id="bulk-skipped"' in listing.text
    assert not re.findall(r'name="sak" value="([^"]+)"', listing.text)
    letter = web_store.latest_letter(flagged.id)
    assert letter is not None
    forged = f"{flagged.id}:{flagged.version}:{letter.id}:{letter_digest(letter)}"
    response = client.post("/saker/masse/godkjenn", data={"csrf": csrf, "sak": forged})
    assert response.status_code == 303 and "melding=bulk%3A0%3A1" in response.headers["location"]
    assert web_store.get_case(flagged.id).state == CaseState.pending_review
    assert web_store.outbox_for_case(flagged.id) == []
    shown = client.get(response.headers["location"]).text
    assert "1 saker har åpne punkter" in shown


def test_internal_notes_are_kept_per_kommune_and_never_in_the_letter(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    case = _with_points(web_store)[0]
    text = "Ringte søker 3. mars; tegningene kommer i neste uke."
    sent = client.post(f"/saker/{case.id}/notat", data={"csrf": csrf, "note": text})
    assert sent.status_code == 303
    (note,) = web_store.casework.notes(case.id)
    assert (note.author, note.text) == ("kari", text)
    event = web_store.events(case.id)[-1]
    assert (event.kind, event.actor, event.data) == ("note_added", "kari", {"note_id": note.id})
    page = client.get(f"/saker/{case.id}").text
    assert page.index(text) > page.index('id="hist-h"')  # in the history area
    assert "Internt notat skrevet" in page
    assert (
        client.post(f"/saker/{case.id}/notat", data={"csrf": csrf, "note": " "}).status_code == 400
    )
    answer_points(client, web_store, case.id, csrf)
    letter = web_store.latest_letter(case.id)
    assert letter is not None and "Ringte søker" not in letter.markdown

    # Another kommune's caseworker: the case and its notes do not exist for them.
    client.cookies.clear()
    csrf = login(client, "ola")
    assert client.get(f"/saker/{case.id}").status_code == 404
    refused = client.post(f"/saker/{case.id}/notat", data={"csrf": csrf, "note": "Hei"})
    assert refused.status_code == 404
    assert len(web_store.casework.notes(case.id)) == 1
    own = web_store.list_cases(state=CaseState.pending_review, kommunenummer=OTHER, limit=1)[0]
    assert text not in client.get(f"/saker/{own.id}").text


def test_mine_and_the_other_filters_round_trip_through_the_url(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    taken = _with_points(web_store)[0]
    client.post(f"/saker/{taken.id}/tildel", data={"csrf": csrf, "action": "take"})
    mine = client.get("/saker?mine=1").text
    assert "1 saker venter" in mine and f'href="/saker/{taken.id}"' in mine
    assert 'id="f-mine" name="mine" value="1" checked' in mine
    everyone = client.get("/saker").text
    assert 'id="f-mine" name="mine" value="1" >' in everyone
    assert int(re.search(r"(\d+) saker venter", everyone).group(1)) > 1  # type: ignore[union-attr]

    # Every filter set is in the address; the page shows it set, and its links keep it.
    aged = client.get("/saker?alder=3&mine=1").text  # the demo cases came in today
    assert '<option value="3" selected>' in aged and "0 saker venter" in aged
    url = "/saker?robot=byggesak-smatiltak&kommune=4627&mine=1"
    page = client.get(url).text
    assert '<option value="byggesak-smatiltak" selected>' in page
    assert '<option value="4627" selected>' in page
    assert "1 saker venter" in page
    links = re.findall(r'href="(/saker\?[^"]+)"', page)
    reason_links = [link for link in links if "grunn=" in link]
    assert reason_links
    for link in reason_links:
        assert "robot=byggesak-smatiltak" in link and "mine=1" in link and "kommune=4627" in link
        assert client.get(link.replace("&amp;", "&")).status_code == 200
    # No personal data (not even the user's name) in any address on the page.
    assert all("kari" not in link for link in re.findall(r'(?:href|action)="([^"]+)"', page))
