"""The embedded SQLite store: a private file, WAL, and the pragmas every connection needs."""

from __future__ import annotations

import os
import stat
from datetime import UTC
from pathlib import Path

import pytest

from runner.errors import StoreError
from runner.store import Store, open_store
from runner.store.engine import transaction


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_file_and_directory_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "store"
    old_umask = os.umask(0o022)  # the usual umask would make both readable by everyone
    try:
        with open_store(f"sqlite:///{folder}/saksrobot.db") as store:
            store.add_raw_item(robot_id="r", source="folder", source_ref="a", content=b"x")
    finally:
        os.umask(old_umask)
    assert mode(folder) == 0o700
    assert mode(folder / "saksrobot.db") == 0o600
    for sidecar in ("saksrobot.db-wal", "saksrobot.db-shm"):
        if (folder / sidecar).exists():
            assert mode(folder / sidecar) == 0o600


def test_an_existing_directory_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    with open_store(f"sqlite:///{tmp_path}/saksrobot.db"):
        pass
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "saksrobot.db") == 0o600


def test_every_connection_has_wal_and_the_pragmas(sqlite_url: str) -> None:
    with open_store(sqlite_url) as store, transaction(store.engine, write=False) as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 1,
        "busy_timeout": 30000,
        "foreign_keys": 1,
    }


def test_a_path_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StoreError, match="Cannot create the store file") as raised:
        open_store(f"sqlite:///{tmp_path}/a-file/sub/saksrobot.db")
    assert raised.value.fix is not None and "data_dir" in raised.value.fix


def test_in_memory_store_works_for_one_process() -> None:
    with open_store("sqlite://") as store:
        case_id, created = store.add_raw_item(
            robot_id="r", source="folder", source_ref="a", content=b"x"
        )
        assert created and store.get_case(case_id).state == "received"


def test_timestamps_are_timezone_aware_utc(store: Store) -> None:
    case_id, _ = store.add_raw_item(robot_id="r", source="folder", source_ref="a", content=b"x")
    case = store.get_case(case_id)
    for stamp in (
        case.created_at,
        case.updated_at,
        store.events(case_id)[0].at,
        store.raw_item(case_id).received_at,
    ):
        assert stamp.tzinfo is not None and stamp.utcoffset() == UTC.utcoffset(None)


def test_a_store_closes_as_a_context_manager(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    with store as same:
        assert same is store
    store.close()  # closing twice is harmless
