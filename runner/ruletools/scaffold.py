"""`rules new`: a new rule set with one rule, one parameter and tests both ways, ready to edit."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from runner.errors import NotFoundError, RuleSetError
from runner.models.registry import case_model, decision_date
from runner.rules.fields import case_fields
from runner.ruletools.testing import deep_merge

_RULE_SET_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def _example_from_rule_sets(case_type: str, rules_dir: Path) -> dict[str, Any] | None:
    """The base case of the first test file of a rule set for `case_type`."""
    for folder in sorted(rules_dir.glob("*/ruleset.yaml")):
        spec = yaml.safe_load(folder.read_text(encoding="utf-8")) or {}
        if spec.get("case_type") != case_type:
            continue
        for test_file in sorted((folder.parent / "tests").glob("*.yaml")):
            base = (yaml.safe_load(test_file.read_text(encoding="utf-8")) or {}).get("base")
            if isinstance(base, dict):
                return base
    return None


def _load_example(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise RuleSetError("The example case is not a JSON/YAML object", file=path)
    return data


def _numbers(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Paths of positive numbers in nested objects (not in lists)."""
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _numbers(value, (*prefix, key))
        elif isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            yield (*prefix, key)


def _patch(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    patch: dict[str, Any] = {path[-1]: value}
    for key in reversed(path[:-1]):
        patch = {key: patch}
    return patch


def _valid(model: type[BaseModel], raw: dict[str, Any]) -> bool:
    try:
        model.model_validate(raw)
    except ValidationError:
        return False
    return True


def _pick_field(
    model: type[BaseModel], example: dict[str, Any]
) -> tuple[tuple[str, ...], Any, Any]:
    """A number field and a smaller valid value for it: (path, example value, lower value)."""
    fields = case_fields(model)
    for path in _numbers(example):
        value: Any = example
        for key in path:
            value = value[key]
        if fields.problem(list(path)) is not None:
            continue
        lower = [0, value // 2] if isinstance(value, int) else [0.0, round(value / 2, 1)]
        for candidate in lower:
            if candidate < value and _valid(model, deep_merge(example, _patch(path, candidate))):
                return path, value, candidate
    raise RuleSetError(
        "The example case has no number field the scaffold can build a rule on",
        fix="Give --example with a case that has a positive number (e.g. an area or an amount).",
    )


def scaffold(name: str, case_type: str, rules_dir: Path, *, example: Path | None = None) -> Path:
    """Write rules_dir/name/ with ruleset, parameters, one rule and two tests; return it."""
    if not _RULE_SET_ID.match(name):
        raise RuleSetError(
            f"'{name}' is not a valid rule-set id",
            fix="Use lower-case letters and digits separated by hyphens, e.g. sosialhjelp-husleie.",
        )
    model = case_model(case_type)
    folder = rules_dir / name
    if folder.exists():
        raise RuleSetError("The folder exists already", file=folder, fix="Pick another name.")
    base = _load_example(example) if example else _example_from_rule_sets(case_type, rules_dir)
    if base is None:
        raise NotFoundError(
            f"No example case of type '{case_type}' to base the tests on",
            fix="Give --example FILE with a valid case (JSON or YAML).",
        )
    if not _valid(model, base):
        raise RuleSetError(
            "The example case is not valid", fix=f"Check it against {model.__name__}."
        )
    path, value, lower = _pick_field(model, base)
    field = ".".join(path)
    rule_id = re.sub(r"[^a-z0-9_]", "_", path[-1].lower())[:60] + "_minst"
    parameter = f"{rule_id}_grense"
    start = date(decision_date(model.model_validate(base)).year, 1, 1)
    _write(folder, name, case_type, start, rule_id, parameter, field, value, lower, base)
    return folder


def _write(
    folder: Path,
    name: str,
    case_type: str,
    start: date,
    rule_id: str,
    parameter: str,
    field: str,
    value: Any,
    lower: Any,
    base: dict[str, Any],
) -> None:
    ruleset = {
        "id": name,
        "version": f"{start.year}.1",
        "title": {"nb": f"Regelsett {name}", "nn": f"Regelsett {name}"},
        "case_type": case_type,
        "valid_from": start,
        "valid_to": None,
        "owner": "Fagteam (skriv inn)",
        "description": "Made by `saksrobot rules new`: replace the rule, the parameter and the "
        "tests with the provisions this rule set implements.",
        "decision": [
            {"when": f"r.{rule_id} == 'oppfylt'", "outcome": "innvilget", "route": "review"},
            {"when": f"r.{rule_id} == 'ikke_oppfylt'", "outcome": "avslag", "route": "review"},
            {"otherwise": True, "outcome": "til_vurdering", "route": "review"},
        ],
    }
    basis = {"ref": "Lov/forskrift § (skriv inn hjemmelen)", "url": "https://lovdata.no/"}
    parameters = {
        parameter: {
            "description": {"nb": f"Minste verdi for {field}", "nn": f"Minste verdi for {field}"},
            "unit": "(skriv inn eining)",
            "reference": basis,
            "confidence": "M",
            "values": {start: value},
        }
    }
    shown = f"{{{{ case.{field} | tal }}}}"
    limit = f"{{{{ p.{parameter} | tal }}}}"
    rules = [
        {
            "id": rule_id,
            "title": {"nb": f"{field} er stor nok", "nn": f"{field} er stor nok"},
            "legal_basis": [basis],
            "condition": f"case.{field} >= p.{parameter}",
            "explanation": {
                "nb": f"Verdien er {shown}; den må være minst {limit}.",
                "nn": f"Verdien er {shown}; han må vere minst {limit}.",
            },
        }
    ]
    tests = {
        "description": f"{rule_id}: at the limit and under it.",
        "base": base,
        "tests": [
            {
                "name": f"{field} lik grensen",
                "expect": {"rules": {rule_id: "oppfylt"}, "outcome": "innvilget"},
            },
            {
                "name": f"{field} under grensen",
                "patch": _patch(tuple(field.split(".")), lower),
                "expect": {"rules": {rule_id: "ikke_oppfylt"}, "outcome": "avslag"},
            },
        ],
    }
    (folder / "tests").mkdir(parents=True)
    for file, data in (
        ("ruleset.yaml", ruleset),
        ("parameters.yaml", parameters),
        ("rules.yaml", rules),
        (f"tests/{rule_id}.yaml", tests),
    ):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        (folder / file).write_text(text, encoding="utf-8")
