"""A caseworker of one demo kommune (Bergen) never sees Askøy's or Oslo's cases."""

from __future__ import annotations

from fastapi.testclient import TestClient

from runner.store import CaseState, Store
from runner.web.accounts import create_user
from tests.web.conftest import PASSWORD, login

BERGEN, ASKOY, OSLO = "4601", "4627", "0301"


def test_a_user_of_one_kommune_sees_only_that_kommunes_cases(
    client: TestClient, web_store: Store
) -> None:
    create_user(web_store, username="berit", full_name="Berit", role="caseworker",
                kommuner=[BERGEN], password=PASSWORD)  # fmt: skip
    login(client, "berit")
    waiting = {
        number: web_store.list_cases(
            state=CaseState.pending_review, kommunenummer=number, limit=500
        )
        for number in (BERGEN, ASKOY, OSLO)
    }
    assert all(waiting.values()), {number: len(cases) for number, cases in waiting.items()}
    queue = client.get("/saker?per_side=500").text
    for number, cases in waiting.items():
        for case in cases:
            assert ((case.reference or "") in queue) == (number == BERGEN), case.reference
            answer = client.get(f"/saker/{case.id}").status_code
            assert answer == (200 if number == BERGEN else 404), (number, case.reference)
