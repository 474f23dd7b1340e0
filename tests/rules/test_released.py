"""`rules check` released: a dated value in the last release tag is never edited or removed;
a clone without tags is skipped with a warning."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from runner.ruletools.check import check_paths
from tests.rules.conftest import SMATILTAK

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.no", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository holding a copy of the content (rules/, robots/, templates/)."""
    content = SMATILTAK.parent.parent
    for part in ("rules", "robots", "templates"):
        shutil.copytree(content / part, tmp_path / part, symlinks=True)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "release")
    return tmp_path


def _released(report: object) -> list[str]:
    return [p.format() for p in report.problems if p.check == "released"]  # type: ignore[attr-defined]


def test_without_tags_the_check_is_skipped_with_a_warning(repository: Path) -> None:
    report = check_paths([repository / "rules" / SMATILTAK.name])
    assert not [p for p in report.errors if p.check == "released"]
    [warning] = [p for p in report.warnings if p.check == "released"]
    assert "no release tag" in warning.message and "fetch-depth: 0" in warning.fix


def test_an_edited_released_value_fails_and_a_new_line_passes(repository: Path) -> None:
    _git(repository, "tag", "v1.0.0")
    folder = repository / "rules" / SMATILTAK.name
    parameters = folder / "parameters.yaml"
    original = parameters.read_text(encoding="utf-8")
    assert not _released(check_paths([folder]))

    parameters.write_text(
        original.replace("values: {2015-07-01: 1.0}", "values: {2015-07-01: 1.5}", 1),
        encoding="utf-8",
    )
    [problem] = _released(check_paths([folder]))
    assert "released in v1.0.0" in problem and "changed from 1.0 to 1.5" in problem
    assert "new line" in problem

    parameters.write_text(
        original.replace(
            "values: {2015-07-01: 1.0}", "values: {2015-07-01: 1.0, 2030-01-01: 1.5}", 1
        ),
        encoding="utf-8",
    )
    assert not _released(check_paths([folder]))
