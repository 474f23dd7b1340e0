"""`saksrobot rules new`: the scaffold passes `rules check` and `rules test` as it is."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from runner.cli import app
from runner.cli.rules import rules_app
from runner.rules import load_rule_set
from runner.ruletools.check import check_paths
from runner.ruletools.testing import run_rule_tests
from runner.settings import CONTENT_ROOT
from tests.rules.conftest import SMATILTAK

runner = CliRunner()


def test_new_rule_set_passes_check_and_test(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    example = tmp_path / "garasje.json"
    base = yaml.safe_load((SMATILTAK / "tests" / "frittliggende.yaml").read_text(encoding="utf-8"))
    example.write_text(json.dumps(base["base"]), encoding="utf-8")
    made = runner.invoke(
        rules_app,
        ["new", "byggesak-test", "--case-type", "byggesak", "--dir", str(rules_dir),
         "--example", str(example)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    folder = rules_dir / "byggesak-test"
    assert {path.name for path in folder.iterdir()} == {
        "ruleset.yaml", "parameters.yaml", "rules.yaml", "tests",
    }  # fmt: skip
    rule_set = load_rule_set(folder)
    report = run_rule_tests(rule_set)
    assert report.ok and report.passed == 2, report.failures
    assert "Neste steg" in made.output and "rule_set: byggesak-test" in made.output
    assert "templates/" in made.output
    checked = check_paths([folder])  # the placeholder legal basis must be filled in
    assert sorted((problem.check, problem.subject) for problem in checked.errors) == [
        ("legal-basis", "parameter gnr_minst_grense"),
        ("legal-basis", "rule gnr_minst"),
    ], [problem.format() for problem in checked.errors]
    assert all("placeholder" in problem.message for problem in checked.errors)
    assert runner.invoke(rules_app, ["check", str(folder)]).exit_code == 1
    for name in ("rules.yaml", "parameters.yaml"):  # the rule's basis, then the parameter's
        path = folder / name
        path.write_text(
            path.read_text(encoding="utf-8")
            .replace("Lov/forskrift § (skriv inn hjemmelen)", "pbl. § 20-5 første ledd bokstav a")
            .replace("https://lovdata.no/", "https://lovdata.no/lov/2008-06-27-71/§20-5"),
            encoding="utf-8",
        )
        checked = check_paths([folder])
        if name == "rules.yaml":  # the parameter's reference alone still fails
            assert [(p.check, p.subject) for p in checked.errors] == [
                ("legal-basis", "parameter gnr_minst_grense")
            ]
            assert "reference is a placeholder" in checked.errors[0].message
    assert not checked.errors, [problem.format() for problem in checked.errors]
    assert [problem.check for problem in checked.warnings] == ["unverified"]
    assert runner.invoke(rules_app, ["check", str(folder)]).exit_code == 0
    assert runner.invoke(rules_app, ["test", str(folder)]).exit_code == 0


def test_every_registered_case_type_can_be_scaffolded_from_the_shipped_rule_sets(
    tmp_path: Path,
) -> None:
    for case_type in sorted(
        {
            yaml.safe_load(p.read_text())["case_type"]
            for p in (CONTENT_ROOT / "rules").glob("*/ruleset.yaml")
        }
    ):
        target = tmp_path / case_type
        target.mkdir()
        for source in (CONTENT_ROOT / "rules").iterdir():
            if (source / "ruleset.yaml").is_file():
                (target / source.name).symlink_to(source)
        made = runner.invoke(rules_app, ["new", f"ny-{case_type}", "--case-type", case_type,
                                          "--dir", str(target)])  # fmt: skip
        assert made.exit_code == 0, made.output
        folder = target / f"ny-{case_type}"
        assert run_rule_tests(load_rule_set(folder)).ok
        errors = check_paths([folder]).errors  # only the legal basis is left to fill in
        assert {problem.check for problem in errors} == {"legal-basis"}, errors
        assert all("placeholder" in problem.message for problem in errors)


def test_refuses_a_bad_name_or_an_existing_folder(tmp_path: Path) -> None:
    bad = runner.invoke(app, ["rules", "new", "Ugyldig Navn", "--case-type", "byggesak",
                              "--dir", str(tmp_path)])  # fmt: skip
    assert bad.exit_code == 2
    assert "not a valid rule-set id" in bad.output
    (tmp_path / "finst").mkdir()
    exists = runner.invoke(app, ["rules", "new", "finst", "--case-type", "byggesak",
                                 "--dir", str(tmp_path)])  # fmt: skip
    assert exists.exit_code == 2
    assert "exists already" in exists.output
    unknown = runner.invoke(
        app, ["rules", "new", "x", "--case-type", "ukjent", "--dir", str(tmp_path)]
    )
    assert unknown.exit_code == 2
