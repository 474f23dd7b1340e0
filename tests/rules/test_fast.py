"""The verdict's own loop (`fast.VerdictPlan`) and its reading of the case model
(`reader.CaseReader`): every verdict must be exactly the one the usual way gives, whether
the loop gives it or gives up and leaves it to the usual way."""

from __future__ import annotations

import importlib
import random
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_serializer,
    model_serializer,
)

from demo.synthetic import SCENARIOS, byggesak_case
from runner.errors import ConfigurationError
from runner.models import ByggesakCase
from runner.models.byggesak import Measure, MeasureKind, NeighbourNotice
from runner.models.common import Attachment
from runner.models.results import Verdict
from runner.rules import RuleSet, evaluate, load_rule_set, scopes, verdict
from runner.rules.fast import VerdictPlan, verdict_plan
from runner.rules.live import MISSING, live_contexts, lookup
from runner.rules.reader import CaseReader
from runner.ruletools.testing import deep_merge
from runner.settings import CONTENT_ROOT
from tests.rules.conftest import BASE_CASE

evaluate_module = importlib.import_module("runner.rules.evaluate")  # (the package has
# a function of that name)
FIXTURES = Path(__file__).parent / "fixtures"
LAYERED = FIXTURES / "layered"
SMATILTAK = CONTENT_ROOT / "rules" / "byggesak-smatiltak"
Case = tuple[ByggesakCase, date | None, dict[str, Any]]

#: Patches of the base case for the layered fixture: a rule failing on null (levegg
#: without length), an int division by zero (deling, objections 0) in a rule and in a
#: decision row (radfeil), nulls and dates; on a day before any parameter has a value,
#: the programs reading them are the general ones.
PATCHES: list[dict[str, Any]] = [
    {},
    {"measure": {"kind": "levegg", "length_m": None}},
    {"measure": {"kind": "levegg", "length_m": 4.0}},
    {"measure": {"kind": "annet"}},
    {"measure": {"kind": "tilbygg", "built_area_m2": 12.0}},
    {"measure": {"use": "verksted"}},
    {"measure": {"use": "deling"}},
    {"measure": {"use": "deling"}, "neighbour_notice": {"objections": 2}},
    {"measure": {"use": "radfeil"}},
    {"measure": {"use": "radfeil"}, "neighbour_notice": {"objections": 1}},
    {"plan": {"conforms": None}},
    {"neighbour_notice": {"sent_on": None}},
    {"neighbour_notice": {"sent_on": "2026-10-30"}},
    {"dispensation_requested": True, "neighbour_notice": {"objections": 3}},
    {"attachments": [{"kind": "situasjonsplan", "file": "a/situasjonsplan.pdf"}]},
    {"attachments": [{"kind": "tegning", "file": "a/t.pdf"}, {"kind": "situasjonsplan",
                                                              "file": "a/s.pdf"}]},
]  # fmt: skip
KOMMUNE: list[dict[str, Any]] = [{}, {"maks_m2": 50.0}, {"maks_m2": "femti"}]
DAYS: list[date | None] = [None, date(2024, 6, 1), date(2031, 1, 1)]
BEFORE = date(2019, 6, 1)  # no parameter has a value yet


def _generated(count: int) -> Iterator[Case]:
    rng = random.Random(11)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for index in range(count):
        raw = byggesak_case(
            rng,
            sorted(SCENARIOS)[index % len(SCENARIOS)],
            reference=f"F-{index}",
            received_at=start + timedelta(days=index),
        )
        yield ByggesakCase.model_validate(raw), None, {}


def _cases() -> list[Case]:
    cases = [
        (ByggesakCase.model_validate(deep_merge(BASE_CASE, patch)), on, kommune)
        for patch in PATCHES
        for kommune in KOMMUNE
        for on in DAYS
    ]
    cases += [(case, BEFORE, kommune) for case, _, kommune in cases[:: len(DAYS) * 4]]
    return cases + list(_generated(60))


