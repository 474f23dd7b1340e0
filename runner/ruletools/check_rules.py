"""Lint checks inside one rule set: legal basis, coverage, case fields, parameters, nb/nn."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jinja2
import yaml

from runner.letters.analysis import context_paths
from runner.models.registry import case_model
from runner.models.results import UNDECIDED
from runner.norwegian import format_date, format_number
from runner.rules.expressions import mask_strings
from runner.rules.fields import ITEMS, SchemaFields, case_fields, split_path
from runner.rules.ruleset import RuleSet
from runner.rules.yamlfile import YamlDocument, read_yaml
from runner.ruletools.lint import Collector
from runner.ruletools.testing import TestReport, coverage_gaps

#: Hosts a rule's legal basis must link to (the law itself, or the ministry's circulars).
LEGAL_HOSTS = ("lovdata.no", "regjeringen.no")
RULE_FIELDS = ("applies_when", "uncertain_when", "condition", "value")
#: Outcomes that refuse or dismiss: never the fallback of a decision table (pbl. § 21-4 first
#: ledd; a case the rules cannot place goes to a caseworker as `til_vurdering`).
REFUSALS = frozenset({"avslag", "avvist"})

_COMPREHENSION = re.compile(
    r"(?<![\w.])([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)+)\s*\.\s*"
    r"(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,"
)
_parser = jinja2.Environment(autoescape=False)
_parser.filters.update(tal=format_number, dato=format_date)  # the explanation filters


def _segments(text: str) -> list[str]:
    return [part.strip() for part in text.split(".")]


def cel_paths(source: str) -> Iterator[tuple[str, list[str]]]:
    """(root, fields) of every dotted path, comprehension variables resolved to list items.

    `case.attachments.exists(a, a.kind == 'x')` gives ("case", ["attachments"]) and
    ("case", ["attachments[]", "kind"]); a trailing `.name(` is a method, not a field.
    """
    masked = mask_strings(source)
    bound: dict[str, tuple[str, list[str]]] = {}
    for match in _COMPREHENSION.finditer(masked):
        root, *fields = _segments(match.group(1))
        if root in bound:
            root, fields = bound[root][0], bound[root][1] + fields
        if root == "case" and fields:
            bound[match.group(2)] = (root, [*fields[:-1], fields[-1] + ITEMS])
    roots = "|".join(["case", "p", *map(re.escape, bound)])
    pattern = re.compile(rf"(?<![\w.])({roots})((?:\s*\.\s*[A-Za-z_]\w*)+)")
    for match in pattern.finditer(masked):
        fields = _segments(match.group(2))[1:]
        if masked[match.end() :].lstrip().startswith("("):
            fields = fields[:-1]
        root = match.group(1)
        if root in bound:
            root, fields = bound[root][0], bound[root][1] + fields
        if fields:
            yield root, fields


def template_paths(source: str) -> set[str]:
    """The context paths an explanation template reads (`case.measure.kind`, `p.x`)."""
    return context_paths(_parser.parse(source))


#: What `rules new` writes where the legal basis goes: a reference still to be filled in.
PLACEHOLDER_REF = "(skriv inn hjemmelen)"


def is_placeholder_basis(ref: str, url: str) -> bool:
    """Whether a legal basis is the scaffold's placeholder (or a bare link to a site)."""
    path = urlparse(url).path.strip("/")
    return PLACEHOLDER_REF in ref or "skriv inn" in ref.lower() or not path


def _link_problem(rule_index: int, rule_set: RuleSet, doc: YamlDocument, out: Collector) -> None:
    rule = rule_set.rules[rule_index]
    for basis in rule.legal_basis:
        if is_placeholder_basis(basis.ref, basis.url):
            out.error(
                "legal-basis",
                doc.path,
                doc.line((rule_index, "legal_basis")),
                f"rule {rule.id}",
                f"the legal basis is a placeholder ({basis.ref} {basis.url})",
                "name the provision the rule rests on and link to it, e.g. {ref: pbl. § 20-5 "
                "første ledd bokstav a, url: https://lovdata.no/lov/2008-06-27-71/§20-5}",
            )
    hosts = [urlparse(basis.url).hostname or "" for basis in rule.legal_basis]
    if not any(host == h or host.endswith("." + h) for host in hosts for h in LEGAL_HOSTS):
        out.error(
            "legal-basis",
            doc.path,
            doc.line((rule_index, "legal_basis")),
            f"rule {rule.id}",
            "no legal basis links to lovdata.no or regjeringen.no",
            "add {ref: <provision>, url: https://lovdata.no/...} for the provision the rule "
            "rests on",
        )


