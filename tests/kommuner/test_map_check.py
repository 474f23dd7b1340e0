"""`kommuner check` reads each kommune's map datasets: unreadable or stale data is a problem."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from runner.kommuner.check import check_kommune
from runner.models.robot import load_robots
from runner.settings import CONTENT_ROOT, load_settings


def test_demo_map_data_is_readable_and_a_missing_file_or_stale_data_is_named(
    tmp_path: Path,
) -> None:
    settings = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml", data_dir=tmp_path)
    robots = load_robots(CONTENT_ROOT / "robots")
    kommune = settings.kommune
    assert check_kommune(kommune, robots, date(2026, 9, 21), {}, map_dir=settings.map_dir) == []
    problems = check_kommune(kommune, robots, date(2026, 9, 21), {}, map_dir=tmp_path)
    assert [p.key for p in problems] == ["map_data.datasets"]
    assert "cannot be read" in problems[0].reason
    assert kommune.map_data is not None
    strict = kommune.model_copy(
        update={"map_data": kommune.map_data.model_copy(update={"max_age_days": 30})}
    )
    stale = check_kommune(strict, robots, date(2026, 9, 21), {}, map_dir=settings.map_dir)
    assert {p.key for p in stale} == {
        f"map_data.datasets.{d.id}" for d in kommune.map_data.datasets
    }
    assert "2026-06-01" in stale[0].reason
