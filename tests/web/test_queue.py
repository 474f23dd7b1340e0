"""The queue: urgent first then by legal deadline, filters, counts per reason, paging."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from runner.store import CaseState, Store
from runner.store.engine import transaction
from runner.web import queries
from tests.web.conftest import HOME, login


def test_urgent_first_then_deadline(web_store: Store) -> None:
    with transaction(web_store.engine, write=False) as conn:
        rows, total = queries.queue(conn, [HOME], queries.QueueFilter())
    assert total == len(
        web_store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
    )
    keys = [(not row.urgent, row.deadline or date.max, row.id) for row in rows]
    assert keys == sorted(keys)
    assert any(row.urgent for row in rows) and not all(row.urgent for row in rows)
    assert all(row.deadline is not None for row in rows)


def test_deadline_is_three_weeks_when_urgent_else_twelve(web_store: Store) -> None:
    for case in web_store.list_cases(state=CaseState.pending_review, limit=500):
        received = date.fromisoformat(case.data["received_at"][:10])
        assert case.deadline is not None
        assert (case.deadline - received).days == (21 if case.urgent else 84)


def test_filters_and_reason_counts(client: TestClient, web_store: Store) -> None:
    login(client, "kari")
    with transaction(web_store.engine, write=False) as conn:
        counts = queries.reason_counts(conn, [HOME], queries.QueueFilter())
        reason, count = next(iter(counts.items()))
        rows, total = queries.queue(conn, [HOME], queries.QueueFilter(reason=reason))
        assert total == count and all(reason in row.reasons for row in rows)
        _rows, none = queries.queue(conn, [HOME], queries.QueueFilter(robot="x"))
        assert none == 0
        _rows, old = queries.queue(conn, [HOME], queries.QueueFilter(min_age_days=10_000))
        assert old == 0
        _rows, other = queries.queue(conn, [HOME], queries.QueueFilter(kommune="0301"))
        assert other == 0  # a kommune the user does not belong to gives nothing
    page = client.get(f"/saker?grunn={reason}")
    assert page.status_code == 200
    assert f"{total} saker venter" in page.text
    assert client.get("/saker?alder=abc").status_code == 400


def test_paging(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(queries, "PAGE_SIZE", 10)
    login(client, "kari")
    first = client.get("/saker").text
    second = client.get("/saker?side=2").text
    ids_first = set(re.findall(r'href="/saker/(\d+)"', first))
    ids_second = set(re.findall(r'href="/saker/(\d+)"', second))
    assert len(ids_first) == 10 and ids_second and not ids_first & ids_second
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_dashboard_counts_and_chart(client: TestClient) -> None:
    login(client, "kari")
    page = client.get("/oversikt").text
    assert "<svg" in page and 'role="img"' in page and "Venter på saksbehandler" in page
    assert "pending_review" not in page
    assert "OSLO" not in page
