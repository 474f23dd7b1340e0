"""Faster CEL contexts: element fields of lists of maps, result readers' own context."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import cel
import pytest

from demo.synthetic import SCENARIOS, WELFARE_SCENARIOS, byggesak_case, sosialhjelp_case
from runner.models.registry import case_model, decision_date
from runner.rules import RuleSet, evaluate, load_rule_set
from runner.rules.expressions import element_fields
from runner.rules.literals import cel_literal
from runner.rules.live import LiveContext, live_contexts
from runner.rules.ruleset import ContextScope
from runner.rules.scopes import identical, project, projection_key, rule_scopes
from runner.settings import CONTENT_ROOT, load_settings

ATTACHMENTS = "case__attachments"


@pytest.mark.parametrize(
    ("source", "fields"),
    [
        ("case__attachments.exists(a, a.kind == 'situasjonsplan')", {"kind"}),
        ("case__attachments.all(a, has(a.kind) && a.file.startsWith('x'))", {"kind", "file"}),
        ("case__attachments.map(a, a.kind).size() > 0", {"kind"}),
        ("case__attachments.exists_one(a, a.kind == 'a.file')", {"kind"}),  # text is no path
        ("size(case__attachments) > 0", None),  # read whole
        ("case__attachments.filter(a, a.kind == 'x') == []", None),  # gives elements back
        ("case__attachments.exists(a, a == {'kind': 'x'})", None),
        ("case__attachments.exists(a, a['kind'] == 'x')", None),
        ("case__attachments.exists(a, a.kind.exists(a, a == 'x'))", None),  # rebound
        ("case__attachments[0].kind == 'x'", None),
    ],
)
def test_element_fields_only_when_every_use_reads_fields(
    source: str, fields: set[str] | None
) -> None:
    found = element_fields([source], ATTACHMENTS)
    assert found == (frozenset(fields) if fields is not None else None)


def test_a_list_reduced_to_its_read_fields_gives_the_same_results() -> None:
    scope = ContextScope(
        flat=((ATTACHMENTS, ("case", "attachments")),),
        has=(),
        whole=frozenset(),
        result_flat=(),
        result_has=(),
        result_whole=frozenset(),
        result_ids=frozenset(),
    )
    program = cel.compile("case__attachments.exists(a, a.kind == 'situasjonsplan')")
    live = LiveContext(scope, {ATTACHMENTS: frozenset({"kind"})})
    cases: list[Any] = [
        [{"kind": "situasjonsplan", "file": "a.pdf"}],
        [{"kind": "situasjonsplan", "file": "b.pdf"}],  # only an unread field differs
        [{"kind": "tegning", "file": "b.pdf"}],
        [{"file": "c.pdf"}],  # no kind: an error either way
        [],
        "not a list",  # handed over as it is
        [{"kind": "situasjonsplan"}, 3],  # not all maps: as it is
    ]
    for attachments in cases:
        live.load({"case": {"attachments": attachments}, "p": {}, "p_from": {}, "k": {}})
        assert live.values[ATTACHMENTS] is attachments  # the trace sees the whole list
        whole = cel.Context({ATTACHMENTS: attachments})
        try:
            expected: object = program.execute(whole)
        except Exception as error:  # the bindings raise KeyError, RuntimeError, TypeError
            expected = (type(error), str(error))
        try:
            found: object = program.execute(live.context())
        except Exception as error:
            found = (type(error), str(error))
        assert found == expected, attachments


LISTS: list[Any] = [
    [],
    [{"kind": "a"}],
    [{"kind": "a", "file": "x"}],  # only an unread field differs
    [{"kind": "b"}],
    [{"kind": "a"}, {"kind": "b"}],
    [{"kind": "b"}, {"kind": "a"}],
    [{"kind": "a"}, {}],  # no kind in the second
    [{"kind": "a"}, {"kind": None}],  # null is not missing
    [{"kind": 1}],
    [{"kind": 1.0}],  # equal in Python, not in CEL
    [{"kind": True}],
    [{"kind": "1"}],
    [{"kind": ["a"]}],
    [{"kind": "a"}, "a"],  # not all maps: kept whole
    [{"kind": "a"}, {"kind": "a"}],
    "a",
    None,
]


@pytest.mark.parametrize("fields", [("kind",), ("file", "kind"), ()])
def test_equal_projection_keys_mean_identical_projections(fields: tuple[str, ...]) -> None:
    """A variant is looked up by this key: two lists CEL could tell apart never share one."""
    kept = frozenset(fields)
    for first in LISTS:
        for second in LISTS:
            same = identical(project(first, kept), project(second, kept))
            assert (projection_key(first, fields) == projection_key(second, fields)) == same
            if same:
                assert cel_literal(project(first, kept)) == cel_literal(project(second, kept))


def test_the_trace_keeps_the_whole_list(smatiltak: RuleSet) -> None:
    projected = live_contexts(smatiltak)[1]._project  # the context situasjonsplan runs in
    assert projected == {ATTACHMENTS: frozenset({"kind"})}
    case = _byggesak_cases(1, seed=3)[0][0]
    found = next(r for r in evaluate(smatiltak, case).results if r.rule_id == "situasjonsplan")
    assert found.values["case.attachments"] == case.model_dump(mode="json")["attachments"]


def test_rules_reading_results_get_their_own_context_where_it_pays(smatiltak: RuleSet) -> None:
    welfare = load_rule_set(CONTENT_ROOT / "rules" / "sosialhjelp-livsopphold")
    plain, readers = rule_scopes(welfare)  # three syncs, almost no value read by both
    assert not plain.result_flat and not plain.result_has and not plain.result_whole
    assert {name for name, _ in readers.result_flat} >= {"r__sats_oppdatert", "v__behov"}
    rules, reading, _ = live_contexts(welfare)
    assert rules is not reading
    plain, readers = rule_scopes(smatiltak)  # two syncs, the readers share many values
    assert plain is readers is smatiltak.plan.rules
    rules, reading, _ = live_contexts(smatiltak)
    assert rules is reading


def test_sync_of_named_rules_leaves_the_others() -> None:
    scope = ContextScope(
        flat=(),
        has=(),
        whole=frozenset(),
        result_flat=(("r__a", ("r", "a")), ("r__b", ("r", "b"))),
        result_has=(),
        result_whole=frozenset(),
        result_ids=frozenset({"a", "b"}),
    )
    live = LiveContext(scope)
    live.sync({"r": {"a": "oppfylt", "b": "oppfylt"}, "v": {}})
    live.sync({"r": {"a": "uavklart", "b": "uavklart"}, "v": {}}, ["a"])
    assert live.values == {"r__a": "uavklart", "r__b": "oppfylt"}
    assert cel.compile("r__a + r__b").execute(live.context()) == "uavklartoppfylt"


def _byggesak_cases(count: int, seed: int) -> list[tuple[Any, dict[str, Any]]]:
    rng = random.Random(seed)
    names = sorted(SCENARIOS)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    model = case_model("byggesak")
    return [
        (
            model.model_validate(
                byggesak_case(
                    rng, names[i % len(names)], reference=f"T-{i}",
                    received_at=start + timedelta(days=i),
                )
            ),
            {},
        )
        for i in range(count)
    ]  # fmt: skip


def _welfare_cases(count: int, seed: int) -> list[tuple[Any, dict[str, Any]]]:
    rng = random.Random(seed)
    names = sorted(WELFARE_SCENARIOS)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    model = case_model("sosialhjelp")
    kommune = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml").kommune
    cases = []
    for i in range(count):
        case = model.model_validate(
            sosialhjelp_case(
                rng, names[i % len(names)], reference=f"T-{i}",
                received_at=start + timedelta(days=3 * i),
            )
        )  # fmt: skip
        cases.append((case, kommune.rule_parameters("sosialhjelp", decision_date(case))))
    return cases


@pytest.mark.parametrize("folder", ["byggesak-smatiltak", "sosialhjelp-livsopphold"])
@pytest.mark.parametrize("explain", [False, True])
def test_warm_contexts_give_what_fresh_ones_give_for_generated_cases(
    folder: str, explain: bool
) -> None:
    rule_set = load_rule_set(CONTENT_ROOT / "rules" / folder)
    make = _byggesak_cases if folder.startswith("byggesak") else _welfare_cases
    cases = make(40, seed=11)
    expected = []
    for case, kommune in cases:
        for live in live_contexts(rule_set):
            live.discard()
        expected.append(evaluate(rule_set, case, kommune=kommune, explain=explain))
    for order in (range(len(cases)), reversed(range(len(cases)))):
        for index in order:
            case, kommune = cases[index]
            found = evaluate(rule_set, case, kommune=kommune, explain=explain)
            assert found == expected[index]
