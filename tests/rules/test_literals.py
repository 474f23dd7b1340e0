"""Values written into programs as CEL literals read back as exactly the same values."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import cel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.rules.literals import cel_literal
from runner.rules.live import LiveContext
from runner.rules.ruleset import ContextScope, RuleSet


def _same(value: Any, back: Any) -> bool:
    """Equal as CEL sees it: the same types all the way down (1, 1.0 and True differ)."""
    if type(value) is not type(back):
        return False
    if type(value) is list:
        return len(value) == len(back) and all(map(_same, value, back))
    if type(value) is dict:
        return value.keys() == back.keys() and all(_same(value[k], back[k]) for k in value)
    if type(value) is float:
        return math.copysign(1, value) == math.copysign(1, back) and value == back
    return bool(value == back)


EXAMPLES = [
    None, True, False, 0, -5, 2**63 - 1, -(2**63) + 1, 1.5, -2.25, 1e-05, 1e16, 1.5e300,
    -0.0, 5e-324, "æøå ÆØÅ á č đ ŋ š ŧ ž", 'a"b\\c\n\t', "😀", "", [], {},
    [1, "x", None, 2.0], {"kind": "situasjonsplan", "n": 3}, [{"kind": "tegninger"}],
]  # fmt: skip


@pytest.mark.parametrize("value", EXAMPLES, ids=repr)
def test_a_literal_reads_back_as_the_same_value(value: Any) -> None:
    literal = cel_literal(value)
    assert literal is not None
    assert _same(value, cel.compile(literal).execute({}))


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, 2**63, -(2**63) - 1, "\ud800", {1: 2}, (1, 2), date(2026, 1, 1)]
)
def test_values_without_an_exact_literal_give_none(value: Any) -> None:
    assert cel_literal(value) is None
    assert cel_literal([value]) is None
    assert cel_literal({"x": value}) is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_case_value_reads_back_exactly_or_is_refused(value: Any) -> None:
    literal = cel_literal(value)
    if literal is not None:
        assert _same(value, cel.compile(literal).execute({}))


def test_a_deferred_value_waits_for_a_full_context() -> None:
    scope = ContextScope(
        flat=(("case__a", ("case", "a")), ("case__b", ("case", "b"))),
        has=(), whole=frozenset(), result_flat=(), result_has=(), result_whole=frozenset(),
        result_ids=frozenset(),
    )  # fmt: skip
    live = LiveContext(scope)
    live.defer(["case__b"])
    live.load({"case": {"a": 1, "b": 2}, "p": {}, "p_from": {}, "k": {}})
    partial = live.context(full=False)
    assert cel.compile("case__a").execute(partial) == 1
    with pytest.raises(RuntimeError, match="case__b"):
        cel.compile("case__b").execute(partial)
    assert cel.compile("case__a + case__b").execute(live.context()) == 3
    live.load({"case": {"a": 1, "b": 5}, "p": {}, "p_from": {}, "k": {}})
    stale = live.context(full=False)  # b is not handed: it may hold the earlier value
    assert cel.compile("case__a").execute(stale) == 1
    assert cel.compile("case__b").execute(live.context()) == 5


def test_days_of_one_period_share_their_parameter_dicts(smatiltak: RuleSet) -> None:
    first = smatiltak.resolve_parameters(date(2026, 3, 2))
    second = smatiltak.resolve_parameters(date(2026, 11, 27))
    assert first[0] is second[0] and first[1] is second[1]
    before = smatiltak.resolve_parameters(date(2015, 6, 30))  # before every parameter
    assert before[0] is not first[0] and before[0] == {}
