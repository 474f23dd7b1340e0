"""CEL contexts kept between evaluations, so a case converts only the values that changed.

Handing a value to CEL costs far more than reading it (a text about 1.3 µs, a number 0.5 µs,
a map 2.5 µs, a list of maps several µs), and the first run after any change rebuilds the
context's whole environment (about 0.07 µs per variable). Most flat variables repeat from
case to case: parameters for the same date, kinds, yes/no answers. A `LiveContext` holds
one `cel.Context` per scope and thread and converts only what differs from the values it
already holds. A variable
that is missing in this case but present in the context is never left behind: the context
is rebuilt without it, so CEL sees it as undefined exactly as in a fresh context.

Result variables (`r.<id>`, `v.<id>`) of rules that have not run yet in this case may still
hold the previous case's values. That is harmless: a rule can only read results of rules
above it (checked when the rule set is loaded), and those are brought up to date before
it runs (`sync`, only the rules whose results changed). Rules that read results run in a
context of their own (`rule_scopes`): it changes as results come in, and a small context
is cheap to rebuild.

A list of maps whose elements the expressions only read fields of
(`case.attachments.exists(a, a.kind == 'x')`) is handed over with just those fields: the
rest (file names that differ in every case) costs µs to convert and changes nothing CEL
computes.
`values` (and so the trace of values read) keeps the whole list.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import cel

from runner.errors import ConfigurationError
from runner.rules.expressions import VarPath
from runner.rules.ruleset import ContextScope, RuleSet
from runner.rules.scopes import identical, project, projections, scoped_expressions

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

    def __init__(
        self, scope: ContextScope, project: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self._project = dict(project or {})
        data_roots = frozenset(("case", "p", "p_from", "k"))
        self._data_groups = _group(scope.flat, data_roots)
        #: the case's variables: parent path under `case` → (variable, key) of each leaf
        self.case_groups: tuple[tuple[VarPath, _Leaves], ...] = ()
        for root, parents in self._data_groups:
            if root == "case":
                self.case_groups = parents
        self._other_groups = tuple(group for group in self._data_groups if group[0] != "case")
        #: whether anything but leaves (`case_groups`) is read of the case: has(), whole
        self.case_whole = "case" in scope.whole or any(path[0] == "case" for _, path in scope.has)
        self._result_groups = _group(scope.result_flat, frozenset(RESULT_ROOTS))
        by_id: dict[str, list[tuple[str, str]]] = {}  # rule id → (variable, root)
        for name, path in scope.result_flat:
            by_id.setdefault(path[1], []).append((name, path[0]))
        self._result_names = {rule_id: tuple(names) for rule_id, names in by_id.items()}
        self._has = scope.has
        self._result_has = scope.result_has
        self._whole = tuple(sorted(scope.whole))
        self._result_whole = tuple(sorted(scope.result_whole))
        self.names = frozenset(
            name for name, _ in (*scope.flat, *scope.has, *scope.result_flat, *scope.result_has)
        )
        self._deferred: frozenset[str] = frozenset()
        self._reset()

    def defer(self, names: Iterable[str]) -> None:
        """Hand these variables to CEL only when a full context is asked for.

        For variables the programs take as literals (`fused.deferred_names`): converting
        them is the costliest part of a case, and only a rule run alone reads them here.
        """
        self._deferred = frozenset(names)

    def _reset(self) -> None:
        self._context: cel.Context | None = None
        self.values: dict[str, Any] = {}  # exactly what the context holds (or will hold)
        #: changed values not yet handed to CEL (read it, never replace it)
        self.pending: dict[str, Any] = {}
        self._later: dict[str, Any] = {}  # deferred values not yet handed to CEL
        self._sources: dict[str, Any] = {}  # the p, p_from and k mappings last loaded
        self._handed: dict[str, Any] = {}  # projected values as last handed to CEL

    def _put(self, name: str, value: Any) -> None:
        if value is MISSING:
            if name in self.values:  # a leftover: CEL must see it as undefined
                del self.values[name]
                self.pending.pop(name, None)
                self._later.pop(name, None)
                self._context = None
            return
        if not _same(value, self.values.get(name, MISSING)):
            self.values[name] = value
            self.pending[name] = value

    def load(self, data: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> None:
        """Bring the case, parameter and kommune variables (and `extra`) up to date."""
        self._load_groups(data, self._data_groups)
        self._load_rest(data, extra)

    def load_read(self, data: Mapping[str, Any], names: Sequence[str], read: Iterable[Any]) -> None:
        """`load`, with the case's variables' values given (`reader.CaseReader`) instead of
        looked up in `data["case"]`: exactly the values `load` would find there.

        Only for a context that reads nothing of the case but the leaves in `case_groups`
        (not `case_whole`), and every one of them either in `names` or deferred: a deferred
        variable left out keeps its old value, which no program reads without a full
        context (and every evaluation loads before it asks for one).
        """
        self._load_groups(data, self._other_groups)
        values = self.values
        pending = self.pending
        for name, value in zip(names, read, strict=True):  # as in _load_groups
            old = values.get(name, MISSING)
            if value is old or (type(value) is type(old) and value == old):
                continue
            values[name] = pending[name] = value
        self._load_rest(data, None)

    def _load_groups(self, data: Mapping[str, Any], groups: _Groups) -> None:
        put = self._put
        sources = self._sources
        values = self.values
        pending = self.pending
        for root, parents in groups:
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

    def _load_rest(self, data: Mapping[str, Any], extra: Mapping[str, Any] | None) -> None:
        put = self._put
        for name, path in self._has:
            parent = lookup(data, path[:-1])
            put(name, path[-1] in parent if isinstance(parent, dict) else MISSING)
        for root in self._whole:
            put(root, data[root])
        if extra:
            for name, value in extra.items():
                put(name, value)

    def sync(self, data: Mapping[str, Any], ids: Iterable[str] | None = None) -> None:
        """Bring the result variables of the rules that have run up to date.

        `ids` names the rules whose results changed since the last sync (None: any rule);
        variables of other rules are left as they are.
        """
        outcomes = data["r"]
        put = self._put
        if ids is None:
            for root, parents in self._result_groups:
                source = data[root]
                for _, leaves in parents:  # r.<id> and v.<id>: the parent is r or v itself
                    for name, key in leaves:
                        if key in outcomes:  # rules not run yet keep old values nobody reads
                            put(name, source.get(key, MISSING))
        else:
            names = self._result_names
            for rule_id in ids:
                if rule_id in outcomes:
                    for name, root in names.get(rule_id, ()):
                        put(name, data[root].get(rule_id, MISSING))
        for name, path in self._result_has:
            if path[1] in outcomes:
                parent = lookup(data, path[:-1])
                put(name, path[-1] in parent if isinstance(parent, dict) else MISSING)
        for root in self._result_whole:
            current = data[root]
            if not _same(current, self.values.get(root, MISSING)):
                put(root, dict(current))

    def context(self, full: bool = True) -> cel.Context:
        """The CEL context holding every value loaded so far (but the deferred ones, unless
        `full`: they may hold an earlier case's values until a full context is asked for)."""
        pending, later, deferred = self.pending, self._later, self._deferred
        if pending and deferred:
            for name in [name for name in pending if name in deferred]:
                later[name] = pending.pop(name)
        if full and later:
            pending.update(later)
            later.clear()
        try:
            if self._context is None:
                self._rebuild(full)
            elif self.pending:
                self._hand(self._context, self.pending)
        except ValueError as error:  # the bindings cannot convert a value (e.g. a date in k)
            self._reset()
            raise ConfigurationError(
                f"Values cannot be handed to the rules: {error}",
                fix="Kommune parameters (k) must be numbers, text, true/false, lists or "
                "mappings; write dates as 'YYYY-MM-DD' text.",
            ) from error
        self.pending.clear()
        assert self._context is not None
        return self._context

    def _rebuild(self, full: bool = True) -> None:
        values = self.values
        fields = self._project
        self._handed = {}
        self._later.clear()
        if not full and self._deferred:  # they wait, as they would have in `context`
            deferred = self._deferred
            self._later = {name: value for name, value in values.items() if name in deferred}
            values = {name: value for name, value in values.items() if name not in deferred}
        if fields:
            values = dict(values)
            for name in fields.keys() & values.keys():
                values[name] = self._handed[name] = project(values[name], fields[name])
        self._context = cel.Context(values)

    def _hand(self, context: cel.Context, items: dict[str, Any]) -> None:
        fields = self._project
        if fields:
            for name in fields.keys() & items.keys():
                projected = project(items[name], fields[name])
                if name in self._handed and identical(projected, self._handed[name]):
                    del items[name]  # only fields nobody reads changed
                else:
                    items[name] = self._handed[name] = projected
        if items:
            context.update(items)

    def discard(self) -> None:
        """Forget everything (after an evaluation stopped half-way)."""
        self._reset()


_local = threading.local()


def live_contexts(rule_set: RuleSet) -> tuple[LiveContext, LiveContext, LiveContext]:
    """This thread's contexts for `rule_set`: (rules, rules reading results, decision table).

    The bindings rebuild a context's whole environment (about 0.07 µs per variable) on the
    first run after any change, so the rules that read earlier results, whose context
    changes as results come in, get a small context of their own where that pays
    (`rule_scopes`); else the second is the first.
    """
    states: weakref.WeakKeyDictionary[RuleSet, tuple[LiveContext, ...]] | None
    states = getattr(_local, "states", None)
    if states is None:
        states = _local.states = weakref.WeakKeyDictionary()
    found = states.get(rule_set)
    if found is None:
        parts = scoped_expressions(rule_set)
        contexts = [LiveContext(part, projections(part, found)) for part, found in parts]
        if parts[0][0] is parts[1][0]:  # one context for all the rules
            contexts[1] = contexts[0]
        found = states[rule_set] = tuple(contexts)
    rules, readers, decision = found
    return rules, readers, decision
