"""A sent case whose personal data retention removed still opens: the decision and the
history, no name or national id."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from runner.store import CaseState, Store
from runner.store.schema import utcnow
from tests.web.conftest import HOME, answer_points, csrf_of, login, send_confirmed


def test_a_case_after_retention(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "kari")
    waiting = web_store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=50)
    case = next(c for c in waiting if web_store.latest_letter(c.id) is not None)
    letter = web_store.latest_letter(case.id)
    assert letter is not None
    answer_points(client, web_store, case.id, csrf)
    assert send_confirmed(client, web_store, case.id, csrf).status_code == 303
    assert web_store.get_case(case.id).state == CaseState.sent
    name = case.data["applicant"]["name"]
    assert name in client.get(f"/saker/{case.id}").text

    later = utcnow() + timedelta(days=1)
    due = web_store.retention.due(
        quarantined_before=utcnow() - timedelta(days=1),
        finished_before=lambda kommune, case_type: later,
        security_before=utcnow() - timedelta(days=1),
    )
    assert due.finished == (case.id,)
    web_store.retention.remove(due, actor="cli", periods={"quarantine_days": 90})

    page = client.get(f"/saker/{case.id}")
    assert page.status_code == 200
    assert name not in page.text and case.data["applicant"]["national_id"] not in page.text
    assert "Personopplysninger slettet etter oppbevaringstiden" in page.text
    csrf_of(page.text)  # a whole page, with its forms
