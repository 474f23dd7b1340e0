"""CEL contexts kept between evaluations, so a case converts only the values that changed.

Handing a value to CEL costs far more than reading it (a text about 0.7 µs, a number 0.4 µs,
a list of maps several µs), and most flat variables repeat from case to case: parameters
for the same date, kinds, yes/no answers. A `LiveContext` holds one `cel.Context` per scope
and thread and converts only what differs from the values it already holds. A variable
that is missing in this case but present in the context is never left behind: the context
is rebuilt without it, so CEL sees it as undefined exactly as in a fresh context.

Result variables (`r.<id>`, `v.<id>`) of rules that have not run yet in this case may still
hold the previous case's values. That is harmless: a rule can only read results of rules
above it (checked when the rule set is loaded), and those are brought up to date before
it runs (`sync`).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import cel

from runner.errors import ConfigurationError
from runner.rules.expressions import VarPath
from runner.rules.ruleset import ContextScope, RuleSet

#: Marks a path that is not in the data (as opposed to a null value).
MISSING: Any = object()
RESULT_ROOTS = ("r", "v")

_Leaves = tuple[tuple[str, str], ...]  # (flat variable, last key)
_Groups = tuple[tuple[str, tuple[tuple[VarPath, _Leaves], ...]], ...]  # root → parents


def lookup(data: Mapping[str, Any], path: VarPath, missing: Any = MISSING) -> Any:
    """The value at `path`, or `missing` where a key is not there."""
    current: Any = data
    for name in path:
        if not isinstance(current, dict) or name not in current:
            return missing
        current = current[name]
    return current


def _group(pairs: Iterable[tuple[str, VarPath]], roots: frozenset[str]) -> _Groups:
    """Flat variables grouped by root, then by the dict that holds them (one lookup each)."""
    by_root: dict[str, dict[VarPath, list[tuple[str, str]]]] = {}
    for name, path in pairs:
        if path[0] in roots:
            parents = by_root.setdefault(path[0], {})
            parents.setdefault(path[1:-1], []).append((name, path[-1]))
    return tuple(
        (root, tuple((parent, tuple(leaves)) for parent, leaves in parents.items()))
        for root, parents in by_root.items()
    )


def _same(value: Any, old: Any) -> bool:
    # type() as well: 1, 1.0 and True are equal in Python but not the same CEL value.
    return value is old or (type(value) is type(old) and value == old)


class LiveContext:
    """One CEL context for one scope (the rules, or the decision table) on one thread."""

    def __init__(self, scope: ContextScope) -> None:
        data_roots = frozenset(("case", "p", "p_from", "k"))
        self._data_groups = _group(scope.flat, data_roots)
        self._result_groups = _group(scope.result_flat, frozenset(RESULT_ROOTS))
        self._has = scope.has
        self._result_has = scope.result_has
        self._whole = tuple(sorted(scope.whole))
        self._result_whole = tuple(sorted(scope.result_whole))
        self.names = frozenset(
            name for name, _ in (*scope.flat, *scope.has, *scope.result_flat, *scope.result_has)
        )
        self._reset()

    def _reset(self) -> None:
        self._context: cel.Context | None = None
        self.values: dict[str, Any] = {}  # exactly what the context holds (or will hold)
        self._pending: dict[str, Any] = {}  # changed values not yet handed to CEL
        self._sources: dict[str, Any] = {}  # the p, p_from and k mappings last loaded

    def _put(self, name: str, value: Any) -> None:
        if value is MISSING:
            if name in self.values:  # a leftover: CEL must see it as undefined
                del self.values[name]
                self._context = None
            return
        if not _same(value, self.values.get(name, MISSING)):
            self.values[name] = value
            self._pending[name] = value

    def load(self, data: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Bring the case, parameter and kommune variables (and `extra`) up to date."""
        put = self._put
        sources = self._sources
        values = self.values
        pending = self._pending
        for root, parents in self._data_groups:
            source = data[root]
            if root != "case":  # parameters repeat for the same date: skip them whole
                if _same(source, sources.get(root, MISSING)):
                    continue
                sources[root] = source
            for parent_path, leaves in parents:
                parent = lookup(source, parent_path)
                if type(parent) is not dict:
                    for name, _ in leaves:
                        put(name, MISSING)
                    continue
                for name, key in leaves:  # _put inlined: this loop runs for every case
                    value = parent.get(key, MISSING)
                    old = values.get(name, MISSING)
                    if value is old or (type(value) is type(old) and value == old):
                        continue
                    if value is MISSING:
                        put(name, MISSING)
                    else:
                        values[name] = pending[name] = value
        for name, path in self._has:
            parent = lookup(data, path[:-1])
            put(name, path[-1] in parent if isinstance(parent, dict) else MISSING)
        for root in self._whole:
            put(root, data[root])
        if extra:
            for name, value in extra.items():
                put(name, value)

    def sync(self, data: Mapping[str, Any]) -> None:
        """Bring the result variables of the rules that have run up to date."""
        outcomes = data["r"]
        put = self._put
        for root, parents in self._result_groups:
            source = data[root]
            for _, leaves in parents:  # r.<id> and v.<id>: the parent is r or v itself
                for name, key in leaves:
                    if key in outcomes:  # rules not run yet keep old values nobody reads
                        put(name, source.get(key, MISSING))
        for name, path in self._result_has:
            if path[1] in outcomes:
                parent = lookup(data, path[:-1])
                put(name, path[-1] in parent if isinstance(parent, dict) else MISSING)
        for root in self._result_whole:
            current = data[root]
            if not _same(current, self.values.get(root, MISSING)):
                put(root, dict(current))

    def context(self) -> cel.Context:
        """The CEL context holding every value loaded so far."""
        try:
            if self._context is None:
                self._context = cel.Context(self.values)
            elif self._pending:
                self._context.update(self._pending)
        except ValueError as error:  # the bindings cannot convert a value (e.g. a date in k)
            self._reset()
            raise ConfigurationError(
                f"Values cannot be handed to the rules: {error}",
                fix="Kommune parameters (k) must be numbers, text, true/false, lists or "
                "mappings; write dates as 'YYYY-MM-DD' text.",
            ) from error
        self._pending.clear()
        return self._context

    def discard(self) -> None:
        """Forget everything (after an evaluation stopped half-way)."""
        self._reset()


_local = threading.local()


def live_contexts(rule_set: RuleSet) -> tuple[LiveContext, LiveContext]:
    """This thread's contexts for `rule_set`: (rules, decision table)."""
    states: weakref.WeakKeyDictionary[RuleSet, tuple[LiveContext, LiveContext]] | None
    states = getattr(_local, "states", None)
    if states is None:
        states = _local.states = weakref.WeakKeyDictionary()
    pair = states.get(rule_set)
    if pair is None:
        plan = rule_set.plan
        pair = states[rule_set] = (LiveContext(plan.rules), LiveContext(plan.decision))
    return pair
