"""Loading a rule-set folder: parse and validate every file, compile, hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import StringConstraints, TypeAdapter, ValidationError

from runner.errors import FieldProblem, NotFoundError, RuleSetError
from runner.models.registry import case_model
from runner.rules.build import build_decision, build_rules, check_test_file, scope
from runner.rules.ruleset import RuleSet, RuleTestFile
from runner.rules.schema import ParameterSpec, RuleSetSpec, RuleSpec, TestFileSpec
from runner.rules.yamlfile import YamlDocument, read_yaml

T = TypeVar("T")

ParameterName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
_RULESET = TypeAdapter(RuleSetSpec)
_PARAMETERS = TypeAdapter(dict[ParameterName, ParameterSpec])
_RULES = TypeAdapter(list[RuleSpec])
_TESTS = TypeAdapter(TestFileSpec)

_FIXES = {
    "ruleset.yaml": "See rules/byggesak-smatiltak/ruleset.yaml for a complete example.",
    "parameters.yaml": "Each parameter needs description {nb, nn}, unit, reference {ref, url}, "
    "confidence (V, V2 or M) and values {YYYY-MM-DD: number}.",
    "rules.yaml": "Each rule needs id, title {nb, nn}, legal_basis, condition or value, and "
    "explanation {nb, nn}; expressions are CEL.",
    "tests": "A test file has description, base (a full case), and tests with name, patch "
    "and expect.",
}


def _problems_error(doc: YamlDocument, problems: list[FieldProblem], fix_key: str) -> RuleSetError:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    return RuleSetError(
        f"{count} {noun} in {doc.path.name}", file=doc.path, problems=problems, fix=_FIXES[fix_key]
    )


def _read(path: Path, adapter: TypeAdapter[T], root: str, fix_key: str) -> tuple[T, YamlDocument]:
    doc = read_yaml(path)
    if doc.data is None:
        raise RuleSetError("File is empty", file=path, fix=_FIXES[fix_key])
    try:
        return adapter.validate_python(doc.data), doc
    except ValidationError as error:
        raise _problems_error(doc, doc.problems_from(root, error), fix_key) from error


def _files(folder: Path) -> Iterator[Path]:
    """Every file of the rule set, skipping hidden files and caches."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        if path.is_file():
            yield path


def hash_folder(folder: Path) -> str:
    """sha256 over the sorted relative paths and bytes of every file in the folder."""
    digest = hashlib.sha256()
    entries = sorted((path.relative_to(folder).as_posix(), path) for path in _files(folder))
    for relative, path in entries:
        data = path.read_bytes()
        digest.update(relative.encode("utf-8") + b"\0")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _check_case_type(spec: RuleSetSpec, doc: YamlDocument) -> None:
    try:
        case_model(spec.case_type)
    except NotFoundError as error:
        problem = doc.problem("", ("case_type",), error.message, error.fix or "")
        raise _problems_error(doc, [problem], "ruleset.yaml") from error


def _read_tests(folder: Path, rules: Any) -> tuple[RuleTestFile, ...]:
    files: list[RuleTestFile] = []
    for path in sorted((folder / "tests").glob("*.yaml")):
        spec, doc = _read(path, _TESTS, "", "tests")
        problems = check_test_file(spec, rules, doc)
        if problems:
            raise _problems_error(doc, problems, "tests")
        files.append(RuleTestFile(path=path, relative=f"tests/{path.name}", spec=spec))
    return tuple(files)


def load_rule_set(path: Path) -> RuleSet:
    """Load, validate and compile the rule set in folder `path`.

    Raises RuleSetError naming the file, the field (with its line) and what to do.
    """
    folder = Path(path).resolve()
    if not (folder / "ruleset.yaml").is_file():
        raise RuleSetError(
            "Not a rule set folder (no ruleset.yaml)",
            file=folder,
            fix="Point to a folder with ruleset.yaml, parameters.yaml, rules.yaml and tests/.",
        )
    spec, ruleset_doc = _read(folder / "ruleset.yaml", _RULESET, "", "ruleset.yaml")
    _check_case_type(spec, ruleset_doc)
    parameters, _ = _read(folder / "parameters.yaml", _PARAMETERS, "", "parameters.yaml")
    rule_specs, rules_doc = _read(folder / "rules.yaml", _RULES, "rules", "rules.yaml")
    if not rule_specs:
        raise RuleSetError("No rules", file=rules_doc.path, fix=_FIXES["rules.yaml"])
    rules, problems = build_rules(rule_specs, list(parameters), rules_doc)
    if problems:
        raise _problems_error(rules_doc, problems, "rules.yaml")
    rows, problems = build_decision(spec.decision, rules, list(parameters), ruleset_doc)
    if problems:
        raise _problems_error(ruleset_doc, problems, "ruleset.yaml")
    return RuleSet(
        spec=spec,
        path=folder,
        hash=hash_folder(folder),
        parameters=parameters,
        rules=rules,
        decision_rows=rows,
        tests=_read_tests(folder, rules),
        variables=scope(rules, rows),
    )
