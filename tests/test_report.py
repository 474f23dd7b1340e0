"""`saksrobot report --xlsx`: the workbook has every case and the counts add up."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from runner.cli import app
from runner.run import find_robot, run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import open_store


@pytest.fixture
def filled_store(settings: Settings, tmp_path: Path) -> Settings:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for case in sorted((CONTENT_ROOT / "demo" / "inbox" / "byggesak").glob("*.json"))[:6]:
        (inbox / case.name).write_bytes(case.read_bytes())
    (inbox / "broken.json").write_text("{", encoding="utf-8")
    with open_store(settings.database_url) as store:
        run_robot(settings, store, find_robot(settings, "byggesak-smatiltak"), inbox=inbox)
    return settings


def test_report_workbook(filled_store: Settings, tmp_path: Path, cli_env: dict[str, str]) -> None:
    from RPA.Excel.Files import Files

    target = tmp_path / "rapport.xlsx"
    result = CliRunner().invoke(
        app, ["report", "--xlsx", str(target), "--store", filled_store.database_url]
    )
    assert result.exit_code == 0, result.output
    assert "7 saker" in result.output
    library = Files()
    library.open_workbook(str(target))
    try:
        assert library.list_worksheets() == ["Saker", "Per tilstand", "Per utfall", "Per kommune"]
        cases = library.read_worksheet("Saker", header=True)
        by_state = library.read_worksheet("Per tilstand", header=True)
        by_kommune = library.read_worksheet("Per kommune", header=True)
    finally:
        library.close_workbook()
    assert len(cases) == 7
    states = {row["Tilstand"] for row in cases}
    assert "quarantined" in states
    assert all(row["Ventet (timer)"] >= 0 for row in cases)
    (robot_row,) = by_state
    assert robot_row["Robot"] == "byggesak-smatiltak" and robot_row["Sum"] == 7
    assert robot_row["quarantined"] == 1
    assert {row["Kommune"] for row in by_kommune} <= {"4627", "4601", "0301", "(ukjent)"}
    assert {"4627", "(ukjent)"} <= {row["Kommune"] for row in by_kommune}
