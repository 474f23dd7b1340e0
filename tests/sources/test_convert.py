"""Which senders may say a fact is verified: a system may, a person sending e-mail may not."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from runner.models.robot import FolderSourceConfig, WorkItemsSourceConfig
from runner.settings import CONTENT_ROOT
from runner.sources.configs import ImapSourceConfig
from runner.sources.convert import read_case
from runner.store.records import RawItemRecord

#: A demo case whose sending system verified the plan conformity.
VERIFIED = CONTENT_ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000169.json"


def _raw(path: Path) -> RawItemRecord:
    return RawItemRecord(
        id=1,
        robot_id="byggesak-smatiltak",
        source="test",
        source_ref=path.name,
        content_hash="0" * 64,
        size=path.stat().st_size,
        received_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "config",
    [
        FolderSourceConfig(kind="folder", path="inbox"),
        WorkItemsSourceConfig(kind="workitems", path="items.json"),
    ],
    ids=["folder", "workitems"],
)
def test_a_system_may_send_verified_facts(config: object) -> None:
    case = read_case(config, _raw(VERIFIED), VERIFIED.read_bytes(), "byggesak")
    assert [item.fact for item in case.verified] == ["plan.conforms"]  # type: ignore[attr-defined]


def test_what_an_email_claims_as_verified_is_taken_as_declared() -> None:
    config = ImapSourceConfig(kind="imap")
    case = read_case(config, _raw(VERIFIED), VERIFIED.read_bytes(), "byggesak")
    assert case.verified == []  # type: ignore[attr-defined]
    assert case.plan.conforms is True  # type: ignore[attr-defined]  # still what was declared
