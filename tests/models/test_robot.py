"""Robot definitions: the shipped robots load; a broken file names the file, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import RobotDefinitionError
from runner.models.robot import load_robot, load_robots
from runner.settings import CONTENT_ROOT


def test_shipped_robots_load() -> None:
    robots = load_robots(CONTENT_ROOT / "robots")
    assert "byggesak-smatiltak" in robots
    assert robots["byggesak-smatiltak"].letters["innvilget"] == "byggesak/innvilget"


@pytest.mark.parametrize(
    "text,words",
    [
        ("id: x\n  bad: [", ["not valid YAML", "line"]),
        ("- a\n- b\n", ["YAML mapping"]),
        (
            "id: byggesak-test\nversion: 1\ntitle: {nb: a, nn: b}\ncase_model: byggesak\n"
            "source: {kind: folder, path: inbox}\nletters: {}\n",
            ["rule_set", "add this field"],
        ),
        (
            "id: byggesak-test\nversion: 1\ntitle: {nb: a, nn: b}\ncase_model: hundeskatt\n"
            "source: {kind: folder, path: inbox}\nrule_set: x-y\nletters: {}\n",
            ["case_model", "hundeskatt"],
        ),
        (
            "id: byggesak-test\nversion: 1\ntitle: {nb: a, nn: b}\ncase_model: byggesak\n"
            "source: {kind: ftp, path: inbox}\nrule_set: x-y\nletters: {}\n",
            ["source", "folder, workitems"],
        ),
        (
            "id: byggesak-test\nversion: 1\ntitle: {nb: a, nn: b}\ncase_model: byggesak\n"
            "source: {kind: folder, path: inbox}\nrule_set: x-y\nletters: {}\ncolour: red\n",
            ["colour", "remove this field"],
        ),
    ],
)
def test_broken_robot_file_names_file_field_and_fix(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RobotDefinitionError) as caught:
        load_robot(path)
    message = str(caught.value)
    assert "broken.yaml" in message
    for word in words:
        assert word in message