def check_coverage(
    rule_set: RuleSet, report: TestReport, doc: YamlDocument, out: Collector
) -> None:
    """Every rule is shown met and not met by some test (see `coverage_gaps`)."""
    gaps = coverage_gaps(rule_set, report)
    for index, rule in enumerate(rule_set.rules):
        missing = gaps.get(rule.id)
        if not missing:
            continue
        counts = report.outcome_counts.get(rule.id, {})
        seen = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "no test reaches it"
        out.error(
            "coverage",
            doc.path,
            doc.line((index, "id")),
            f"rule {rule.id}",
            f"not exercised both ways: no test gives {' or '.join(missing)} (tests give: {seen})",
            "add a test in tests/*.yaml whose case makes the rule "
            + " and one that makes it ".join(missing)
            + ", at the boundary value",
        )


def _field_problem(
    fields: SchemaFields, root: str, path: list[str], rule_set: RuleSet
) -> tuple[str, str] | None:
    """(message, fix) when `root.path` names a case field or parameter that does not exist."""
    if root == "case":
        problem = fields.problem(path)
        if problem:
            model = case_model(rule_set.case_type).__name__
            return problem, f"use a field of {model} (runner/models/), spelled as in the model"
        return None
    name, *keys = path
    parameter = rule_set.parameters.get(name)
    if parameter is None:
        return (
            f"unknown parameter 'p.{name}'",
            "add it to parameters.yaml, or correct the name",
        )
    for day, value in parameter.values.items():
        current: Any = value
        for key in keys:
            if isinstance(current, Mapping) and key in current:
                current = current[key]
            elif isinstance(current, Mapping):
                return (
                    f"parameter '{name}' has no key '{key}' in its value from {day.isoformat()}",
                    "give every dated value the same keys",
                )
            else:
                break
    return None


def check_fields(
    rule_set: RuleSet, rules_doc: YamlDocument, ruleset_doc: YamlDocument, out: Collector
) -> None:
    """CEL expressions and explanations read only case fields and parameters that exist."""
    fields = case_fields(case_model(rule_set.case_type))
    for index, rule in enumerate(rule_set.rules):
        for field in RULE_FIELDS:
            source = getattr(rule.spec, field)
            for root, path in cel_paths(source or ""):
                found = _field_problem(fields, root, path, rule_set)
                if found:
                    line = rules_doc.line((index, field))
                    out.error("case-field", rules_doc.path, line, f"rule {rule.id}", *found)
        if rule.discretion is not None and rule.discretion.when:
            for root, path in cel_paths(rule.discretion.when):
                found = _field_problem(fields, root, path, rule_set)
                if found:
                    line = rules_doc.line((index, "discretion", "when"))
                    out.error("case-field", rules_doc.path, line, f"rule {rule.id}", *found)
        for number, item in enumerate(rule.spec.requires_verified):
            found = _field_problem(fields, "case", item.fact.split("."), rule_set)
            if found:
                line = rules_doc.line((index, "requires_verified", number, "fact"))
                out.error("case-field", rules_doc.path, line, f"rule {rule.id}", *found)
        for language in ("nb", "nn"):
            source = getattr(rule.spec.explanation, language)
            for text in sorted(template_paths(source)):
                root, *path = split_path(text)
                if root not in ("case", "p") or not path:
                    continue
                found = _field_problem(fields, root, path, rule_set)
                if found:
                    line = rules_doc.line((index, "explanation", language))
                    subject = f"rule {rule.id} (explanation {language})"
                    out.error("case-field", rules_doc.path, line, subject, *found)
    for index, row in enumerate(rule_set.spec.decision):
        for field in ("when", "urgent"):
            for root, path in cel_paths(getattr(row, field) or ""):
                found = _field_problem(fields, root, path, rule_set)
                if found:
                    line = ruleset_doc.line(("decision", index, field))
                    out.error("case-field", ruleset_doc.path, line, f"decision[{index}]", *found)


def check_fallback(rule_set: RuleSet, doc: YamlDocument, out: Collector) -> None:
    """The `otherwise` row neither refuses nor decides alone: a caseworker decides."""
    rows = rule_set.spec.decision
    index = len(rows) - 1
    last = rows[index]
    if last.outcome in REFUSALS or last.outcome != UNDECIDED or last.route.value != "review":
        out.error(
            "fallback",
            doc.path,
            doc.line(("decision", index, "outcome")),
            f"decision[{index}] (otherwise)",
            f"a case that matches no row gets '{last.outcome}' with route {last.route.value}: "
            "an outcome without a legal ground"
            + (" (a refusal)" if last.outcome in REFUSALS else ""),
            f"end the table with `otherwise: true`, `outcome: {UNDECIDED}`, `route: review`, "
            "and add a row for each outcome that has a legal ground",
        )


