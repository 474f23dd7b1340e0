"""Welfare deadlines in the review queue: emergencies the same day, else one month (fvl. § 11 a)."""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from demo.synthetic import sosialhjelp_case
from runner.run import find_robot, run_robot
from runner.settings import Settings
from runner.store import open_store
from runner.store.engine import transaction
from runner.web import queries

OSLO = ZoneInfo("Europe/Oslo")
CASES = {  # reference → (scenario, received, expected deadline)
    "SH-F-001": ("enslig_innvilget", datetime(2026, 10, 5, 10, 0, tzinfo=OSLO), date(2026, 11, 5)),
    "SH-F-002": ("tre_voksne", datetime(2026, 1, 31, 10, 0, tzinfo=OSLO), date(2026, 2, 28)),
    "SH-F-003": ("nodhjelp", datetime(2026, 11, 20, 23, 30, tzinfo=OSLO), date(2026, 11, 20)),
    "SH-F-004": ("inntekt_over_behov", datetime(2026, 9, 2, 10, 0, tzinfo=OSLO), date(2026, 10, 2)),
}


def test_welfare_cases_get_deadlines_and_emergencies_lead_the_queue(
    settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rng = random.Random(5)
    for reference, (scenario, received, _) in CASES.items():
        case = sosialhjelp_case(rng, scenario, reference=reference, received_at=received)
        (inbox / f"{reference}.json").write_text(json.dumps(case), encoding="utf-8")
    robot = find_robot(settings, "sosialhjelp-livsopphold")
    assert robot.deadline is not None
    with open_store(settings.database_url) as store:
        summary = run_robot(settings, store, robot, inbox=inbox)
        assert summary.review == len(CASES)
        for reference, (scenario, _, expected) in CASES.items():
            record = store.find_case(reference)
            assert record.urgent == (scenario == "nodhjelp")
            assert record.deadline == expected, reference
        with transaction(store.engine, write=False) as conn:
            flt = queries.QueueFilter(robot="sosialhjelp-livsopphold")
            rows, total = queries.queue(conn, [settings.kommune.kommunenummer], flt)
    assert total == len(CASES)
    # The emergency first (received last, due the same day), then by deadline.
    assert [row.reference for row in rows] == ["SH-F-003", "SH-F-002", "SH-F-004", "SH-F-001"]
