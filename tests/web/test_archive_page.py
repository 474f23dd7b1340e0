"""The case page shows what the kommune's archive (Fiks Arkiv) said: its ids, or its refusal."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient

from runner.fiksarkiv.replies import ArchiveReplies, ArchiveReply
from runner.store import CaseState, Store
from tests.web.conftest import HOME, answer_points, login, send_confirmed


def _sent_case(client: TestClient, store: Store) -> int:
    csrf = login(client, "kari")
    case = next(
        c
        for c in store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
        if store.latest_letter(c.id) is not None
    )
    answer_points(client, store, case.id, csrf)
    send_confirmed(client, store, case.id, csrf)
    assert store.get_case(case.id).state == CaseState.sent
    return case.id


def test_the_archives_ids_are_on_the_case_page(
    client: TestClient, web_store: Store, tmp_path: Path
) -> None:
    case_id = _sent_case(client, web_store)
    assert 'id="archive"' not in client.get(f"/saker/{case_id}").text  # not filed over Fiks Arkiv
    ids = {"saksaar": "2026", "sakssekvensnummer": "1234", "saksnummer": "2026/1234",
           "journalpostnummer": "3"}  # fmt: skip
    receipt = ArchiveReply(answer="kvittering", answers=uuid.uuid4(), message_id=uuid.uuid4(),
                           ids=ids)  # fmt: skip
    ArchiveReplies(web_store, tmp_path).record(case_id, receipt)
    page = client.get(f"/saker/{case_id}").text
    assert "Saksnummer i arkivet: 2026/1234" in page
    assert "Journalpostnummer: 3" in page
    assert "Arkivert" in page


def test_a_refusal_by_the_archive_is_shown_and_the_case_is_parked(
    client: TestClient, web_store: Store, tmp_path: Path
) -> None:
    case_id = _sent_case(client, web_store)
    error = "ugyldig forespørsel: Arkivdelen finnes ikke (feilId F-1)"
    refusal = ArchiveReply(
        answer="feil", answers=uuid.uuid4(), message_id=uuid.uuid4(), error=error
    )
    ArchiveReplies(web_store, tmp_path).record(case_id, refusal)
    assert web_store.get_case(case_id).state == CaseState.parked
    page = client.get(f"/saker/{case_id}").text
    assert "Arkivet avviste arkivmeldingen" in page
    assert "Arkivdelen finnes ikke" in page
