"""The hot statements run on SQLite's cursor give exactly what Connection.execute gives."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, select

from runner.run import find_robot, run_robot
from runner.settings import load_settings
from runner.store import Store, fast, open_store
from runner.store.audit import _INSERT_EVENT
from runner.store.cases import _update_statement
from runner.store.engine import transaction
from runner.store.schema import cases, events
from tests.robustness.conftest import DEMO_SETTINGS, ROBOT, write_cases

#: A transition setting a column of every type the cases table has, with awkward values.
FIELDS: dict[str, Any] = {
    "v_reference": "BS-2026-ÆØÅ",
    "v_kommunenummer": None,
    "v_outcome": "avslag",
    "v_reasons": ["høyde", "avstand"],
    "v_urgent": True,
    "v_deadline": date(2026, 12, 31),
    "v_case_data": {"navn": "Åse Ødegård", "n": 1.5, "liste": [None, True, {"x": "ŋ"}]},
    "v_errors": [],
    "v_attempts": 2,
    "v_last_error": None,
    "v_lease_owner": None,
    "v_lease_expires_at": None,
}
NAMES = frozenset(name[2:] for name in FIELDS)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(f"sqlite:///{tmp_path}/saksrobot.db")
    opened.receive(robot_id="r", source="folder", source_ref="a.json", content=b'{"a": 1}')
    return opened


def _params(head: Any) -> dict[str, Any]:
    return {
        **FIELDS,
        "b_id": 1,
        "b_state": head.state,
        "b_version": head.version,
        "v_state": "validated",
        "v_updated_at": datetime(2026, 11, 27, 12, 0, 0, 123456, tzinfo=UTC),
        "v_version": head.version + 1,
        "v_event_seq": head.event_seq + 1,
        "v_event_hash": "f" * 64,
    }


def _both(store: Store, run: Any) -> tuple[Any, Any]:
    """`run(conn)` the fast way and the usual way (a listener forces it), each rolled back."""
    found = []
    for usual in (False, True):
        with transaction(store.engine, write=True) as conn:
            if usual:
                event.listen(conn, "before_cursor_execute", lambda *args: None)
            found.append(run(conn))
            conn.rollback()
    return found[0], found[1]


def test_a_transition_row_is_the_same_either_way(store: Store) -> None:
    statement = _update_statement(NAMES)

    def transition(conn: Connection) -> Any:
        head = conn.execute(select(cases).where(cases.c.id == 1)).one()
        return fast.first_row(conn, statement, _params(head))

    quick, usual = _both(store, transition)
    assert quick == usual and quick is not None
    assert [type(value) for value in quick] == [type(value) for value in usual]
    assert isinstance(quick[cases.c.keys().index("updated_at")], datetime)


def test_a_transition_that_matches_no_row_gives_none_either_way(store: Store) -> None:
    def stale(conn: Connection) -> Any:
        head = conn.execute(select(cases).where(cases.c.id == 1)).one()
        params = _params(head) | {"b_version": head.version + 7}
        return fast.first_row(conn, _update_statement(NAMES), params)

    assert _both(store, stale) == (None, None)


def test_an_event_row_is_stored_the_same_either_way(store: Store) -> None:
    row = {
        "case_id": 1,
        "seq": 2,
        "at": datetime(2026, 11, 27, 12, 0, 0, 7, tzinfo=UTC),
        "actor": "robot",
        "kind": "noted",
        "data": {"tekst": "søknad – «mottatt»", "tall": [1, 2.5, None], "ja": False},
        "prev_hash": "a" * 64,
        "hash": "b" * 64,
    }

    def insert(conn: Connection) -> Any:
        new_id = fast.insert(conn, _INSERT_EVENT, row)
        stored = conn.execute(select(events).where(events.c.id == new_id)).one()
        raw = conn.exec_driver_sql("SELECT * FROM events WHERE id = ?", (new_id,)).one()
        return new_id, tuple(stored), tuple(raw)

    quick, usual = _both(store, insert)
    assert quick == usual


def test_the_fast_way_is_taken_only_on_sqlite_without_listeners(store: Store) -> None:
    statement = _update_statement(NAMES)
    with transaction(store.engine, write=True) as conn:
        assert fast._prepared(conn, statement, _params(conn.execute(select(cases)).one()))
        event.listen(conn, "before_cursor_execute", lambda *args: None)
        assert fast._prepared(conn, statement, {}) is None
        conn.rollback()


def _stored(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the store's tables as SQLite holds it, digits of times and hashes as 0."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with sqlite3.connect(path) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            if table == "alembic_version":
                continue
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            rows = db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            found[table] = [
                tuple(
                    _masked(column, value) for column, value in zip(columns, row, strict=True)
                )
                for row in rows
            ]
    return found


def _masked(column: str, value: Any) -> Any:
    if column == "pdf_path" and value:
        return Path(value).name  # the two runs have data folders of their own
    if isinstance(value, str) and (column.endswith(("_at", "hash", "_until")) or column == "at"):
        return re.sub(r"[0-9a-f]", "0", value)
    return value


def test_a_run_stores_the_same_rows_either_way(tmp_path: Path) -> None:
    """The same cases run with the fast way and the usual way (a listener on the engine)
    leave the same rows, byte for byte but the times and the hashes made from them."""
    inbox = tmp_path / "inbox"
    write_cases(inbox, 10)
    stored = []
    for usual in (False, True):
        config = load_settings(DEMO_SETTINGS, data_dir=tmp_path / f"data-{usual}")
        with open_store(config.database_url) as store:
            if usual:
                event.listen(store.engine, "before_cursor_execute", lambda *args: None)
            run_robot(config, store, find_robot(config, ROBOT), inbox=inbox)
        stored.append(_stored(config.data_dir / "saksrobot.db"))
    fast_rows, usual_rows = stored
    assert fast_rows.keys() == usual_rows.keys() and fast_rows["events"]
    for table in fast_rows:
        assert fast_rows[table] == usual_rows[table], table
