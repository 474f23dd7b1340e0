"""Values typed into forms and sheets become the JSON values the case model reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from runner.errors import CaseValidationError
from runner.sources.mapping import CaseMapping, EmptyValue, build_case, convert_value


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("14,5", "number", 14.5),
        (" 1 250,75 ", "number", 1250.75),
        ("1.250,5", "number", 1250.5),
        ("3.6", "number", 3.6),
        (7, "number", 7.0),
        ("2", "integer", 2),
        (2.0, "integer", 2),
        ("/Yes", "checkbox", True),
        ("/Off", "checkbox", False),
        (None, "checkbox", False),
        ("Ja", "bool", True),
        ("nei", "bool", False),
        ("ukjent", "bool", None),
        ("21.09.2026", "date", "2026-09-21"),
        ("2026-09-21T00:00:00", "date", "2026-09-21"),
        ("2026-03-02T08:05:00", "datetime", "2026-03-02T08:05:00+01:00"),
        (4627.0, "text", "4627"),
    ],
)
def test_convert_value(raw: object, kind: str, expected: object) -> None:
    assert convert_value(raw, kind) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "kind", "words"),
    [
        ("ca. førti", "number", "ikke et tall"),
        ("2,5", "integer", "heltall"),
        ("kanskje", "bool", "verken ja eller nei"),
        ("31.02.2026", "date", "ikke en dato"),
    ],
)
def test_bad_values_say_what_is_wrong(raw: str, kind: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        convert_value(raw, kind)  # type: ignore[arg-type]


def test_empty_is_its_own_error() -> None:
    with pytest.raises(EmptyValue):
        convert_value("  ", "number")


def test_build_case_names_the_source_field_and_fills_reference_and_arrival() -> None:
    mapping = CaseMapping.model_validate(
        {
            "reference_prefix": "BS-T-",
            "constants": {"case_type": "byggesak"},
            "fields": {"bya": {"to": "measure.built_area_m2", "type": "number"}, "navn": "a.b"},
        }
    )
    arrived = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    case = build_case(
        "x.pdf",
        {"bya": "12,5", "navn": "Kari"},
        mapping,
        content_hash="abcdef0123456789",
        received_at=arrived,
        locate=lambda n: f"felt {n}",
    )
    assert case == {
        "case_type": "byggesak",
        "measure": {"built_area_m2": 12.5},
        "a": {"b": "Kari"},
        "reference": "BS-T-ABCDEF0123",
        "received_at": "2026-03-02T09:00:00+01:00",
    }
    with pytest.raises(CaseValidationError) as caught:
        build_case(
            "x.pdf",
            {"bya": ""},
            mapping,
            content_hash="0" * 64,
            received_at=arrived,
            locate=lambda n: f"felt {n}",
        )
    problems = {p.location: p.reason for p in caught.value.problems}
    assert problems == {"felt bya": "feltet er ikke fylt ut", "felt navn": "feltet finnes ikke"}


@pytest.mark.parametrize("value", ["NaN", "1e999", "-Infinity", float("nan"), 10**400])
def test_a_number_that_is_not_finite_is_a_problem_not_a_crash(value: object) -> None:
    with pytest.raises(ValueError, match=r"endelig tall|for stort"):
        convert_value(value, "number")


POSITION_FIELDS = {
    "kx": {"to": "position.crs", "when_empty": "omit", "optional": True},
    "ost": {"to": "position.x", "type": "number", "when_empty": "omit", "optional": True},
    "nord": {"to": "position.y", "type": "number", "when_empty": "omit", "optional": True},
}


def test_position_fields_map_where_present_and_are_left_out_where_absent() -> None:
    mapping = CaseMapping.model_validate({"fields": {"navn": "a.b", **POSITION_FIELDS}})
    arrived = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def build(values: dict[str, object]) -> dict[str, object]:
        return build_case(
            "x.pdf", values, mapping, content_hash="0" * 64, received_at=arrived, locate=str
        )

    full = build({"navn": "Kari", "kx": "EPSG:25832", "ost": "285 532,5", "nord": "6710262,5"})
    assert full["position"] == {"crs": "EPSG:25832", "x": 285532.5, "y": 6710262.5}
    assert "position" not in build({"navn": "Kari"})  # a form made before the fields
    assert "position" not in build({"navn": "Kari", "kx": "", "ost": "", "nord": ""})
