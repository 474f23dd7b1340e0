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
from collections.abc import Sequence
from dataclasses import dataclass, field

import cel

from runner.models.results import RuleOutcome
from runner.rules.expressions import Expression, flatten, mask_strings
from runner.rules.ruleset import DecisionRow, Rule, RuleSet
from runner.rules.scopes import rule_scopes

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
_NAME = re.compile(r"(?<![\w.])(r__\w+|" + "|".join(FLAGS) + r")\b")


def _compile(source: str) -> cel.Program | None:
    try:
        return cel.compile(source)
    except Exception:  # each part compiled alone; never stop a rule set over the fused form
        return None


@dataclass(eq=False)
class Fused:
    """One program over several expressions, compiled per combination of what it reads.

    A key is the outcomes of the rules in `reads`, then the values of `flags`. `reads` is
    None when it cannot be specialised (it reads values `v`, `has(r.x)`, or `r` whole);
    then only `general` runs, with results as context variables.
    """

    source: str  # flat CEL, reading outcomes as r__<id> and flags by name
    general: cel.Program | None
    reads: tuple[str, ...] | None  # rule ids whose outcomes it bakes in; None: it cannot
    flags: tuple[str, ...] = ()  # the flags it bakes in (after the outcomes in a key)
    _spans: tuple[tuple[int, int, int], ...] = ()  # (start, end, position in the key)
    _variants: dict[tuple[object, ...], cel.Program | None] = field(default_factory=dict)

    @classmethod
    def build(cls, source: str, expressions: Sequence[Expression], rule_ids: set[str]) -> Fused:
        general = _compile(source)
        if not _specialisable(expressions):
            return cls(source, general, None)
        masked = mask_strings(source)
        found: list[tuple[int, int, str]] = []
        for match in _NAME.finditer(masked):
            name = match.group(1)
            if name.startswith("r__") and name[3:] not in rule_ids:
                return cls(source, general, None)  # r.x.y: not an outcome
            found.append((match.start(1), match.end(1), name))
        names = list(dict.fromkeys(name for _, _, name in found))
        reads = [name for name in names if name.startswith("r__")]
        flags = [name for name in names if name in FLAGS]
        order = {name: position for position, name in enumerate([*reads, *flags])}
        spans = tuple((start, end, order[name]) for start, end, name in found)
        return cls(source, general, tuple(name[3:] for name in reads), tuple(flags), spans)

    def program(self, key: tuple[object, ...]) -> cel.Program | None:
        """The program with `key` (outcomes of `reads`, then `flags`) baked in; None: use
        `general` (too many variants, or a value that is not an outcome or a flag)."""
        found = self._variants.get(key, self)
        if found is not self:
            return found  # type: ignore[return-value]
        if len(self._variants) >= MAX_VARIANTS:
            return None
        try:
            literals = [_LITERALS[value] for value in key]
        except (KeyError, TypeError):  # not an outcome text or a flag: nothing to bake
            return None
        text = self.source
        for start, end, position in reversed(self._spans):
            text = text[:start] + literals[position] + text[end:]
        program = self._variants[key] = _compile(text)
        return program


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


def _layer(rules: tuple[Rule, ...], start: int, stop: int, ids: set[str]) -> Layer:
    members = rules[start:stop]
    if any(rule.is_calculation for rule in members):  # values need a list: rule by rule
        return Layer(start, stop, None)
    expressions = [expression for rule in members for expression in rule.expressions]
    return Layer(start, stop, Fused.build(layer_source(members), expressions, ids))


_layers: weakref.WeakKeyDictionary[RuleSet, tuple[Layer, ...]] = weakref.WeakKeyDictionary()


def rule_layers(rule_set: RuleSet) -> tuple[Layer, ...]:
    """The rule set's rules split into layers, in order.

    A new layer starts where the context changes, where a rule reads the result of a rule
    in the layer, between plain and calculation rules, and after `MAX_LAYER` rules.
    """
    found = _layers.get(rule_set)
    if found is not None:
        return found
    rules = rule_set.rules
    ids = {rule.id for rule in rules}
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
    starts = [0, *bounds]
    stops = [*bounds, len(rules)]
    found = tuple(
        _layer(rules, start, stop, ids) for start, stop in zip(starts, stops, strict=True)
    )
    _layers[rule_set] = found
    return found


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


_tables: weakref.WeakKeyDictionary[RuleSet, Table | None] = weakref.WeakKeyDictionary()


def decision_table(rule_set: RuleSet) -> Table | None:
    """The decision table's one program (None for a rule set without rows)."""
    if rule_set in _tables:
        return _tables[rule_set]
    rows = rule_set.decision_rows
    table = None
    if rows:
        expressions = [e for row in rows for e in (row.when, row.urgent) if e is not None]
        ids = {rule.id for rule in rule_set.rules}
        plain = rule_scopes(rule_set)[0]
        held = {name for name, _ in (*plain.flat, *plain.has)}
        needed = rule_set.plan.decision
        inside = {name for name, _ in (*needed.flat, *needed.has)} <= held
        table = Table(
            Fused.build(table_source(rows), expressions, ids),
            inside and needed.whole <= plain.whole,
        )
    _tables[rule_set] = table
    return table
