"""The demo's cases are dated for the day it runs: a real day's queue, mostly within deadline."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from runner.demo import dated_inbox
from runner.letterfiles import today_in_norway
from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import load_settings
from runner.store import CaseState, open_store
from runner.store.schema import utcnow

from .conftest import DEMO_INBOX, DEMO_SETTINGS

DAY = date(2027, 3, 10)


def _cases(inbox: Path, robot: str) -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((inbox / robot).glob("*.json"))
    }


def _received(case: dict[str, Any]) -> date:
    return datetime.fromisoformat(case["received_at"]).date()


def _without_dates(case: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps({k: v for k, v in case.items() if k not in ("received_at", "period")})
    return dict(json.loads(re.sub(r"\d{4}-\d{2}-\d{2}", "DATE", text)))


def test_the_same_day_gives_the_same_inbox_and_another_day_another(tmp_path: Path) -> None:
    first = dated_inbox(DEMO_INBOX, tmp_path / "a", DAY)
    again = dated_inbox(DEMO_INBOX, tmp_path / "b", DAY)
    later = dated_inbox(DEMO_INBOX, tmp_path / "c", DAY + timedelta(days=1))
    for robot in ("byggesak", "sosialhjelp"):
        assert _cases(first, robot) == _cases(again, robot)
        assert _cases(first, robot) != _cases(later, robot)
    workbook = "byggesak-excel/saker-2026-03.xlsx"
    assert (first / workbook).is_file() and (first / workbook).read_bytes() != (
        DEMO_INBOX / workbook
    ).read_bytes()


def test_only_the_dates_change_and_they_keep_their_distances(tmp_path: Path) -> None:
    dated = dated_inbox(DEMO_INBOX, tmp_path / "inbox", DAY)
    for robot in ("byggesak", "sosialhjelp"):
        before, after = _cases(DEMO_INBOX, robot), _cases(dated, robot)
        assert before.keys() == after.keys()
        for name, original in before.items():
            case = after[name]
            assert list(case) == list(original)  # the same fields, in the same order
            assert _without_dates(case) == _without_dates(original)
            moved = (_received(case) - _received(original)).days
            notice = original.get("neighbour_notice") or {}
            if notice.get("sent_on"):
                sent_on = date.fromisoformat(case["neighbour_notice"]["sent_on"])
                assert sent_on == date.fromisoformat(notice["sent_on"]) + timedelta(days=moved)
            if "period" in original:
                months = lambda d: d.year * 12 + d.month  # noqa: E731
                old_gap = months(date.fromisoformat(original["period"] + "-01")) - months(
                    _received(original)
                )
                new_gap = months(date.fromisoformat(case["period"] + "-01")) - months(
                    _received(case)
                )
                assert new_gap == old_gap


def test_cases_arrive_on_weekdays_in_the_days_before_and_a_few_long_ago(tmp_path: Path) -> None:
    dated = dated_inbox(DEMO_INBOX, tmp_path / "inbox", DAY)
    ages = Counter[str]()
    for robot in ("byggesak", "sosialhjelp"):
        for case in _cases(dated, robot).values():
            received = _received(case)
            if (case.get("request") or {}).get("kind") == "nodhjelp":
                assert received == DAY  # emergency help: received today, decided today
                continue
            assert received < DAY and received.weekday() < 5
            age = (DAY - received).days
            ages["recent" if age <= 22 else "old"] += 1
            assert age <= 100
    assert ages["old"] >= 4 and ages["recent"] >= 0.85 * (ages["recent"] + ages["old"])


@pytest.mark.slow
def test_the_demo_queue_is_mostly_within_deadline_with_the_outcomes_of_the_fixed_dates(
    tmp_path: Path,
) -> None:
    today = today_in_norway(utcnow())
    queues = {}
    for name, inbox in (
        ("fixed", DEMO_INBOX),
        ("dated", dated_inbox(DEMO_INBOX, tmp_path / "inbox", today)),
    ):
        settings = load_settings(DEMO_SETTINGS, data_dir=tmp_path / name)
        robots = load_robots(settings.content_dir / "robots")
        with open_store(settings.database_url) as store:
            for robot in ("byggesak-smatiltak", "sosialhjelp-livsopphold"):
                run_robot(settings, store, robots[robot], inbox=inbox / robot.split("-")[0])
            queues[name] = store.list_cases(limit=1000)
    outcomes = {
        name: Counter((c.robot_id, c.outcome) for c in cases) for name, cases in queues.items()
    }
    assert outcomes["dated"] == outcomes["fixed"]  # dating changes no decision
    waiting = [c for c in queues["dated"] if c.state == CaseState.pending_review and c.deadline]
    within = [c for c in waiting if c.deadline is not None and c.deadline >= today]
    assert len(within) >= 0.8 * len(waiting), f"{len(within)} of {len(waiting)} within deadline"
    soon_or_past = [
        c for c in waiting if c.deadline is not None and c.deadline <= today + timedelta(days=7)
    ]
    assert 3 <= len(soon_or_past) <= 0.2 * len(waiting)
    fixed_waiting = [c for c in queues["fixed"] if c.state == CaseState.pending_review]
    overdue = [c for c in fixed_waiting if c.deadline is not None and c.deadline < today]
    assert len(overdue) > len(fixed_waiting) / 2  # the fixed dates: most past their deadline


def test_each_listed_attachment_is_a_demo_pdf_beside_the_case(tmp_path: Path) -> None:
    first = dated_inbox(DEMO_INBOX, tmp_path / "a", DAY)
    again = dated_inbox(DEMO_INBOX, tmp_path / "b", DAY)
    listed = 0
    for robot in ("byggesak", "sosialhjelp"):
        for case in _cases(first, robot).values():
            for attachment in case.get("attachments", []):
                listed += 1
                path = first / robot / attachment["file"]
                assert path.read_bytes().startswith(b"%PDF-")
                assert path.read_bytes() == (again / robot / attachment["file"]).read_bytes()
    assert listed > 50
    assert not list(DEMO_INBOX.glob("*/*/*.pdf"))  # the fixtures stay without them
