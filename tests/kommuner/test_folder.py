"""Kommune files: loaded next to saksrobot.toml, errors name file and key, CLI list and check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runner.cli import app
from runner.errors import NotFoundError, SettingsError
from runner.settings import CONTENT_ROOT, load_settings

DEMO = CONTENT_ROOT / "demo"


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """A copy of the demo deployment: saksrobot.toml, kommuner/ with three kommuner and
    their map data (kart/)."""
    shutil.copy(DEMO / "saksrobot.toml", tmp_path / "saksrobot.toml")
    shutil.copytree(DEMO / "kommuner", tmp_path / "kommuner")
    shutil.copytree(DEMO / "kart", tmp_path / "kart")
    return tmp_path / "saksrobot.toml"


def test_unknown_kommune_is_not_found_and_says_how_to_add_it(deployment: Path) -> None:
    settings = load_settings(deployment)
    assert settings.kommune_for("0301").name == "Oslo kommune"
    assert settings.kommune_for(None).kommunenummer == "4627"
    with pytest.raises(NotFoundError, match=r"5001-<navn>\.toml"):
        settings.kommune_for("5001")


def test_invalid_kommune_file_names_file_and_key(deployment: Path) -> None:
    path = deployment.parent / "kommuner" / "4601-bergen.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('malform = "nn"', 'malform = "nynorsk"'),
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(deployment)
    assert "4601-bergen.toml" in str(caught.value) and "malform" in str(caught.value)


def test_file_name_must_match_kommunenummer(deployment: Path) -> None:
    folder = deployment.parent / "kommuner"
    (folder / "4601-bergen.toml").rename(folder / "4602-bergen.toml")
    with pytest.raises(SettingsError, match="passer ikke med kommunenummeret"):
        load_settings(deployment)


def test_a_kommune_twice_is_an_error(deployment: Path) -> None:
    folder = deployment.parent / "kommuner"
    shutil.copy(folder / "0301-oslo.toml", folder / "0301-oslo-kopi.toml")
    with pytest.raises(SettingsError, match="satt opp to ganger"):
        load_settings(deployment)


def test_a_deployment_without_kommune_table_uses_the_folder(deployment: Path) -> None:
    text = deployment.read_text(encoding="utf-8")
    head = text.split("\n[kommune]\n")[0]
    deployment.write_text(head + 'default_kommune = "4601"\n', encoding="utf-8")
    settings = load_settings(deployment)
    assert list(settings.kommuner) == ["0301", "4601"]
    assert settings.kommune.name == "Bergen kommune"
    (deployment.parent / "kommuner" / "0301-oslo.toml").unlink()
    (deployment.parent / "kommuner" / "4601-bergen.toml").unlink()
    with pytest.raises(SettingsError, match="Ingen kommune er satt opp"):
        load_settings(deployment)


def test_department_per_case_type_falls_back_to_department() -> None:
    letterhead = load_settings(DEMO / "saksrobot.toml").kommune.letterhead
    assert letterhead.department_for("sosialhjelp", "nn") == "NAV Askøy"
    assert letterhead.department_for("byggesak", "nb") == "Byggesak"
    assert letterhead.department_for(None, "nn") == "Byggesak"


def test_cli_lists_and_checks_the_demo_kommuner(deployment: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["kommuner", "list", "--settings", str(deployment)])
    assert listed.exit_code == 0, listed.output
    for name in ("Askøy kommune", "Bergen kommune", "Oslo kommune", "4601-bergen.toml"):
        assert name in listed.output
    checked = runner.invoke(app, ["kommuner", "check", "--settings", str(deployment)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.count(": ok") == 3
    path = deployment.parent / "kommuner" / "0301-oslo.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("auto_finalise = []", 'auto_finalise = ["nope"]'), "utf-8")
    checked = runner.invoke(app, ["kommuner", "check", "--settings", str(deployment)])
    assert checked.exit_code == 1 and "ukjent robot 'nope'" in checked.output


def test_check_tells_every_kommune_served_that_lacks_the_robots_svarut_account(
    deployment: Path,
) -> None:
    """A robot on SvarUt: each kommune's letters go through its own [svarut], so the check
    names each kommune served without one, the default kommune (the [kommune] table) too."""
    content = deployment.parent / "content"
    for folder in ("robots", "rules", "templates"):
        shutil.copytree(CONTENT_ROOT / folder, content / folder)
    robot = content / "robots" / "byggesak-smatiltak.yaml"
    text = robot.read_text(encoding="utf-8")
    robot.write_text(
        text.replace("channel:\n  kind: folder\n  path: outbox", "channel:\n  kind: svarut"),
        "utf-8",
    )
    deployment.write_text(f'content_dir = "{content}"\n' + deployment.read_text("utf-8"), "utf-8")
    checked = CliRunner().invoke(app, ["kommuner", "check", "--settings", str(deployment)])
    assert checked.exit_code == 1, checked.output
    lacking = [
        line.split(":")[0] for line in checked.output.splitlines() if line.endswith("problem(er)")
    ]
    assert lacking == ["0301 Oslo kommune", "4601 Bergen kommune", "4627 Askøy kommune"]
    assert checked.output.count("sender brev gjennom SvarUt, men kommunen har ingen") == 3
