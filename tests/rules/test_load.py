"""Loading rule sets: the real one loads; each broken fixture fails with a helpful error."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from runner.errors import RuleSetError
from runner.rules import RuleSet, load_rule_set
from tests.rules.conftest import FIXTURES, SMATILTAK

BROKEN = sorted(path for path in (FIXTURES / "broken").iterdir() if path.is_dir())


@pytest.mark.parametrize("folder", BROKEN, ids=[path.name for path in BROKEN])
def test_broken_rule_set_names_file_field_and_fix(folder: Path) -> None:
    expected = (folder / "error.txt").read_text(encoding="utf-8").splitlines()
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(folder)
    message = str(caught.value)
    for words in expected:
        assert words in message, f"{words!r} missing from:\n{message}"
    assert caught.value.file is not None
    assert Path(caught.value.file).name == expected[0]
    assert caught.value.fix


def test_error_has_the_json_shape() -> None:
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(FIXTURES / "broken" / "bad_cel")
    shape = caught.value.as_dict()
    assert shape["error"] == "rule_set"
    assert shape["problems"][0]["field"] == "rules[0].condition (line 5)"


def test_not_a_rule_set_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match=r"no ruleset\.yaml"):
        load_rule_set(tmp_path)


def test_real_rule_set_loads(smatiltak: RuleSet) -> None:
    assert smatiltak.id == "byggesak-smatiltak"
    assert smatiltak.version == "2026.1"
    assert smatiltak.case_type == "byggesak"
    assert smatiltak.valid_from == date(2015, 7, 1)
    assert smatiltak.valid_to is None
    assert smatiltak.title == {
        "nb": "Mindre tiltak på bebygd eiendom",
        "nn": "Mindre tiltak på bebygd eigedom",
    }
    assert smatiltak.path == SMATILTAK
    assert len(smatiltak.hash) == 64
    assert smatiltak.decision_rows[-1].matched_text == "otherwise"
    assert {file.relative for file in smatiltak.tests} >= {"tests/frittliggende.yaml"}


def test_every_rule_has_a_lovdata_legal_basis(smatiltak: RuleSet) -> None:
    for rule in smatiltak.rules:
        assert rule.legal_basis, rule.id
        assert rule.legal_basis[0].url.startswith("https://lovdata.no/"), rule.id
        for basis in rule.legal_basis:  # the law, or the ministry's interpretation of it
            assert basis.url.startswith(("https://lovdata.no/", "https://www.regjeringen.no/")), (
                rule.id,
                basis.url,
            )
        assert set(rule.title) == {"nb", "nn"}


def test_unverified_parameters_are_listed(smatiltak: RuleSet) -> None:
    unverified = smatiltak.unverified_parameters()
    assert "uten_ansvarsrett_frittliggende_max_area_m2" in unverified
    assert "byggefrist_ar" in unverified
    assert "klagefrist_uker" not in unverified
    assert not smatiltak.parameters["byggefrist_ar"].verified


def test_hash_covers_every_file_including_tests(tmp_path: Path) -> None:
    copy = tmp_path / "byggesak-smatiltak"
    shutil.copytree(SMATILTAK, copy)
    first = load_rule_set(copy).hash
    assert load_rule_set(copy).hash == first
    test_file = copy / "tests" / "frittliggende.yaml"
    test_file.write_text(test_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert load_rule_set(copy).hash != first


def test_hash_does_not_depend_on_the_folder_location(tmp_path: Path, smatiltak: RuleSet) -> None:
    copy = tmp_path / "elsewhere"
    shutil.copytree(SMATILTAK, copy)
    assert load_rule_set(copy).hash == smatiltak.hash


def test_rules_know_what_they_read(smatiltak: RuleSet) -> None:
    rule = smatiltak.rule("unntatt_soknadsplikt")
    assert rule.reads_results
    assert rule.result_ids is not None and "frittliggende_unntatt" in rule.result_ids
    assert not smatiltak.rule("plan_samsvar").reads_results
