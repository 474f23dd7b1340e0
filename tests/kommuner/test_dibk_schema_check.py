"""`kommuner check` on a DiBK robot's XSD: the mapping can read the schema the robot's source
names (or the shipped one), and what it cannot read is reported by robot and path."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from runner.cli import app
from runner.kommuner.check import check_robot_sources
from runner.models.robot import FolderSourceConfig, RobotDefinition, load_robots
from runner.settings import CONTENT_ROOT
from runner.sources.configs import DIBK_FORMAT, FiksIoSourceConfig
from runner.sources.dibk_schema import SHIPPED_SCHEMA

RENAMED = ('name="moenehoeyde"', 'name="moenehoyde"')


def renamed_copy(folder: Path) -> Path:
    path = folder / "tiltakutenansvarsrett.xsd"
    path.write_text(SHIPPED_SCHEMA.read_text(encoding="utf-8").replace(*RENAMED, 1))
    return path


def with_dibk(
    robot: RobotDefinition, xsd: Path | None, *, fiks_io: bool = False
) -> RobotDefinition:
    source: FolderSourceConfig | FiksIoSourceConfig = (
        FiksIoSourceConfig(kind="fiksio", message_types=["soknad"], xsd=xsd)
        if fiks_io
        else FolderSourceConfig(kind="folder", path="inn", format=DIBK_FORMAT, xsd=xsd)
    )
    return robot.model_copy(update={"source": source})


def test_robots_on_the_shipped_schema_or_without_dibk_have_no_problems() -> None:
    robots = load_robots(CONTENT_ROOT / "robots")
    assert check_robot_sources(robots) == []
    robots["byggesak-smatiltak"] = with_dibk(robots["byggesak-smatiltak"], None)
    assert check_robot_sources(robots) == []


def test_a_schema_the_mapping_cannot_read_is_reported_by_robot_and_path(tmp_path: Path) -> None:
    robots = load_robots(CONTENT_ROOT / "robots")
    xsd = renamed_copy(tmp_path)
    robots["byggesak-smatiltak"] = with_dibk(robots["byggesak-smatiltak"], xsd, fiks_io=True)
    (problem,) = check_robot_sources(robots)
    assert problem.robot_id == "byggesak-smatiltak"
    assert problem.key == "source.xsd tilleggsopplysninger/moenehoeyde"
    assert "finnes ikke i skjemaet" in problem.reason
    assert "karantene med denne stien" in problem.fix


def test_the_cli_check_reports_the_robots_schema(tmp_path: Path) -> None:
    content = tmp_path / "innhold"
    shutil.copytree(CONTENT_ROOT / "robots", content / "robots")
    shutil.copytree(CONTENT_ROOT / "rules", content / "rules")
    robot_file = content / "robots" / "byggesak-smatiltak.yaml"
    text = robot_file.read_text(encoding="utf-8")
    old = "source:\n  kind: folder\n  path: inbox/byggesak\n"
    assert old in text
    xsd = renamed_copy(tmp_path)
    robot_file.write_text(
        text.replace(old, f"{old}  format: {DIBK_FORMAT}\n  xsd: {xsd}\n"), encoding="utf-8"
    )
    settings_file = tmp_path / "saksrobot.toml"
    demo = (CONTENT_ROOT / "demo" / "saksrobot.toml").read_text(encoding="utf-8")
    settings_file.write_text(f'content_dir = "{content}"\n' + demo, encoding="utf-8")
    shutil.copytree(CONTENT_ROOT / "demo" / "kommuner", tmp_path / "kommuner")
    result = CliRunner().invoke(app, ["kommuner", "check", "--settings", str(settings_file)])
    assert result.exit_code == 1, result.output
    assert (
        "robot byggesak-smatiltak source.xsd tilleggsopplysninger/moenehoeyde: elementet finnes "
        "ikke i skjemaet" in result.output
    ), result.output
