"""The public surface of runner.store: every name in __all__ imports, records match tables."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Table

import runner.store
from runner.store import CaseRecord, EventRecord, LetterRecord, OutboxRecord, RawItemRecord
from runner.store.records import DecisionRecord
from runner.store.schema import cases, decisions, events, letters, outbox, raw_items


@pytest.mark.parametrize("name", runner.store.__all__)
def test_every_public_name_imports(name: str) -> None:
    assert getattr(runner.store, name) is not None


@pytest.mark.parametrize(
    ("record", "table", "left_out"),
    [
        (CaseRecord, cases, set()),
        (EventRecord, events, set()),
        (DecisionRecord, decisions, set()),
        (LetterRecord, letters, set()),
        (OutboxRecord, outbox, set()),
        (RawItemRecord, raw_items, {"content"}),
    ],
)
def test_records_have_the_columns_in_order(record: type, table: Table, left_out: set[str]) -> None:
    columns = [column.name for column in table.c if column.name not in left_out]
    assert [field.name for field in dataclasses.fields(record)] == columns


@pytest.mark.parametrize(
    "record", [CaseRecord, EventRecord, DecisionRecord, LetterRecord, OutboxRecord, RawItemRecord]
)
def test_records_are_frozen(record: type) -> None:
    instance = record(*range(len(dataclasses.fields(record))))
    with pytest.raises(dataclasses.FrozenInstanceError):
        instance.id = 5
