"""The audit export: case trails and the security log as SIEM events, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from runner.store import CaseState, Store
from runner.store.schema import dumps_json
from runner.web.accounts import create_user

FIELDS = {
    "timestamp",
    "event_type",
    "actor",
    "actor_role",
    "kommune",
    "source_address",
    "object",
    "outcome",
    "chain",
    "seq",
    "hash",
    "prev_hash",
}


def test_every_event_of_both_chains_in_time_order(
    store: Store, make_case: Callable[..., int]
) -> None:
    create_user(
        store,
        username="kari",
        full_name="Kari Nordmann",
        role="caseworker",
        kommuner=["4627"],
        password="riktig-hest-batteri-stift",
    )
    start = datetime.now(UTC) - timedelta(seconds=1)
    case_id = make_case(CaseState.validated)
    store.transition(case_id, CaseState.evaluated, actor="robot", event="evaluated")
    store.record_event(
        case_id,
        actor="kari",
        kind="viewed",
        data={"page": "sak", "role": "caseworker", "source": "10.0.0.7"},
    )
    store.users.log.record("login_failed", actor="kari", user_id=1, source="10.0.0.8")
    store.users.log.record("login", actor="kari", user_id=1, source="10.0.0.7")
    store.record_event(case_id, actor="kari", kind="note", data={"note": "Ola Nordmann ringte"})
    store.users.log.record(
        "admin_refused", actor="cli", user_id=1, role="lead", kommuner=["4601", "0301"]
    )

    exported = list(store.export_audit(start))
    lines = [json.loads(dumps_json(event)) for event in exported]  # plain JSON, line by line
    assert all(set(line) == FIELDS for line in lines)
    assert [line["timestamp"] for line in lines] == sorted(line["timestamp"] for line in lines)
    assert all(line["timestamp"].endswith("Z") for line in lines)
    picked = [
        (
            line["chain"].split(":")[0],
            line["event_type"],
            line["actor"],
            line["actor_role"],
            line["outcome"],
            line["source_address"],
            line["kommune"],
        )
        for line in lines
    ]
    assert picked == [
        ("case", "received", "robot:byggesak", "system", "success", None, None),
        ("case", "validated", "robot", "system", "success", None, None),
        ("case", "evaluated", "robot", "system", "success", None, None),
        ("case", "viewed", "kari", "caseworker", "success", "10.0.0.7", None),
        ("security", "login_failed", "kari", "caseworker", "failure", "10.0.0.8", "4627"),
        ("security", "login", "kari", "caseworker", "success", "10.0.0.7", "4627"),
        ("case", "note", "kari", "caseworker", "success", None, None),
        ("security", "admin_refused", "cli", "operator", "denied", None, "4601,0301"),
    ]
    trail = store.events(case_id)
    case_lines = [line for line in lines if line["chain"] == f"case:{case_id}"]
    assert [(line["seq"], line["hash"], line["prev_hash"]) for line in case_lines] == [
        (event.seq, event.hash, event.prev_hash) for event in trail
    ]
    assert all(line["object"] == {"type": "case", "id": case_id} for line in case_lines)
    security = [line for line in lines if line["chain"] == "security"]
    assert [line["seq"] for line in security] == [1, 2, 3]
    assert security[1]["prev_hash"] == security[0]["hash"]
    assert security[0]["object"] == {"type": "account", "id": 1}
    # Event data (a note may name a person) never leaves the store.
    assert "Nordmann" not in "".join(dumps_json(event) for event in exported)


def test_since_and_until_bound_the_export(store: Store, make_case: Callable[..., int]) -> None:
    make_case(CaseState.validated)
    store.users.log.record("login", actor="kari", user_id=1, source="10.0.0.7")
    now = datetime.now(UTC)
    assert list(store.export_audit(now + timedelta(seconds=1))) == []
    assert list(store.export_audit(now - timedelta(minutes=1), now - timedelta(seconds=30))) == []
    assert len(list(store.export_audit(now - timedelta(minutes=1), now + timedelta(1)))) == 3