def _reads_guidelines(source: str | None) -> bool:
    return bool(source) and re.search(r"\bk\s*\.\s*guidelines\b|\bk\s*\[", source or "") is not None


def check_discretion(
    rule_set: RuleSet,
    report: TestReport,
    rules_doc: YamlDocument,
    ruleset_doc: YamlDocument,
    out: Collector,
) -> None:
    """No discretion reaches an automatic outcome without a guideline hook.

    A discretionary rule must be shown by the tests going to a person without a guideline
    and, when a guideline may settle it, settled by one; a row that rests on discretion
    cannot be automatic; no expression may read the kommune's guidelines itself.
    """
    for index, rule in enumerate(rule_set.rules):
        sources = [getattr(rule.spec, field) for field in RULE_FIELDS]
        if rule.discretion is not None:
            sources.append(rule.discretion.when)
        if any(_reads_guidelines(source) for source in sources):
            out.error(
                "discretion",
                rules_doc.path,
                rules_doc.line((index, "id")),
                f"rule {rule.id}",
                "reads the kommune's guidelines (k.guidelines) itself, bypassing the hook",
                "declare `discretion:` on the rule; the engine applies guidelines.<rule id>",
            )
        spec = rule.discretion
        if spec is None:
            continue
        hosts = [urlparse(basis.url).hostname or "" for basis in spec.basis]
        if not any(host == h or host.endswith("." + h) for host in hosts for h in LEGAL_HOSTS):
            out.error(
                "discretion",
                rules_doc.path,
                rules_doc.line((index, "discretion")),
                f"rule {rule.id}",
                "the discretion's basis links to neither lovdata.no nor regjeringen.no",
                "name the provision that says the kommune «kan», with its lovdata link",
            )
        counts = report.discretion_counts.get(rule.id, {})
        if counts.get("auto"):
            out.error(
                "discretion",
                rules_doc.path,
                rules_doc.line((index, "discretion")),
                f"rule {rule.id}",
                f"its discretion was left open, yet {counts['auto']} test(s) ended with route auto",
                "route every case with open discretion to review",
            )
        if not counts.get("open"):
            out.error(
                "discretion",
                rules_doc.path,
                rules_doc.line((index, "discretion")),
                f"rule {rule.id}",
                "no test shows its discretion going to a caseworker without a guideline, so "
                "nothing shows it cannot lead to an automatic outcome",
                "add a test where the discretion is in play and the kommune has no "
                f"guideline, expecting rules: {{{rule.id}: uavklart}} and route: review",
            )
        if spec.guideline and not counts.get("guideline"):
            out.error(
                "discretion",
                rules_doc.path,
                rules_doc.line((index, "discretion")),
                f"rule {rule.id}",
                "no test shows a kommune guideline settling it (the guideline hook)",
                f"add a test with kommune: {{guidelines: {{{rule.id}: {{reference, adopted, "
                "conditions}}} expecting oppfylt, or set `guideline: false` if no kommune "
                "guideline may settle it",
            )
    for index, row in enumerate(rule_set.spec.decision):
        if any(_reads_guidelines(source) for source in (row.when, row.urgent)):
            out.error(
                "discretion",
                ruleset_doc.path,
                ruleset_doc.line(("decision", index)),
                f"decision[{index}]",
                "reads the kommune's guidelines (k.guidelines) itself, bypassing the hook",
                "put the discretion in a rule with `discretion:`; the engine applies "
                "guidelines.<rule id>",
            )
        if row.discretion is not None and row.route.value == "auto":
            out.error(
                "discretion",
                ruleset_doc.path,
                ruleset_doc.line(("decision", index, "route")),
                f"decision[{index}]",
                f"rests on discretion ({', '.join(b.ref for b in row.discretion.basis)}) "
                "but is routed auto: an automatic outcome without a guideline hook",
                "set `route: review`, or move the discretion into a rule with "
                "`discretion:` so a kommune guideline can settle it",
            )


def check_placeholders(rule_set: RuleSet, doc: YamlDocument, out: Collector) -> None:
    """The nb and nn explanation of each rule read the same values."""
    for index, rule in enumerate(rule_set.rules):
        bokmal = template_paths(rule.spec.explanation.nb)
        nynorsk = template_paths(rule.spec.explanation.nn)
        if bokmal != nynorsk:
            only = [
                f"only {language}: {', '.join(sorted(paths))}"
                for language, paths in (("nb", bokmal - nynorsk), ("nn", nynorsk - bokmal))
                if paths
            ]
            out.error(
                "nb-nn",
                doc.path,
                doc.line((index, "explanation")),
                f"rule {rule.id}",
                "the nb and nn explanations read different values ("
                + "; ".join(part for part in only if part)
                + ")",
                "make both texts name the same facts; translate, do not rewrite",
            )


