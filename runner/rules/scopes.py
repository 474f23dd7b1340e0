"""What each CEL context holds: which rules share it, and which list fields it needs."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from runner.rules.build import scope
from runner.rules.expressions import Expression, element_fields, flatten
from runner.rules.ruleset import ContextScope, RuleSet


def identical(value: Any, old: Any) -> bool:
    """Equal as CEL sees it: 1, 1.0 and True differ, inside lists and maps too."""
    if type(value) is not type(old):
        return False
    if type(value) is list:
        return len(value) == len(old) and all(map(identical, value, old))
    if type(value) is dict:
        return value.keys() == old.keys() and all(identical(value[k], old[k]) for k in value)
    return bool(value == old)


def project(value: Any, fields: frozenset[str]) -> Any:
    """A list of maps with only `fields` in each map; anything else as it is."""
    if type(value) is not list or not all(type(item) is dict for item in value):
        return value
    return [{key: item[key] for key in fields if key in item} for item in value]


_ABSENT: Any = object()


def projection_key(value: Any, fields: tuple[str, ...]) -> object:
    """A key standing for `project(value, fields)`: equal keys, identical projections.

    Building the projection and its `repr` for every case costs several µs; this is the
    cheap form for the usual list of maps whose read fields hold text or null: the list's
    length, then each map's values of `fields` in that order (a marker where one lacks the
    field). Text and null compare exactly (1, 1.0 and True are equal in Python but not in
    CEL, so other types are not keyed this way), so equal tuples project to the same list.
    Anything else gets the `repr` of its projection, which spells the types out; a tuple
    never equals a text, so the two forms cannot be confused.
    """
    key = _text_key(value, fields)
    return key if key is not None else repr(project(value, frozenset(fields)))


def _text_key(value: Any, fields: tuple[str, ...]) -> tuple[object, ...] | None:
    """`projection_key` of a list of maps whose `fields` hold text or null; else None."""
    if type(value) is not list:
        return None
    parts: list[object] = [len(value)]
    for item in value:
        if type(item) is not dict:
            return None
        for name in fields:
            found = item.get(name, _ABSENT)
            if found is not None and found is not _ABSENT and type(found) is not str:
                return None
            parts.append(found)
    return tuple(parts)


def projections(
    scope: ContextScope, expressions: Iterable[Expression]
) -> dict[str, frozenset[str]]:
    """Flat variables of `scope` read only through fields of their elements → those fields."""
    sources = [flatten(expression.source)[0] for expression in expressions]
    found: dict[str, frozenset[str]] = {}
    for name, _ in scope.flat:
        fields = element_fields(sources, name)
        if fields is not None:
            found[name] = fields
    return found


def _expressions(rule_set: RuleSet, readers: bool) -> list[Expression]:
    return [e for rule in rule_set.rules if rule.reads_results == readers for e in rule.expressions]


_scopes: weakref.WeakKeyDictionary[RuleSet, tuple[ContextScope, ContextScope]]
_scopes = weakref.WeakKeyDictionary()


def rule_scopes(rule_set: RuleSet) -> tuple[ContextScope, ContextScope]:
    """The scopes of the rules that read no results, and of those that do (`r`, `v`).

    Both are the whole rules' scope (the same object: one context) when a context of
    their own would not pay for itself.
    """
    found = _scopes.get(rule_set)
    if found is None:
        plain = scope(_expressions(rule_set, False))
        readers = scope(_expressions(rule_set, True))
        if not _worth_splitting(rule_set, plain, readers):
            plain = readers = rule_set.plan.rules
        found = _scopes[rule_set] = (plain, readers)
    return found


def _size(part: ContextScope) -> int:
    return sum(
        len(names) for names in (part.flat, part.has, part.whole, part.result_flat, part.result_has)
    ) + len(part.result_whole)


def _worth_splitting(rule_set: RuleSet, plain: ContextScope, readers: ContextScope) -> bool:
    """Whether rebuilding a smaller context at each sync saves more than converting twice.

    Measured on the bindings: a rebuild costs about 0.07 µs per variable; a value both
    contexts read is converted twice (about 0.7 µs), and loading a second context about 1.5.
    """
    read = rule_set.plan.rules.result_ids
    syncs = 0
    changed: set[str] = set()
    for rule in rule_set.rules:
        wanted = rule.result_ids
        if rule.reads_results and changed and (wanted is None or not wanted.isdisjoint(changed)):
            syncs += 1
            changed.clear()
        if read is None or rule.id in read:
            changed.add(rule.id)
    shared = {name for name, _ in readers.flat} & {name for name, _ in plain.flat}
    saved = syncs * 0.07 * (_size(rule_set.plan.rules) - _size(readers))
    return saved > 0.7 * len(shared) + 1.5


def decision_expressions(rule_set: RuleSet) -> list[Expression]:
    """The expressions of the decision table (`when` and `urgent` of each row)."""
    return [
        expression
        for row in rule_set.decision_rows
        for expression in (row.when, row.urgent)
        if expression is not None
    ]


def scoped_expressions(rule_set: RuleSet) -> list[tuple[ContextScope, list[Expression]]]:
    """(scope, its expressions) for the rules, the rules reading results, the decision table."""
    plain, readers = rule_scopes(rule_set)
    if plain is readers:
        every = [e for rule in rule_set.rules for e in rule.expressions]
        rules = [(plain, every), (readers, every)]
    else:
        rules = [(plain, _expressions(rule_set, False)), (readers, _expressions(rule_set, True))]
    return [*rules, (rule_set.plan.decision, decision_expressions(rule_set))]


_case_fields: weakref.WeakKeyDictionary[RuleSet, set[str] | None] = weakref.WeakKeyDictionary()


def case_fields_read(rule_set: RuleSet) -> set[str] | None:
    """The case's top-level fields the rules and the decision table read; None = all."""
    if rule_set in _case_fields:
        return _case_fields[rule_set]
    fields: set[str] | None = set()
    for expression in (*_expressions(rule_set, False), *_expressions(rule_set, True),
                       *decision_expressions(rule_set)):  # fmt: skip
        if "case" in expression.whole:
            fields = None
            break
        for path in (*expression.paths, *expression.flat, *expression.has):
            if path[0] == "case" and fields is not None:
                if len(path) < 2:
                    fields = None
                    break
                fields.add(path[1])
    _case_fields[rule_set] = fields
    return fields
