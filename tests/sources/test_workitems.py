"""Robocorp work items through RPA.Robocorp.WorkItems' FileAdapter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.sources import WorkItemsSource


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RPA_INPUT_WORKITEM_PATH", raising=False)
    monkeypatch.delenv("RPA_OUTPUT_WORKITEM_PATH", raising=False)


def test_each_input_item_payload_becomes_a_raw_item(tmp_path: Path) -> None:
    path = tmp_path / "work-items.json"
    payloads = [{"case_type": "byggesak", "reference": f"WI-{n}"} for n in range(3)]
    path.write_text(json.dumps([{"payload": p, "files": {}} for p in payloads]), encoding="utf-8")
    source = WorkItemsSource(path, max_bytes=10_000)
    assert source.count() == 3
    items = list(source.items())
    assert [json.loads(i.content)["reference"] for i in items] == ["WI-0", "WI-1", "WI-2"]
    assert items[0].source_ref == "work-items.json#0"
