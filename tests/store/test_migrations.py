"""Migrations: an empty database gets the whole schema, matching the models, at head."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from runner.errors import StoreError
from runner.models.results import Evaluation
from runner.store import open_store
from runner.store.engine import transaction
from runner.store.migrate import alembic_config, head_revision
from runner.store.schema import metadata

TABLES = {"raw_items", "cases", "events", "decisions", "letters", "outbox", "alembic_version"}
TABLES |= {"users", "web_sessions", "assignments", "quarantine_handled"}  # 0002
TABLES |= {"workers"}  # 0003
TABLES |= {"security_events", "web_devices"}  # 0006
TABLES |= {"sso_logins"}  # 0007_sso
TABLES |= {"point_answers", "case_notes"}  # 0007_decisions
TABLES |= {"follow_ups"}  # 0008_follow_ups


def test_upgrade_creates_the_schema_the_models_describe(store_url: str) -> None:
    with open_store(store_url, upgrade=False) as store:
        assert set(inspect(store.engine).get_table_names()) == set()
        store.upgrade()
        store.upgrade()  # a second upgrade does nothing
        inspector = inspect(store.engine)
        assert set(inspector.get_table_names()) == TABLES
        indexes = {index["name"]: index["column_names"] for index in inspector.get_indexes("cases")}
        assert indexes["ix_cases_state_robot"] == ["state", "robot_id"]
        assert indexes["ix_cases_state_deadline"] == ["state", "deadline"]
        assert indexes["ix_cases_kommune_state"] == ["kommunenummer", "state"]
        assert indexes["ix_cases_reference"] == ["reference"]
        with transaction(store.engine, write=False) as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert context.get_current_heads() == (head_revision(),)
            assert compare_metadata(context, metadata) == []


def test_open_store_migrates_by_default(store_url: str) -> None:
    with open_store(store_url) as store:
        assert "cases" in inspect(store.engine).get_table_names()


def test_a_newer_schema_is_refused_with_a_fix(store_url: str) -> None:
    with open_store(store_url) as store, transaction(store.engine, write=True) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    for upgrade in (True, False):
        with pytest.raises(StoreError, match="9999, newer than this saksrobot") as raised:
            open_store(store_url, upgrade=upgrade)
        assert raised.value.fix is not None and "Upgrade saksrobot" in raised.value.fix


@pytest.mark.postgres
def test_an_unreachable_server_is_a_store_error() -> None:
    url = "postgresql+psycopg://postgres:secret@127.0.0.1:1/nowhere"
    with pytest.raises(StoreError, match="kan ikke brukes") as raised:
        open_store(url)
    assert "secret" not in str(raised.value)
    assert raised.value.fix is not None and "databaseserveren kjører" in raised.value.fix


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not SQLite, just some text that is long enough " * 40)
    with pytest.raises(StoreError, match="kan ikke brukes"):
        open_store(f"sqlite:///{path}")


def test_a_bad_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="ikke en database-URL") as raised:
        open_store("saksrobot.db")
    assert raised.value.fix is not None and "sqlite:///" in raised.value.fix


def test_downgrade_to_base_removes_the_schema(store_url: str) -> None:
    with open_store(store_url) as store:
        with transaction(store.engine, write=True) as conn:
            command.downgrade(alembic_config(connection=conn), "base")
        assert set(inspect(store.engine).get_table_names()) == {"alembic_version"}
        store.upgrade()
        assert set(inspect(store.engine).get_table_names()) == TABLES



def test_0009_goes_down_and_up_on_a_store_with_letters(
    store_url: str, evaluation: Evaluation
) -> None:
    """letters.based_on is dropped and added again on a store with letters, an edited one
    and an outbox row pointing at it; the letters stay, without a base after the upgrade."""
    with open_store(store_url) as store:
        case_id, _ = store.add_raw_item(
            robot_id="byggesak", source="folder", source_ref="sak.json", content=b"{}"
        )
        decision = store.save_decision(
            case_id, evaluation, inputs_hash="x", template_id=None, template_hash=None
        )
        letter = {"case_id": case_id, "decision_id": decision, "malform": "nb",
                  "pdf_path": None, "sha256": None}  # fmt: skip
        draft = store.save_letter(**letter, markdown="# Vedtak", created_by="robot",
                                  template_id="byggesak/innvilget", template_hash="e")  # fmt: skip
        edited = store.save_letter(**letter, markdown="# Vedtak\n\nTillegg.", created_by="kari",
                                   based_on=draft.id)  # fmt: skip
        store.enqueue(case_id=case_id, letter_id=edited.id, key="k", channel="folder", target="t")
        with transaction(store.engine, write=True) as conn:
            command.downgrade(alembic_config(connection=conn), "0008_follow_ups")
        columns = {column["name"] for column in inspect(store.engine).get_columns("letters")}
        assert "based_on" not in columns
        store.upgrade()
        assert [(x.markdown, x.based_on) for x in store.letters(case_id)] == [
            ("# Vedtak", None), ("# Vedtak\n\nTillegg.", None)]  # fmt: skip
        assert store.outbox_for_case(case_id)[0].letter_id == edited.id
