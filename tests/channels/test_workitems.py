"""Output work items (RPA.Robocorp.WorkItems, FileAdapter): one per letter, readable downstream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.channels.base import Delivery, Letter
from runner.channels.configs import WorkItemsChannelConfig
from runner.channels.workitems import OUTPUT, WorkItemsChannel
from runner.errors import ChannelError
from runner.run import find_robot, run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import open_store


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RPA_INPUT_WORKITEM_PATH", raising=False)
    monkeypatch.delenv("RPA_OUTPUT_WORKITEM_PATH", raising=False)


def test_a_decision_becomes_an_output_work_item(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = CONTENT_ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000122.json"
    (inbox / case.name).write_bytes(case.read_bytes())
    robot = find_robot(settings, "byggesak-smatiltak")
    robot = robot.model_copy(update={"channel": WorkItemsChannelConfig(kind="workitems")})
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robot, inbox=inbox)
        (record,) = store.list_cases()
        assert record.state == "sent"
        (row,) = store.outbox_for_case(record.id)
    folder = settings.data_dir / "workitems" / row.key
    (item,) = json.loads((folder / OUTPUT).read_text(encoding="utf-8"))
    assert item["payload"]["saksmappe"]["saksnummer"] == "BS-2026-000122"
    assert item["payload"]["vedtak"]["utfall"] == "innvilget"
    (name,) = item["files"]
    assert (folder / item["files"][name]).read_bytes()[:5] == b"%PDF-"
    channel = WorkItemsChannel(settings.data_dir / "workitems")
    assert channel.reconcile(row.key) is Delivery.delivered
    assert channel.reconcile("other-key") is Delivery.not_delivered
    # A downstream Robocorp process reads it as its input with the same library.
    import os

    from RPA.Robocorp.WorkItems import FileAdapter, WorkItems

    os.environ["RPA_INPUT_WORKITEM_PATH"] = str(folder / OUTPUT)
    os.environ["RPA_OUTPUT_WORKITEM_PATH"] = str(tmp_path / "next.json")
    downstream = WorkItems(autoload=False, default_adapter=FileAdapter)
    downstream.get_input_work_item()
    assert downstream.get_work_item_variable("vedtak")["utfall"] == "innvilget"


def test_a_letter_without_a_record_is_refused(tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    channel = WorkItemsChannel(tmp_path / "workitems")
    with pytest.raises(ChannelError, match="decision record"):
        channel.send(Letter("k-1", pdf, "BS-1"))
    assert channel.reconcile("k-1") is Delivery.not_delivered
