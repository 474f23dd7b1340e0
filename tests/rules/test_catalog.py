"""The catalog: several versions of one rule set side by side, picked by date."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from runner.errors import NotFoundError, RuleSetError
from runner.rules import RuleSetCatalog
from runner.settings import CONTENT_ROOT
from tests.rules.conftest import FIXTURES


def add_version(rules_dir: Path, folder: str, version: str, valid_from: str, valid_to: str) -> None:
    target = rules_dir / folder
    shutil.copytree(FIXTURES / "minimal", target)
    ruleset = target / "ruleset.yaml"
    text = ruleset.read_text(encoding="utf-8")
    text = text.replace('version: "2026.1"', f'version: "{version}"')
    text = text.replace("valid_from: 2020-01-01", f"valid_from: {valid_from}")
    text = text.replace("valid_to: null", f"valid_to: {valid_to}")
    ruleset.write_text(text, encoding="utf-8")


@pytest.fixture
def catalog(tmp_path: Path) -> RuleSetCatalog:
    add_version(tmp_path, "minimal-2020", "2020.1", "2020-01-01", "2024-12-31")
    add_version(tmp_path, "minimal-2025", "2025.1", "2025-01-01", "null")
    (tmp_path / "README.md").write_text("not a rule set", encoding="utf-8")
    return RuleSetCatalog.load(tmp_path)


def test_get_picks_the_version_valid_on_the_date(catalog: RuleSetCatalog) -> None:
    assert catalog.get("minimal", date(2020, 1, 1)).version == "2020.1"
    assert catalog.get("minimal", date(2024, 12, 31)).version == "2020.1"  # valid_to is inclusive
    assert catalog.get("minimal", date(2025, 1, 1)).version == "2025.1"
    assert catalog.get("minimal", date(2040, 1, 1)).version == "2025.1"


def test_no_version_valid_yet(catalog: RuleSetCatalog) -> None:
    with pytest.raises(NotFoundError, match="valid on 2019-12-31") as caught:
        catalog.get("minimal", date(2019, 12, 31))
    assert caught.value.fix is not None and "2020.1 (2020-01-01–2024-12-31)" in caught.value.fix


def test_unknown_rule_set(catalog: RuleSetCatalog) -> None:
    with pytest.raises(NotFoundError, match="No rule set with id 'nope'") as caught:
        catalog.get("nope", date(2026, 1, 1))
    assert caught.value.fix is not None and "minimal" in caught.value.fix


def test_all_and_versions(catalog: RuleSetCatalog) -> None:
    assert [item.version for item in catalog.versions("minimal")] == ["2020.1", "2025.1"]
    assert [(item.id, item.version) for item in catalog.all()] == [
        ("minimal", "2020.1"),
        ("minimal", "2025.1"),
    ]


def test_overlapping_versions_are_refused(tmp_path: Path) -> None:
    add_version(tmp_path, "a", "2020.1", "2020-01-01", "2025-01-01")
    add_version(tmp_path, "b", "2025.1", "2025-01-01", "null")
    with pytest.raises(RuleSetError, match="overlap") as caught:
        RuleSetCatalog.load(tmp_path)
    assert caught.value.fix is not None and "day before 2025-01-01" in caught.value.fix


def test_open_ended_version_before_another_overlaps(tmp_path: Path) -> None:
    add_version(tmp_path, "a", "2020.1", "2020-01-01", "null")
    add_version(tmp_path, "b", "2025.1", "2025-01-01", "null")
    with pytest.raises(RuleSetError, match="overlap"):
        RuleSetCatalog.load(tmp_path)


def test_missing_rules_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="Rules folder not found"):
        RuleSetCatalog.load(tmp_path / "nothing")


def test_content_rules_folder_loads() -> None:
    catalog = RuleSetCatalog.load(CONTENT_ROOT / "rules")
    assert catalog.get("byggesak-smatiltak", date(2026, 9, 21)).version == "2026.1"
    with pytest.raises(NotFoundError):
        catalog.get("byggesak-smatiltak", date(2015, 6, 30))
