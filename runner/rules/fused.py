"""Rules run in layers, each layer one CEL program specialised on the outcomes it reads.

Two costs dominate running a rule set in the bindings: each call into them, and rebuilding
a context's environment after any of its variables changes (about 0.1 µs per variable, on
the next call). So:

* The rules that can run together run as one program. A layer is a run of consecutive
  rules that share a context and do not read each other's results; its program gives
  each rule's outcome code (its index in `OUTCOMES`) in two bits of one int:

      (applies ? (uncertain ? 2 : (condition ? 0 : 1)) : 3) * 4^i + ...

  Calculation rules run one by one: their values would need a list, which costs more to
  hand back than the calls it saves.

* A layer that reads earlier outcomes (`r.<id>`) and nothing else of the results gets
  them as literals instead of context variables: its program is compiled once for each
  combination of those outcomes that occurs (there are few: each is one of four texts).
  The context then never changes during a case, and is rebuilt once per case instead of
  once per layer. The decision table is one program too, `2 × row + urgent` of the first
  row whose `when` holds, specialised the same way (and on `any_uncertain`, `all_met`).

CEL's `?:` runs only the branch taken and fails on anything but true/false, and a literal
is the same value as the variable it replaces, so when a program succeeds each entry is
what running that rule's expressions one by one gives. When it fails (some rule fails at
runtime) or a value is not a finite number, the caller runs rule by rule (row by row),
which names what failed and why: the results are the same either way, only the time
differs.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cel

from runner.models.results import RuleOutcome
from runner.rules.expressions import Expression, flat_name, flatten, mask_strings
from runner.rules.literals import cel_literal
from runner.rules.ruleset import DecisionRow, Rule, RuleSet
from runner.rules.scopes import project, projections, rule_scopes, scoped_expressions

#: The outcomes in the order of their codes in a layer's program.
OUTCOMES = tuple(RuleOutcome)
_OPPFYLT, _IKKE_OPPFYLT, _UAVKLART, _IKKE_AKTUELT = (
    OUTCOMES.index(outcome)
    for outcome in (
        RuleOutcome.oppfylt,
        RuleOutcome.ikke_oppfylt,
        RuleOutcome.uavklart,
        RuleOutcome.ikke_aktuelt,
    )
)
#: The decision table's own variables, baked in like outcomes.
FLAGS = ("any_uncertain", "all_met")
#: Rules in a layer at most: two bits each in a 64-bit int.
MAX_LAYER = 31
#: Variants compiled per program at most; a rule set whose outcomes combine in more ways
#: than this runs the rest on the general program (outcomes as context variables).
MAX_VARIANTS = 512
_LITERALS: dict[object, str] = {outcome.value: f"'{outcome.value}'" for outcome in OUTCOMES}
_LITERALS |= {True: "true", False: "false"}
_NAME = r"r__\w+|" + "|".join(FLAGS)


def _compile(source: str) -> cel.Program | None:
    try:
        return cel.compile(source)
    except Exception:  # each part compiled alone; never stop a rule set over the fused form
        return None


@dataclass(eq=False)
class Fused:
    """One program over several expressions, compiled per combination of what it reads.

    A key is the outcomes of the rules in `reads`, then the values of `flags`, then the
    `scopes.projection_key` of each list in `baked` (lists the context would convert
    slowly), then, if it reads parameters (`params`), the identity of the parameter dicts
    of the day (shared by every day of one period, see `RuleSet.resolve_parameters`). All
    of these go into the variant as literals (`literals`). `reads` is None when it cannot
    be specialised (it reads values `v`, `has(r.x)`, or `r` whole); then only `general`
    runs, with everything in the context.

    `closed`: every variable it reads is baked in, so a variant's result depends on its
    key alone and can be kept instead of run again (CEL has no side effects or clock).
    """

    source: str  # flat CEL, reading outcomes as r__<id>, flags and variables by name
    general: cel.Program | None
    reads: tuple[str, ...] | None  # rule ids whose outcomes it bakes in; None: it cannot
    flags: tuple[str, ...] = ()  # the flags it bakes in (after the outcomes in a key)
    baked: tuple[tuple[str, frozenset[str]], ...] = ()  # (list variable, fields it keeps)
    params: tuple[tuple[str, str], ...] = ()  # ("p" or "p_from", name) of each parameter
    closed: bool = False
    _spans: tuple[tuple[int, int, int], ...] = ()  # (start, end, position among literals)
    _variants: dict[tuple[object, ...], cel.Program | None] = field(default_factory=dict)
    #: (list variable, the fields it keeps in a fixed order) of each list in `baked`
    keyed: tuple[tuple[str, tuple[str, ...]], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.keyed = tuple((name, tuple(sorted(fields))) for name, fields in self.baked)

    @classmethod
    def build(
        cls,
        source: str,
        expressions: Sequence[Expression],
        rule_ids: set[str],
        bake: Mapping[str, frozenset[str]] | None = None,
        params: Mapping[str, tuple[str, str]] | None = None,
    ) -> Fused:
        """`bake`: list variables to write in (→ the fields read of them); `params`:
        parameter variables to write in (→ their root and name)."""
        general = _compile(source)
        if not _specialisable(expressions):
            return cls(source, general, None)
        bake, params = bake or {}, params or {}
        pattern = _NAME + "".join("|" + re.escape(name) for name in sorted({*bake, *params}))
        masked = mask_strings(source)
        found: list[tuple[int, int, str]] = []
        for match in re.finditer(r"(?<![\w.])(" + pattern + r")\b", masked):
            name = match.group(1)
            if name.startswith("r__") and name[3:] not in rule_ids:
                return cls(source, general, None)  # r.x.y: not an outcome
            found.append((match.start(1), match.end(1), name))
        names = list(dict.fromkeys(name for _, _, name in found))
        reads = [name for name in names if name.startswith("r__")]
        flags = [name for name in names if name in FLAGS]
        baked = [name for name in names if name in bake]
        parameters = [name for name in names if name in params]
        every = [*reads, *flags, *baked, *parameters]
        order = {name: position for position, name in enumerate(every)}
        return cls(
            source,
            general,
            tuple(name[3:] for name in reads),
            tuple(flags),
            tuple((name, bake[name]) for name in baked),
            tuple(params[name] for name in parameters),
            _closed(expressions, set(every)),
            tuple((start, end, order[name]) for start, end, name in found),
        )

    def known(self, key: tuple[object, ...]) -> cel.Program | Fused | None:
        """The variant compiled for `key` (None: use the general one), or `self` if there
        is none yet: the lookup alone, without building what compiling one needs."""
        return self._variants.get(key, self)

    def program(
        self,
        key: tuple[object, ...],
        baked: Sequence[object] = (),
        parameters: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
    ) -> cel.Program | None:
        """The program with `key` baked in; None: use `general` (too many variants, or a
        value with no literal, such as a parameter with no value on the day).

        `baked` holds the lists (as the context holds them, before projecting) whose keys
        are in `key`, and `parameters` the day's `p` and `p_from` whose identity is:
        written as literals when a variant is compiled.
        """
        found = self._variants.get(key, self)
        if found is not self:
            return found  # type: ignore[return-value]
        if len(self._variants) >= MAX_VARIANTS:
            return None
        count = len(self.reads or ()) + len(self.flags)
        try:
            literals: list[str | None] = [_LITERALS[value] for value in key[:count]]
        except (KeyError, TypeError):  # not an outcome text or a flag: nothing to bake
            return None
        literals += [
            cel_literal(project(value, fields))
            for value, (_, fields) in zip(baked, self.baked, strict=True)
        ]
        if self.params:
            roots = {"p": parameters[0], "p_from": parameters[1]} if parameters else {}
            for root, name in self.params:
                values = roots.get(root, {})
                literals.append(cel_literal(values[name]) if name in values else None)
        if None in literals:  # nothing exact to write: the general program, every time
            self._variants[key] = None
            return None
        text = self.source
        for start, end, position in reversed(self._spans):
            text = text[:start] + literals[position] + text[end:]  # type: ignore[operator]
        program = self._variants[key] = _compile(text)
        return program


def _closed(expressions: Sequence[Expression], baked: set[str]) -> bool:
    """Whether the expressions read nothing but the variables in `baked` (flat names)."""
    for expression in expressions:
        if expression.has or expression.whole:
            return False
        if any(flat_name(path) not in baked for path in expression.flat):
            return False
        if any(name in FLAGS and name not in baked for name in expression.variables):
            return False
    return True


def _specialisable(expressions: Sequence[Expression]) -> bool:
    for expression in expressions:
        if {"r", "v"} & expression.whole:
            return False
        if any(path[0] in ("r", "v") for path in expression.has):
            return False
        if any(path[0] == "v" or (path[0] == "r" and len(path) != 2) for path in expression.flat):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Layer:
    """Rules `start` to `stop` (indexes into the rule set's rules) and their one program."""

    start: int
    stop: int
    fused: Fused | None  # None: calculation rules, which run one by one


def _flat(expression: Expression) -> str:
    return "(" + flatten(expression.source)[0] + ")"


def outcome_source(rule: Rule, weight: int = 1) -> str:
    """CEL giving the rule's outcome code times `weight`, as running its parts one by one."""
    source = str(_OPPFYLT * weight)
    if rule.condition is not None:
        source = f"({_flat(rule.condition)} ? {_OPPFYLT * weight} : {_IKKE_OPPFYLT * weight})"
    if rule.uncertain_when is not None:
        source = f"({_flat(rule.uncertain_when)} ? {_UAVKLART * weight} : {source})"
    if rule.applies_when is not None:
        source = f"({_flat(rule.applies_when)} ? {source} : {_IKKE_AKTUELT * weight})"
    return source


def layer_source(rules: Sequence[Rule]) -> str:
    """CEL giving the outcome codes of `rules` packed in one int, two bits per rule.

    One int crosses from the bindings several times faster than a list (about 0.2 µs
    against 0.4 µs plus 0.1 µs an element).
    """
    assert len(rules) <= MAX_LAYER
    return " + ".join(outcome_source(rule, 4**index) for index, rule in enumerate(rules))


def rule_layers(rule_set: RuleSet) -> tuple[Layer, ...]:
    """The rule set's rules split into layers, in order.

    A new layer starts where the context changes, where a rule reads the result of a rule
    in the layer, between plain and calculation rules, and after `MAX_LAYER` rules.
    """
    return _built(rule_set).layers


def _bounds(rule_set: RuleSet) -> list[tuple[int, int]]:
    rules = rule_set.rules
    plain, readers = rule_scopes(rule_set)
    bounds: list[int] = []
    members: set[str] = set()
    scope = None
    for index, rule in enumerate(rules):
        rule_scope = readers if rule.reads_results else plain
        wanted = rule.result_ids
        reads_member = rule.reads_results and (wanted is None or not wanted.isdisjoint(members))
        kind_changes = index > 0 and rule.is_calculation != rules[index - 1].is_calculation
        full = len(members) >= MAX_LAYER
        if index and (rule_scope is not scope or reads_member or kind_changes or full):
            bounds.append(index)
            members = set()
        scope = rule_scope
        members.add(rule.id)
    return list(zip([0, *bounds], [*bounds, len(rules)], strict=True))


@dataclass(frozen=True, slots=True)
class Table:
    """The decision table as one program giving `2 × row position + urgent`."""

    fused: Fused
    in_rules_context: bool  # whether the rules' context holds everything else it reads


def table_source(rows: Sequence[DecisionRow]) -> str:
    """CEL giving 2 × position + urgent (0/1) of the first row whose `when` holds (else
    of the last row)."""

    def pick(position: int) -> str:
        urgent = rows[position].urgent
        if urgent is None:
            return str(2 * position)
        return f"({_flat(urgent)} ? {2 * position + 1} : {2 * position})"

    source = pick(len(rows) - 1)
    for position in range(len(rows) - 1, -1, -1):
        when = rows[position].when
        source = (
            pick(position) if when is None else f"({_flat(when)} ? {pick(position)} : {source})"
        )
    return source


def decision_table(rule_set: RuleSet) -> Table | None:
    """The decision table's one program (None for a rule set without rows)."""
    return _built(rule_set).table


def deferred_names(rule_set: RuleSet) -> tuple[frozenset[str], frozenset[str]]:
    """The variables of the rules' context and of the readers' that the programs bake in.

    Their values need not be handed to the context unless a rule runs alone (`Run`).
    """
    return _built(rule_set).deferred


@dataclass(frozen=True, slots=True)
class _Built:
    layers: tuple[Layer, ...]
    table: Table | None
    deferred: tuple[frozenset[str], frozenset[str]]  # rules' context, readers' context


_cache: weakref.WeakKeyDictionary[RuleSet, _Built] = weakref.WeakKeyDictionary()


def _built(rule_set: RuleSet) -> _Built:
    found = _cache.get(rule_set)
    if found is None:
        found = _cache[rule_set] = _build(rule_set)
    return found


def _build(rule_set: RuleSet) -> _Built:
    """Layers, the decision table and the variables baked in, for `rule_set`."""
    rules = rule_set.rules
    ids = {rule.id for rule in rules}
    plain, readers = rule_scopes(rule_set)
    parts = scoped_expressions(rule_set)
    lists = (projections(*parts[0]), projections(*parts[1]))  # list variables of each context
    params = tuple(
        {name: (path[0], path[1]) for name, path in part.flat if path[0] in ("p", "p_from")}
        for part in (plain, readers)
    )  # parameter variables of each context (p.x and p_from.x)
    bounds = _bounds(rule_set)
    side = [1 if rule.reads_results and readers is not plain else 0 for rule in rules]
    members = [rules[start:stop] for start, stop in bounds]
    expressions = [[e for rule in group for e in rule.expressions] for group in members]
    fusable = [
        not any(rule.is_calculation for rule in group) and _specialisable(part)
        for group, part in zip(members, expressions, strict=True)
    ]
    rows = rule_set.decision_rows
    row_expressions = [e for row in rows for e in (row.when, row.urgent) if e is not None]
    held = {name for name, _ in (*plain.flat, *plain.has)}
    needed = rule_set.plan.decision
    in_rules_context = bool(rows) and (
        {name for name, _ in (*needed.flat, *needed.has)} <= held and needed.whole <= plain.whole
    )
    # A list or a parameter is baked in where every program reading it can take it so.
    deferred: list[set[str]] = [{*lists[0], *params[0]}, {*lists[1], *params[1]}]
    for (start, _), part, can in zip(bounds, expressions, fusable, strict=True):
        if not can:
            for expression in part:
                deferred[side[start]] -= {flat_name(path) for path in expression.flat}
    if rows and not (in_rules_context and _specialisable(row_expressions)):
        for expression in row_expressions:
            deferred[0] -= {flat_name(path) for path in expression.flat}

    def fused(source: str, part: list[Expression], at: int, bakes: bool) -> Fused:
        """The program of `source`, with the deferred lists and parameters of context `at`."""
        names = deferred[at] if bakes else set()
        bake = {name: lists[at][name] for name in names if name in lists[at]}
        known = {name: params[at][name] for name in names if name in params[at]}
        return Fused.build(source, part, ids, bake, known)

    layers = tuple(
        Layer(start, stop, None)  # values need a list: rule by rule
        if any(rule.is_calculation for rule in group)
        else Layer(start, stop, fused(layer_source(group), part, side[start], can))
        for (start, stop), group, part, can in zip(
            bounds, members, expressions, fusable, strict=True
        )
    )
    table = None
    if rows:
        built = fused(table_source(rows), row_expressions, 0, in_rules_context)
        table = Table(built, in_rules_context)
    return _Built(layers, table, (frozenset(deferred[0]), frozenset(deferred[1])))