def _value_keys(node: yaml.Node | None) -> list[tuple[str, int]]:
    """The keys of a YAML mapping node as written (duplicates kept), with their lines."""
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(str(key.value), key.start_mark.line + 1) for key, _ in node.value]


def _values_node(doc: YamlDocument, name: str) -> yaml.Node | None:
    root = doc.root
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if key.value == name and isinstance(value, yaml.MappingNode):
            return next((v for k, v in value.value if k.value == "values"), None)
    return None


def check_parameters(rule_set: RuleSet, doc: YamlDocument, out: Collector) -> None:
    """Dated values in order, without duplicates or gaps, each parameter's reference filled
    in (not the scaffold's placeholder); unverified values are warned about."""
    for name, parameter in rule_set.parameters.items():
        subject = f"parameter {name}"
        written = _value_keys(_values_node(doc, name))
        days = [text for text, _ in written]
        for (before, _), (after, line) in itertools.pairwise(written):
            if after == before or after in days[: days.index(after)]:
                message = f"the date {after} is given twice"
                out.error("parameter-dates", doc.path, line, subject, message, "keep one date")
            elif after < before:
                out.error(
                    "parameter-dates",
                    doc.path,
                    line,
                    subject,
                    f"the values are out of date order ({after} after {before})",
                    "list the dated values oldest first",
                )
        first = min(parameter.values)
        if first > rule_set.valid_from:
            out.error(
                "parameter-dates",
                doc.path,
                doc.line((name, "values", first)),
                subject,
                f"no value from {rule_set.valid_from.isoformat()} (valid_from of the rule set) "
                f"until {first.isoformat()}: a gap",
                "add the value in force on the rule set's valid_from, or move valid_from",
            )
        _check_shapes(name, parameter.values, doc, out)
        reference = parameter.reference
        if is_placeholder_basis(reference.ref, reference.url):
            out.error(
                "legal-basis",
                doc.path,
                doc.line((name, "reference")),
                subject,
                f"the reference is a placeholder ({reference.ref} {reference.url})",
                "name the provision the value comes from and link to it, e.g. {ref: pbl. "
                "§ 21-7 første ledd, url: https://lovdata.no/lov/2008-06-27-71/§21-7}",
            )
        if not parameter.verified:
            out.warning(
                "unverified",
                doc.path,
                doc.line((name, "confidence")),
                subject,
                "confidence M: the value is from memory and not verified",
                f"check it against {parameter.reference.url} and set confidence V (or V2)",
            )


def _check_shapes(name: str, values: Mapping[date, Any], doc: YamlDocument, out: Collector) -> None:
    """Mapping values keep the same keys from one date to the next."""
    previous: tuple[date, set[str]] | None = None
    for day in sorted(values):
        value = values[day]
        if not isinstance(value, Mapping):
            if previous is not None:
                message = f"the value from {day.isoformat()} is a number, the one before a mapping"
                line = doc.line((name, "values", day))
                fix = "give every dated value the same shape"
                out.error("parameter-dates", doc.path, line, f"parameter {name}", message, fix)
            continue
        keys = set(value)
        if previous is not None and keys != previous[1]:
            lost = ", ".join(sorted(previous[1] - keys)) or "-"
            added = ", ".join(sorted(keys - previous[1])) or "-"
            out.error(
                "parameter-dates",
                doc.path,
                doc.line((name, "values", day)),
                f"parameter {name}",
                f"the value from {day.isoformat()} has other keys than the one from "
                f"{previous[0].isoformat()} (missing: {lost}; new: {added})",
                "give every dated value the same keys, repeating those that did not change",
            )
        previous = (day, keys)


def check_rules(rule_set: RuleSet, report: TestReport, out: Collector) -> None:
    """Every check that reads only this rule set and its test results."""
    folder: Path = rule_set.path
    rules_doc = read_yaml(folder / "rules.yaml")
    ruleset_doc = read_yaml(folder / "ruleset.yaml")
    for index in range(len(rule_set.rules)):
        _link_problem(index, rule_set, rules_doc, out)
    check_coverage(rule_set, report, rules_doc, out)
    check_fallback(rule_set, ruleset_doc, out)
    check_discretion(rule_set, report, rules_doc, ruleset_doc, out)
    check_fields(rule_set, rules_doc, ruleset_doc, out)
    check_placeholders(rule_set, rules_doc, out)
    check_parameters(rule_set, read_yaml(folder / "parameters.yaml"), out)
