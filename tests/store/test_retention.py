"""Retention on a real store (SQLite and PostgreSQL): what has outlived its period goes, open
cases stay, every change is on record and both audit chains still verify."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, Settings, load_settings
from runner.store import CaseRecord, CaseState, Store
from runner.store.engine import transaction
from runner.store.retention import RetentionDue
from runner.store.schema import utcnow
from runner.web import queries

DEMO_SETTINGS = CONTENT_ROOT / "demo" / "saksrobot.toml"
DEMO_INBOX = CONTENT_ROOT / "demo" / "inbox" / "byggesak"
PERIODS = {"quarantine_days": 90}


@pytest.fixture
def filled(store: Store, tmp_path: Path) -> Settings:
    """The demo byggesak cases (some sent, some waiting for review) and two quarantined
    items, and three security-log events."""
    settings = load_settings(DEMO_SETTINGS, data_dir=tmp_path / "data")
    robot = load_robots(settings.content_dir / "robots")["byggesak-smatiltak"]
    run_robot(settings, store, robot, inbox=DEMO_INBOX)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.json").write_text('{"case_type": "byggesak",')
    case = json.loads(sorted(DEMO_INBOX.glob("*.json"))[0].read_text(encoding="utf-8"))
    (bad / "trondheim.json").write_text(json.dumps({**case, "kommunenummer": "5001"}))
    run_robot(settings, store, robot, inbox=bad)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        store.users.log.record("login", actor="kari", user_id=1, source=address)
    return settings


def _by_state(store: Store, state: CaseState) -> list[CaseRecord]:
    return store.list_cases(state=state, limit=1000)


def _due_all(store: Store) -> RetentionDue:
    later = utcnow() + timedelta(days=1)
    return store.retention.due(
        quarantined_before=later,
        finished_before=lambda kommune, case_type: later,
        security_before=later,
    )


def test_what_is_due_goes_and_open_cases_stay(filled: Settings, store: Store) -> None:
    sent = _by_state(store, CaseState.sent)
    waiting = _by_state(store, CaseState.pending_review)
    quarantined = _by_state(store, CaseState.quarantined)
    assert sent and waiting and len(quarantined) == 2
    open_before = {case.id: (store.raw_content(case.id), case.data) for case in waiting}
    national_ids = {case.data["applicant"]["national_id"] for case in sent}

    due = _due_all(store)
    assert set(due.quarantined) == {case.id for case in quarantined}
    assert set(due.finished) == {case.id for case in sent}
    assert (due.security_through, due.security_count) == (2, 2)  # the newest one stays

    removed = store.retention.remove(due, actor="cli", periods=PERIODS)
    assert removed == due
    for case in sent:
        after = store.get_case(case.id)
        assert (after.state, after.data, store.raw_content(case.id)) == (CaseState.sent, {}, b"")
        assert all(letter.markdown == "" for letter in store.letters(case.id))
        assert all(row.target == "" for row in store.outbox_for_case(case.id))
        decision = store.latest_decision(case.id)
        assert decision is not None and decision.results
        assert all(r["values"] == {} == r["explanation"] for r in decision.results)
        assert all(r["legal_basis"] and r["outcome"] for r in decision.results)  # kept
        assert store.events(case.id)[-1].kind == "personal_data_removed"
    for case in quarantined:
        assert store.raw_content(case.id) == b"" and store.get_case(case.id).errors == []
        kinds = [event.kind for event in store.events(case.id)[-2:]]
        assert kinds == ["personal_data_removed", "quarantine_handled"]
    with transaction(store.engine, write=False) as conn:
        listed = queries.quarantine(conn, queries.unowned_scope(filled.served))
    assert listed == []  # off the deployment admin's list
    for case in waiting:  # still open: untouched
        assert (store.raw_content(case.id), store.get_case(case.id).data) == open_before[case.id]

    for case in sent:  # no national id left anywhere the case's rows keep text
        decision = store.latest_decision(case.id)
        kept = json.dumps(
            [
                store.get_case(case.id).data,
                [letter.markdown for letter in store.letters(case.id)],
                decision.results if decision else None,
                [row.target for row in store.outbox_for_case(case.id)],
            ]
        )
        assert not any(national_id in kept for national_id in national_ids)

    log = store.users.log.events()
    assert [event.seq for event in log] == [3, 4]
    run = log[-1]
    assert (run.kind, run.actor, run.data["dry_run"]) == ("retention", "cli", False)
    assert run.data["removed"] == {
        "quarantined": 2,
        "finished": len(sent),
        "security_log": 2,
    }
    assert store.verify_audit() == [] and store.users.log.verify() == []
    assert _due_all(store).counts() == {"quarantined": 0, "finished": 0, "security_log": 1}


def test_the_kept_security_chain_still_shows_tampering(filled: Settings, store: Store) -> None:
    store.retention.remove(_due_all(store), actor="cli", periods=PERIODS)
    with transaction(store.engine, write=True) as conn:
        conn.execute(text("DELETE FROM security_events WHERE seq = 3"))
    assert store.users.log.verify() == ["security log seq 3–3: events removed"]


def test_a_case_sent_back_in_since_is_left_alone(filled: Settings, store: Store) -> None:
    due = _due_all(store)
    retried = due.quarantined[0]
    store.transition(retried, CaseState.received, actor="cli", event="retried")
    removed = store.retention.remove(due, actor="cli", periods=PERIODS)
    assert retried not in removed.quarantined and len(removed.quarantined) == 1
    assert store.raw_content(retried) != b""


def test_periods_pick_by_kommune_and_case_type(filled: Settings, store: Store) -> None:
    askoy = filled.kommune.model_copy(update={"retention_days": {"byggesak": 30}})
    settings = filled.model_copy(
        update={"kommuner": {**filled.kommuner, askoy.kommunenummer: askoy}}
    )
    assert settings.finished_case_days("4627", "byggesak") == 30
    assert settings.finished_case_days("4601", "byggesak") == 90
    assert settings.finished_case_days("4601", "ukjent") == 90
    now = utcnow()
    sent = _by_state(store, CaseState.sent)
    with transaction(store.engine, write=True) as conn:  # sent 60 days ago
        for case in sent:
            conn.execute(
                text("UPDATE cases SET updated_at = :at WHERE id = :id"),
                {"at": _stored(store, now - timedelta(days=60)), "id": case.id},
            )

    def before(kommune: str | None, case_type: str | None) -> datetime:
        return now - timedelta(days=settings.finished_case_days(kommune, case_type))

    due = store.retention.due(
        quarantined_before=now - timedelta(days=90),
        finished_before=before,
        security_before=now - timedelta(days=365),
    )
    assert set(due.finished) == {case.id for case in sent if case.kommunenummer == "4627"}
    assert due.quarantined == () and due.security_through is None


def _stored(store: Store, at: datetime) -> object:
    """A timestamp as the dialect stores it (SQLite: naive UTC text)."""
    if store.engine.dialect.name == "sqlite":
        return at.replace(tzinfo=None).isoformat(sep=" ")
    return at


def test_nothing_is_due_in_a_new_store(store: Store) -> None:
    assert _due_all(store) == RetentionDue((), (), None, 0)