def _usual(rule_set: RuleSet, case: BaseModel, on: date | None, kommune: Any) -> Verdict:
    """The verdict the usual way (`Run`), as if there were no plan."""
    run, decision = evaluate_module._run(rule_set, case, on, kommune, trace=False, explain=False)
    return Verdict(
        rule_set_id=rule_set.id,
        rule_set_version=rule_set.version,
        rule_set_hash=rule_set.hash,
        decision_date=run.data["decision_date"],
        outcomes=run.outcomes,
        values=run.values,
        errors=run.errors,
        decision=decision,
    )


def _plan(rule_set: RuleSet) -> VerdictPlan:
    plan = verdict_plan(rule_set)
    assert plan is not None
    return plan


def _fast(rule_set: RuleSet, case: ByggesakCase, on: date | None, kommune: Any) -> Verdict | None:
    day = on if on is not None else case.case_date()
    return _plan(rule_set).verdict(rule_set, case, day, kommune)


@pytest.fixture(params=[False, True], ids=["one context", "readers apart"])
def layered(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> RuleSet:
    """The layered fixture, with the rules reading results in a context of their own or not."""
    monkeypatch.setattr(scopes, "_worth_splitting", lambda *_: request.param)
    rule_set = load_rule_set(LAYERED)  # a new object: scopes and plans built afresh
    contexts = live_contexts(rule_set)
    assert (contexts[0] is not contexts[1]) is request.param
    return rule_set


def test_only_rule_sets_whose_every_part_is_one_program_have_a_plan() -> None:
    assert verdict_plan(load_rule_set(SMATILTAK)) is not None
    assert verdict_plan(load_rule_set(LAYERED)) is not None
    assert verdict_plan(load_rule_set(FIXTURES / "engine")) is None  # calculations
    assert verdict_plan(load_rule_set(CONTENT_ROOT / "rules" / "sosialhjelp-livsopphold")) is None


@pytest.mark.parametrize("rounds", [1, 2])
def test_the_fast_verdict_is_the_usual_one(layered: RuleSet, rounds: int) -> None:
    """In any order, with fallbacks between: the same verdict, errors and messages included."""
    cases = _cases()
    expected = [_usual(layered, case, on, kommune) for case, on, kommune in cases]
    for _ in range(rounds):
        for index in (*range(0, len(cases), 2), *range(len(cases) - 1, 0, -2)):
            case, on, kommune = cases[index]
            found = verdict(layered, case, on=on, kommune=kommune)
            assert found.model_dump() == expected[index].model_dump(), index
    given = [_fast(layered, case, on, kommune) for case, on, kommune in cases]
    assert sum(found is not None for found in given) > len(cases) // 2  # not all given up
    for found, wanted in zip(given, expected, strict=True):
        assert found is None or found.model_dump() == wanted.model_dump()
    errors = " ".join(text for found in expected for text in found.errors.values())
    assert "«case.measure.length_m» mangler verdi (null)" in errors
    assert "parameteren «grense_m2» har ingen verdi som gjelder 2019-06-01" in errors
    assert "decision[0].when feilet" in " ".join(found.decision.matched for found in expected)


def test_the_fast_verdict_gives_up_where_a_program_cannot_answer(layered: RuleSet) -> None:
    """A failing layer or row, a general program, a variant not compiled: the usual way."""
    base = ByggesakCase.model_validate(BASE_CASE)
    assert _fast(layered, base, None, {}) is None  # no variant compiled yet
    verdict(layered, base)
    assert _fast(layered, base, None, {}) == _usual(layered, base, None, {})

    def case(patch: dict[str, Any]) -> ByggesakCase:
        return ByggesakCase.model_validate(deep_merge(BASE_CASE, patch))

    failing = [
        (case({"measure": {"kind": "levegg", "length_m": None}}), None, {}),  # a rule fails
        (case({"measure": {"use": "deling"}}), None, {}),  # a division by zero
        (case({"measure": {"use": "radfeil"}}), None, {}),  # a decision row fails
        (base, BEFORE, {}),  # no parameter on the day: the general program
        (base, None, {"maks_m2": "femti"}),  # text compared with a number
    ]
    for found, on, kommune in failing:
        expected = _usual(layered, found, on, kommune)
        assert verdict(layered, found, on=on, kommune=kommune) == expected
        assert _fast(layered, found, on, kommune) is None
        assert expected.errors or "feilet" in expected.decision.matched


def test_the_real_rule_set_gives_its_verdicts_the_fast_way() -> None:
    rule_set = load_rule_set(SMATILTAK)
    cases = list(_generated(80))
    expected = [_usual(rule_set, case, on, kommune) for case, on, kommune in cases]
    for (case, on, kommune), wanted in zip(cases, expected, strict=True):
        assert verdict(rule_set, case, on=on, kommune=kommune) == wanted
    given = [_fast(rule_set, case, on, kommune) for case, on, kommune in cases]
    assert given == expected  # every variant compiled: none given up


def test_a_verdict_after_an_evaluation_and_back_sees_only_its_own_case(layered: RuleSet) -> None:
    """The usual way and the fast one share the contexts (lists baked in are never handed
    over by the fast one): mixing them changes nothing."""
    cases = _cases()
    expected = [_usual(layered, case, on, kommune) for case, on, kommune in cases]
    evaluations = [evaluate(layered, case, on=on, kommune=kommune) for case, on, kommune in cases]
    rng = random.Random(3)
    for _ in range(3 * len(cases)):
        index = rng.randrange(len(cases))
        case, on, kommune = cases[index]
        if rng.random() < 0.3:
            assert evaluate(layered, case, on=on, kommune=kommune) == evaluations[index]
        else:
            assert verdict(layered, case, on=on, kommune=kommune) == expected[index]


def _dump_values(reader: CaseReader, dumped: dict[str, Any], groups: Any) -> dict[str, Any]:
    """The reader's variables as `LiveContext.load` would look them up in the dump."""
    found: dict[str, Any] = {}
    for parent, leaves in groups:
        for name, key in leaves:
            if name in reader.names:
                found[name] = lookup(dumped, (*parent, key))
    return found


def test_the_reader_gives_what_the_dump_holds() -> None:
    rule_set = load_rule_set(SMATILTAK)
    live = live_contexts(rule_set)[0]
    reader = _plan(rule_set).readers[0][1]
    assert {keyed.name for keyed in reader.keyed} == {"case__attachments"}
    cases = [case for case, _, _ in _generated(80)]
    cases += [ByggesakCase.model_validate(deep_merge(BASE_CASE, patch)) for patch in PATCHES]
    for case in cases:
        dumped = case.model_dump(mode="json")
        read = reader.read(case)
        assert read is not None
        values = dict(zip(reader.names, read[0], strict=True))
        expected = _dump_values(reader, dumped, live.case_groups)
        assert list(values) == list(expected)
        for name, value in values.items():
            assert type(value) is type(expected[name]) and value == expected[name], name
        keys = {keyed.name: keyed.fields for keyed in reader.keyed}
        for name, fields in keys.items():
            listed = lookup(dumped, ("attachments",))
            assert read[1][name] == scopes.projection_key(listed, fields)


class _Kind(StrEnum):
    a = "a"
    b = "b"


class _Number(Enum):
    one = 1
    two = 2


class _Leaf(BaseModel):
    model_config = ConfigDict(frozen=True)

    flag: bool
    count: int
    size: float
    text: str
    kind: _Kind
    number: _Number
    day: date
    maybe: float | None = None
    items: list[Attachment] = Field(default_factory=list)


_LEAVES = ("flag", "count", "size", "text", "kind", "number", "day", "maybe")


def _leaf_reader(model: type[BaseModel], leaves: tuple[str, ...] = _LEAVES) -> CaseReader | None:
    groups = [((), tuple((f"case__{name}", name) for name in leaves))]
    return CaseReader.build(model, groups, {})


def test_each_type_is_read_as_pydantic_writes_it() -> None:
    reader = _leaf_reader(_Leaf)
    assert reader is not None
    for day in (date(1, 1, 1), date(999, 12, 31), date(2026, 2, 28), date(9999, 12, 31)):
        for maybe in (None, 2.5, float("inf"), float("nan")):
            leaf = _Leaf(flag=True, count=-3, size=1e300, text=" x ", kind=_Kind.b,
                         number=_Number.two, day=day, maybe=maybe)  # fmt: skip
            read = reader.read(leaf)
            assert read is not None
            dumped = leaf.__pydantic_serializer__.to_python(leaf, mode="json")
            for name, value in zip(_LEAVES, read[0], strict=True):
                assert type(value) is type(dumped[name]), name
                assert value == dumped[name] or value != value, name  # nan is nan


def test_a_value_not_of_its_declared_type_is_dumped_instead() -> None:
    """A model built without validation may hold anything: the reader refuses the case."""
    reader = _leaf_reader(_Leaf)
    assert reader is not None
    valid = _Leaf(flag=True, count=1, size=1.0, text="x", kind=_Kind.a, number=_Number.one,
                  day=date(2026, 1, 1))  # fmt: skip
    assert reader.read(valid) is not None
    wrong: list[dict[str, Any]] = [
        {"size": 1},  # an int where a float is declared (the dump writes 1.0)
        {"count": True},
        {"flag": 1},
        {"text": _Kind.a},  # a str subclass
        {"kind": "a"},  # the value, not the member
        {"day": datetime(2026, 1, 1, tzinfo=UTC)},  # a datetime is a date too
        {"text": None},  # null where the field is not optional
    ]
    for change in wrong:
        built = _Leaf.model_construct(**{**valid.__dict__, **change})
        assert reader.read(built) is None, change

    class Sub(_Leaf):
        pass

    assert reader.read(Sub.model_validate(valid.__dict__)) is None  # only the class itself


def test_a_case_the_reader_refuses_gets_the_usual_verdict() -> None:
    rule_set = load_rule_set(SMATILTAK)
    reader = _plan(rule_set).readers[0][1]
    base = ByggesakCase.model_validate(BASE_CASE)
    verdict(rule_set, base)  # variants compiled
    measure = base.measure.__dict__
    attachment = Attachment.model_construct(kind=1, file="x/y.pdf")
    refused = [
        base.model_copy(update={"measure": Measure.model_construct(**{**measure,
                                                                      "built_area_m2": 30})}),
        base.model_copy(update={"measure": Measure.model_construct(**{**measure,
                                                                      "kind": "tilbygg"})}),
        base.model_copy(update={"neighbour_notice": NeighbourNotice.model_construct(
            sent_on="2026-09-01", objections=0, boundary_consent=False)}),
        base.model_copy(update={"attachments": [attachment]}),
        base.model_copy(update={"attachments": ({"kind": "situasjonsplan", "file": "a.pdf"},)}),
        base.model_copy(update={"plan": {"conforms": True}}),  # a dict, not the model
    ]  # fmt: skip
    for case in refused:
        assert reader.read(case) is None
        with warnings.catch_warnings():  # pydantic's, about the unexpected values it dumps
            warnings.simplefilter("ignore", UserWarning)
            assert verdict(rule_set, case) == _usual(rule_set, case, None, None)
    levegg = Measure.model_construct(**{**measure, "kind": MeasureKind.levegg})
    kind = base.model_copy(update={"measure": levegg})
    assert reader.read(kind) is not None


def test_models_whose_dump_may_differ_are_not_read() -> None:
    """Anything that may change how pydantic writes a value: the case is dumped."""
    assert _leaf_reader(_Leaf) is not None
    Doubled = Annotated[float, PlainSerializer(lambda value: value * 2)]

    class Serialized(BaseModel):
        size: Doubled

    class FieldSerialized(BaseModel):
        size: float

        @field_serializer("size")
        def _size(self, value: float) -> float:
            return value * 2

    class ModelSerialized(BaseModel):
        size: float

        @model_serializer
        def _all(self) -> dict[str, Any]:
            return {"size": self.size * 2}

    class Excluded(BaseModel):
        size: float = Field(exclude=True)

    class Aliased(BaseModel):
        model_config = ConfigDict(serialize_by_alias=True)

        size: float = Field(serialization_alias="storrelse")

    class InfNan(BaseModel):
        model_config = ConfigDict(ser_json_inf_nan="strings")

        size: float

    class Dated(BaseModel):
        size: datetime

    class Literal_(BaseModel):
        size: Literal["a", "b"]

    class Either(BaseModel):
        size: int | str

    class Dumping(BaseModel):
        size: float

        def model_dump(self, **options: Any) -> dict[str, Any]:  # type: ignore[override]
            return super().model_dump(**options)

    class Nested(BaseModel):
        inner: Serialized

    for model in (Serialized, FieldSerialized, ModelSerialized, Excluded, Aliased, InfNan,
                  Dated, Literal_, Either, Dumping):  # fmt: skip
        assert _leaf_reader(model, ("size",)) is None, model.__name__
    groups = [(("inner",), (("case__inner__size", "size"),))]
    assert CaseReader.build(Nested, groups, {}) is None
    unknown = [((), (("case__missing", "missing"),))]
    assert CaseReader.build(_Leaf, unknown, {}) is None  # not a field: the dump lacks it
    listed = [((), (("case__items", "items"),))]
    assert CaseReader.build(_Leaf, listed, {}) is None  # a list handed over whole
    assert CaseReader.build(_Leaf, listed, {"case__items": ("kind",)}) is not None
    assert CaseReader.build(_Leaf, listed, {"case__items": ("size",)}) is None


def test_a_list_baked_in_is_keyed_as_its_dump_would_be() -> None:
    listed = [((), (("case__items", "items"),))]
    reader = CaseReader.build(_Leaf, listed, {"case__items": ("file", "kind")})
    assert reader is not None
    base = dict(flag=True, count=1, size=1.0, text="x", kind=_Kind.a, number=_Number.one,
                day=date(2026, 1, 1))  # fmt: skip
    for items in ([], [("a", "x/1.pdf")], [("a", "x/1.pdf"), ("b", "x/2.pdf")]):
        leaf = _Leaf(**base, items=[{"kind": kind, "file": file} for kind, file in items])
        read = reader.read(leaf)
        assert read is not None and read[0] == []
        dumped = leaf.model_dump(mode="json")["items"]
        assert read[1] == {"case__items": scopes.projection_key(dumped, ("file", "kind"))}


def test_a_missing_leaf_is_never_left_behind() -> None:
    """`MISSING` is what the dump lookup gives for a path that is not there; the reader only
    reads declared fields, which every dump holds."""
    reader = _leaf_reader(_Leaf)
    assert reader is not None
    leaf = _Leaf(flag=True, count=1, size=1.0, text="x", kind=_Kind.a, number=_Number.one,
                 day=date(2026, 1, 1))  # fmt: skip
    read = reader.read(leaf)
    assert read is not None and MISSING not in read[0]


def test_verdicts_of_the_same_combination_share_nothing_mutable() -> None:
    """Outcomes and decisions are kept per combination of codes: each verdict gets copies."""
    rule_set = load_rule_set(LAYERED)
    case = ByggesakCase.model_validate(deep_merge(BASE_CASE, {"measure": {"kind": "annet"}}))
    verdict(rule_set, case)
    first = _fast(rule_set, case, None, {})
    second = _fast(rule_set, case, None, {})
    assert first is not None and second is not None and first == second
    assert first.decision.reasons  # art is uavklart
    for one, other in ((first.outcomes, second.outcomes), (first.values, second.values),
                       (first.errors, second.errors), (first.decision.reasons,
                       second.decision.reasons), (first.decision.amounts,
                       second.decision.amounts)):  # fmt: skip
        assert one is not other


def test_a_value_the_bindings_refuse_fails_as_the_usual_way_fails() -> None:
    """The same error (its text depends on the context's state: each from a warm one)."""
    rule_set = load_rule_set(LAYERED)
    case = ByggesakCase.model_validate(BASE_CASE)
    refused = {"maks_m2": date(2020, 1, 1)}
    verdict(rule_set, case)
    with pytest.raises(ConfigurationError) as fast:
        verdict(rule_set, case, kommune=refused)
    _usual(rule_set, case, None, {})
    with pytest.raises(ConfigurationError) as usual:
        _usual(rule_set, case, None, refused)
    assert str(fast.value) == str(usual.value)
    assert verdict(rule_set, case) == _usual(rule_set, case, None, {})
