"""The case map SVG: drawn from the kommune's datasets around the footprint, legend in the
reader's målform with each dataset's date; nothing when there is no position or no data."""

from __future__ import annotations

import json
from pathlib import Path

from runner.mapdata.svg import case_map_svg
from runner.settings import CONTENT_ROOT, load_settings

CASE = CONTENT_ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000141.json"


def _case() -> dict[str, object]:
    data: dict[str, object] = json.loads(CASE.read_text(encoding="utf-8"))
    return data


def test_the_map_names_each_dataset_and_its_date_in_nynorsk(tmp_path: Path) -> None:
    settings = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml", data_dir=tmp_path)
    svg = str(case_map_svg(settings, _case(), "4627", "nn"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "Flaumsoner (demo), datert 2026-06-01" in svg
    assert "Byggjegrenser i plan (demo), datert 2026-06-01" in svg
    assert svg.count("<path") >= 3  # plan area, flood zone, parcel boundary, footprint


def test_no_position_or_no_map_data_gives_no_map(tmp_path: Path) -> None:
    settings = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml", data_dir=tmp_path)
    without_position = {k: v for k, v in _case().items() if k != "position"}
    assert case_map_svg(settings, without_position, "4627", "nb") is None
    bare = settings.model_copy(
        update={"kommune": settings.kommune.model_copy(update={"map_data": None})}
    )
    assert case_map_svg(bare, _case(), "4627", "nb") is None


def test_dataset_titles_are_escaped(tmp_path: Path) -> None:
    settings = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml", data_dir=tmp_path)
    assert settings.kommune.map_data is not None
    datasets = [
        item.model_copy(update={"title": item.title.model_copy(update={"nb": "<b>x</b>"})})
        for item in settings.kommune.map_data.datasets
    ]
    map_data = settings.kommune.map_data.model_copy(update={"datasets": datasets})
    changed = settings.model_copy(
        update={"kommune": settings.kommune.model_copy(update={"map_data": map_data})}
    )
    svg = str(case_map_svg(changed, _case(), "4627", "nb"))
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
