"""Review actions end to end on a real store: each is an event with user and time."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from runner.store import CaseRecord, CaseState, Store
from tests.web.conftest import HOME, answer_points, login, open_point_ids, send_confirmed


def _waiting(store: Store, route: str | None = None, *, clear: bool = False) -> list[CaseRecord]:
    """Waiting cases with a drafted letter (til_vurdering waits for the caseworker's outcome);
    clear: only those without open points."""
    cases = store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
    return [
        c
        for c in cases
        if (route is None or c.route == route)
        and store.latest_letter(c.id) is not None
        and not (clear and open_point_ids(store, c.id))
    ]


def test_a_case_without_an_outcome_has_no_letter_until_the_caseworker_chooses(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    cases = web_store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
    case = next(c for c in cases if c.outcome == "til_vurdering")
    assert web_store.latest_letter(case.id) is None
    page = client.get(f"/saker/{case.id}").text
    assert 'id="choose-outcome"' in page and 'id="approve"' not in page
    assert "Opplysninger" in page  # where each fact the rules read came from
    response = client.post(
        f"/saker/{case.id}/utfall",
        data={"csrf": csrf, "version": str(case.version), "outcome": "innvilget"},
    )
    assert response.status_code == 303
    letter = web_store.latest_letter(case.id)
    assert letter is not None and letter.created_by == "kari"
    assert web_store.get_case(case.id).outcome == "innvilget"


def _form(store: Store, case: CaseRecord, csrf: str) -> dict[str, str]:
    letter = store.latest_letter(case.id)
    assert letter is not None
    return {"csrf": csrf, "version": str(case.version), "letter_id": str(letter.id)}


def test_viewing_a_case_is_an_access_event(client: TestClient, web_store: Store) -> None:
    login(client, "kari")
    case = _waiting(web_store)[0]
    assert client.get(f"/saker/{case.id}").status_code == 200
    event = web_store.events(case.id)[-1]
    assert (event.kind, event.actor, event.data) == (
        "viewed",
        "kari",
        {"page": "sak", "role": "caseworker", "source": "testclient"},
    )


def test_approve_sends_the_letter_once(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "kari")
    case = _waiting(web_store)[0]
    answer_points(client, web_store, case.id, csrf)
    response = send_confirmed(client, web_store, case.id, csrf)
    assert response.status_code == 303
    assert web_store.get_case(case.id).state == CaseState.sent
    (row,) = web_store.outbox_for_case(case.id)
    assert row.state == "sent"
    letter = web_store.latest_letter(case.id)
    assert letter is not None and letter.approved_by == "kari" and letter.pdf_path
    kinds = [(e.kind, e.actor) for e in web_store.events(case.id)]
    assert ("approved", "kari") in kinds and kinds[-1] == ("sent", "robot")
    # The same form again (a double click, a replay) changes nothing and sends nothing.
    again = client.post(
        f"/saker/{case.id}/send",
        content=response.request.content,
        headers={
            "accept": "application/json",
            "content-type": "application/x-www-form-urlencoded",
        },
    )
    assert again.status_code == 409 and again.json()["error"] == "illegal_transition"
    assert len(web_store.outbox_for_case(case.id)) == 1
    outbox_page = client.get("/utboks").text
    assert "<td>Sendt</td>" in outbox_page and "Utkast til brev" not in outbox_page


def test_edit_preview_and_approve(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "kari")
    case = _waiting(web_store, clear=True)[1]
    form = _form(web_store, case, csrf)
    original = web_store.latest_letter(case.id)
    assert original is not None
    edited = original.markdown + "\n\nTillegg fra saksbehandler: <script>x</script>\n"
    preview = client.post(f"/saker/{case.id}/forhandsvis", data={**form, "markdown": edited})
    assert preview.status_code == 200
    assert "Tillegg fra saksbehandler: &lt;script&gt;x&lt;/script&gt;" in preview.text
    assert "<script>x" not in preview.text
    assert web_store.latest_letter(case.id) == original  # a preview saves nothing
    assert send_confirmed(client, web_store, case.id, csrf, markdown=edited).status_code == 303
    letter = web_store.latest_letter(case.id)
    assert letter is not None
    assert (letter.version, letter.created_by, letter.template_id) == (2, "kari", None)
    assert letter.approved_by == "kari" and "Tillegg fra saksbehandler" in letter.markdown
    assert web_store.get_case(case.id).state == CaseState.sent
    assert [e.kind for e in web_store.events(case.id) if e.kind != "viewed"][-4:] == [
        "letter_edited",
        "approved",
        "finalised",
        "sent",
    ]


def test_reject_with_reason(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "kari")
    case = _waiting(web_store)[2]
    response = client.post(
        f"/saker/{case.id}/avvis", data={"csrf": csrf, "version": case.version, "reason": "Trukket"}
    )
    assert response.status_code == 303
    assert web_store.get_case(case.id).state == CaseState.rejected
    event = web_store.events(case.id)[-1]
    assert (event.kind, event.actor, event.data["reason"]) == ("rejected", "kari", "Trukket")
    assert web_store.outbox_for_case(case.id) == []
    empty = client.post(
        f"/saker/{case.id}/avvis", data={"csrf": csrf, "version": case.version, "reason": " "}
    )
    assert empty.status_code == 409


def test_choose_another_outcome_redrafts(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "kari")
    case = next(c for c in _waiting(web_store) if c.outcome == "avslag")
    response = client.post(
        f"/saker/{case.id}/utfall",
        data={"csrf": csrf, "version": case.version, "outcome": "innvilget"},
    )
    assert response.status_code == 303
    record = web_store.get_case(case.id)
    assert record.outcome == "innvilget" and record.state == CaseState.pending_review
    letter = web_store.latest_letter(case.id)
    decision = web_store.latest_decision(case.id)
    assert letter is not None and decision is not None
    assert letter.created_by == "kari" and letter.template_id == "byggesak/innvilget"
    assert decision.outcome == "innvilget" and decision.matched == "saksbehandler kari"
    event = web_store.events(case.id)[-1]
    assert (event.kind, event.data["from"], event.data["to"]) == (
        "outcome_changed",
        "avslag",
        "innvilget",
    )
    unknown = client.post(
        f"/saker/{case.id}/utfall", data={"csrf": csrf, "version": record.version, "outcome": "x"}
    )
    assert unknown.status_code == 409


def test_take_hand_back_and_reassign(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "kari")
    case = _waiting(web_store)[3]
    client.post(f"/saker/{case.id}/tildel", data={"csrf": csrf, "action": "take"})
    assignment = web_store.review.assignment(case.id)
    assert assignment is not None and assignment.username == "kari"
    assert "kari" in client.get("/saker").text
    client.post(f"/saker/{case.id}/tildel", data={"csrf": csrf, "action": "release"})
    assert web_store.review.assignment(case.id) is None
    client.cookies.clear()
    csrf = login(client, "leder")
    client.post(
        f"/saker/{case.id}/tildel", data={"csrf": csrf, "action": "assign", "username": "kari"}
    )
    assignment = web_store.review.assignment(case.id)
    assert assignment is not None and (assignment.username, assignment.assigned_by) == (
        "kari",
        "leder",
    )
    refused = client.post(
        f"/saker/{case.id}/tildel", data={"csrf": csrf, "action": "assign", "username": "ola"}
    )
    assert refused.status_code == 400  # ola works for another kommune
    kinds = [e.kind for e in web_store.events(case.id)]
    assert kinds.count("assigned") == 2 and "handed_back" in kinds


def test_bulk_approve_lists_then_sends(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "leder")
    chosen = _waiting(web_store, route="auto", clear=True)[:3]
    values = [f"{c.id}:{c.version}:0" for c in chosen]
    listing = client.post("/saker/masse", data={"csrf": csrf, "sak": values})
    assert listing.status_code == 200
    for case in chosen:
        assert (case.reference or "") in listing.text
    confirmed = re.findall(r'name="sak" value="([^"]+)"', listing.text)
    response = client.post("/saker/masse/godkjenn", data={"csrf": csrf, "sak": confirmed})
    assert response.status_code == 303
    for case in chosen:
        assert web_store.get_case(case.id).state == CaseState.sent
        assert len(web_store.outbox_for_case(case.id)) == 1
    flagged = _waiting(web_store, route="review")[0]
    refused = client.post(
        "/saker/masse", data={"csrf": csrf, "sak": f"{flagged.id}:{flagged.version}:0"}
    )
    assert refused.status_code == 400


def test_quarantine_shows_errors_raw_escaped_and_handles(
    client: TestClient, web_store: Store
) -> None:
    # Broken JSON states no kommune: the deployment admin's to handle (several kommuner).
    csrf = login(client, "drift")
    listing = client.get("/karantene").text
    assert "broken.json" in listing
    (item,) = [
        case
        for case in web_store.list_cases(state=CaseState.quarantined)
        if web_store.raw_item(case.id).source_ref == "broken.json"
    ]
    page = client.get(f"/karantene/{item.id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    client.post(f"/karantene/{item.id}/handtert", data={"csrf": csrf, "note": "ringt avsender"})
    assert "broken.json" not in client.get("/karantene").text
    event = web_store.events(item.id)[-1]
    assert (event.kind, event.actor, event.data) == (
        "quarantine_handled",
        "drift",
        {"note": "ringt avsender"},
    )
