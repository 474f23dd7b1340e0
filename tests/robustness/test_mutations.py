"""Property: random mutations of valid cases never raise past the source and are never dropped."""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.pipeline import Pipeline
from runner.run import find_robot, make_pipeline
from runner.settings import load_settings
from runner.sources import FolderSource
from runner.store import open_store

from .conftest import DEMO_SETTINGS, RESTING, write_cases

EXAMPLES = 500

_BASES: list[dict[str, Any]] = []


def _base_cases() -> list[dict[str, Any]]:
    if not _BASES:
        with tempfile.TemporaryDirectory() as folder:
            write_cases(Path(folder), 12, seed=7, prefix="MU")
            _BASES.extend(json.loads(p.read_text()) for p in sorted(Path(folder).iterdir()))
    return _BASES


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated_case(draw: st.DrawFn) -> bytes:
    """A valid case with one to three mutations: keys deleted, types changed, nested, bytes hit."""
    case = json.loads(json.dumps(draw(st.sampled_from(_base_cases()))))
    case["reference"] = f"MU-{draw(st.integers(0, 10**9))}"  # most examples are new items
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(case)
        path = draw(st.sampled_from(paths))
        *parents, last = path
        node: Any = case
        for part in parents:
            node = node[part]
        operation = draw(st.sampled_from(["delete", "retype", "nest", "none"]))
        if operation == "delete" and isinstance(node, dict):
            del node[last]
        elif operation == "retype":
            node[last] = draw(JSON_VALUES)
        elif operation == "nest":
            inner = node[last]
            for _ in range(draw(st.integers(1, 30))):
                inner = draw(st.sampled_from([[inner], {"x": inner}]))
            node[last] = inner
    content = json.dumps(case, ensure_ascii=draw(st.booleans())).encode("utf-8")
    byte_operation = draw(st.sampled_from(["none", "garbage", "truncate", "both"]))
    if byte_operation in ("garbage", "both"):
        at = draw(st.integers(0, len(content)))
        content = content[:at] + draw(st.binary(min_size=1, max_size=8)) + content[at:]
    if byte_operation in ("truncate", "both"):
        content = content[: draw(st.integers(0, len(content)))]
    return content


@pytest.fixture(scope="module")
def pipeline() -> Iterator[tuple[Pipeline, Path]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = load_settings(DEMO_SETTINGS, data_dir=root / "data", retry_delay_seconds=0.0)
        with open_store(config.database_url) as store:
            robot = find_robot(config, "byggesak-smatiltak")
            (root / "inbox").mkdir()
            yield make_pipeline(config, store, robot), root / "inbox"


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=mutated_case(), name=st.integers(0, 10**6))
def test_no_mutation_raises_past_the_source_or_is_dropped(
    pipeline: tuple[Pipeline, Path], content: bytes, name: int
) -> None:
    robot_pipeline, inbox = pipeline
    path = inbox / f"case-{name}-{random.random()}.json"
    path.write_bytes(content)
    source = FolderSource(inbox, max_bytes=robot_pipeline.settings.max_input_bytes)
    item = source.read(path)  # never raises for an item's content
    path.unlink()
    case_id, _created = robot_pipeline.intake(item)
    record = robot_pipeline.process(case_id, base_dir=inbox)
    assert record.state in RESTING, (record.state, content[:200])
    if record.state == "quarantined":
        assert record.errors and all(error["reason"] for error in record.errors)
