"""Problems in words (runner/problems.py): every key in bokmål and nynorsk with the same
placeholders, every key the code can name has words and every word list key is named,
values stay values, and a stored problem reads in the målform (old records as stored)."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic_core import core_schema

from runner.errors import CaseValidationError
from runner.intake import validate_case
from runner.problems import (
    PARKED,
    PROBLEMS,
    PYDANTIC,
    TYPE_FIXES,
    VALUE_REASONS,
    VALUES,
    problem,
)
from runner.vocabulary import Word
from runner.web.i18n import ERRORS, problem_words

PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")
RUNNER = Path(__file__).resolve().parents[1] / "runner"
#: Words only bokmål has; a nynorsk text with one of them was not written in nynorsk.
BOKMAL_ONLY = re.compile(
    r"\b(ikke|være|hvis|hva|hvor|hvordan|fra|filen|saken|mangler|tegn|heltall|tall|ble|"
    r"noen|kjør|kjøres|hånd|annen|enheten|avbrutt|leses|leveres|behandlingen|meldingen|"
    r"søkeren|søkerens|verdiene|inneholder|ligger|skannet|rettet|uventet|hele|mer|"
    r"tillatt|stoppet|arkivmeldingen|begrunnelsen|grensen)\b",
    re.IGNORECASE,
)


def _code() -> str:
    """The runner's code but runner/problems.py, its files apart by NUL."""
    return "\x00".join(
        p.read_text(encoding="utf-8") for p in RUNNER.rglob("*.py") if p.name != "problems.py"
    )


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_every_problem_has_both_malformer_with_the_same_placeholders(key: str) -> None:
    for nb, nn in PROBLEMS[key]:
        assert nb.strip() and nn.strip(), key
        assert set(PLACEHOLDER.findall(nb)) == set(PLACEHOLDER.findall(nn)), (key, nb, nn)
        assert nb.format(**dict.fromkeys(PLACEHOLDER.findall(nb), "x"))  # well-formed
        assert not BOKMAL_ONLY.findall(PLACEHOLDER.sub(" ", nn)), (key, nn)


def test_the_checks_find_a_key_that_lacks_nynorsk_or_differs() -> None:
    assert BOKMAL_ONLY.findall("feltet mangler")
    assert not BOKMAL_ONLY.findall("feltet manglar")
    assert set(PLACEHOLDER.findall("{n} av {m}")) != set(PLACEHOLDER.findall("{n} av {k}"))
    assert PLACEHOLDER.findall("skal være et objekt ({{ ... }})") == []


def test_the_page_finds_every_problem_among_the_errors_words() -> None:
    """One word list: ERRORS holds every problem's words as they are (none shadowed)."""
    for key, words in PROBLEMS.items():
        assert ERRORS[key] is words, key


def test_every_key_is_named_and_every_named_key_has_words() -> None:
    code = _code()
    named = set(re.findall(r'"(\w+)"', code))  # each key is a literal where it is used
    generated = set(PYDANTIC) | set(VALUES)
    problems_named = {key for key in named if key in PROBLEMS}
    assert sorted(set(PROBLEMS) - generated - problems_named) == []
    users = "\n".join(part for part in code.split("\x00") if "from runner.problems" in part)
    unknown = {
        key
        for key in re.findall(r'(?<![.\w])(?:problem|invalid)\(\s*"(\w+)"', users)
        if key not in PROBLEMS
    }
    assert unknown == set()
    # pydantic names its own types; the value words are named by reason and field type.
    assert set(PYDANTIC) <= set(typing.get_args(core_schema.ErrorType))
    mapping = (RUNNER / "sources" / "mapping.py").read_text(encoding="utf-8")
    assert {r for r in VALUE_REASONS if f'"{r}"' in mapping} == set(VALUE_REASONS) - {"empty"}
    assert set(TYPE_FIXES) == set(typing.get_args(typing.get_type_hints(_field_map())["type"]))


def _field_map() -> type:
    from runner.sources.mapping import FieldMap

    return FieldMap


def test_a_problem_is_bokmal_for_the_operator_and_words_for_the_reader() -> None:
    made = problem("case_type_other_robot", "case_type", case_type="sosialhjelp")
    assert made.reason == "sakstypen 'sosialhjelp' hører ikke til denne roboten"
    assert made.fix == "legg saken i innboksen for 'sosialhjelp'"
    stored = made.as_dict()
    assert stored["text"] == "case_type_other_robot"
    assert stored["values"] == {"case_type": "sosialhjelp"}  # the value, not in the key
    assert problem_words(stored, "nn") == (
        "sakstypen 'sosialhjelp' høyrer ikkje til denne roboten",
        "legg saka i innboksen for 'sosialhjelp'",
    )
    assert problem_words(stored, "nb") == (made.reason, made.fix)


def test_a_word_value_is_stored_as_its_code_and_shown_as_its_word() -> None:
    made = problem("parked_internal", name="KeyError", state=Word("state", "validated"), case=7)
    assert "i tilstanden «Kontrollert»" in made.reason
    assert made.as_dict()["values"]["state"] == {"word": "state", "code": "validated"}
    reason, fix = problem_words(made.as_dict(), "nn")
    assert reason.startswith("uventa feil i roboten (KeyError) i tilstanden «Kontrollert»")
    assert fix == "gi driftsansvarleg saksnummeret 7, så feilen kan rettast og saka køyrast vidare"


def test_an_old_record_or_an_unworded_problem_shows_its_stored_text() -> None:
    old = {"field": "x", "reason": "feltet mangler", "fix": "legg til feltet"}
    assert problem_words(old, "nn") == ("feltet mangler", "legg til feltet")
    unknown = {**old, "text": "finnes_ikke", "values": {}}
    assert problem_words(unknown, "nn") == ("feltet mangler", "legg til feltet")
    unfitting = {**old, "text": "duplicate_key", "values": {}}  # {key} not given
    assert problem_words(unfitting, "nn") == ("feltet mangler", "legg til feltet")


def _problems(content: bytes, case_type: str = "byggesak") -> list[dict[str, object]]:
    with pytest.raises(CaseValidationError) as caught:
        validate_case("sak.json", content, case_type)
    return [p.as_dict() for p in caught.value.problems]


def test_intake_words_pydantic_errors_our_validators_and_json_errors() -> None:
    found = _problems(b'{"case_type": "byggesak", "kommunenummer": "301", "urgent": "kanskje"}')
    by_field = {p["field"]: p for p in found}
    assert by_field["reference"]["text"] == "missing"
    assert by_field["kommunenummer"]["text"] == "kommunenummer_format"  # our validator
    assert problem_words(by_field["reference"], "nn") == ("feltet manglar", "legg til feltet")
    assert problem_words(by_field["kommunenummer"], "nn")[0] == (
        "kommunenummer må vere fire siffer, med null først (t.d. 0301)"
    )
    for stored in found:
        assert stored["text"] in PROBLEMS, stored
    (syntax,) = _problems(b'{"case_type": "byggesak" "x": 1}')
    assert syntax["text"] == "json_expecting_comma"
    assert syntax["values"] == {"line": 1, "column": 26}
    assert syntax["reason"] == "ugyldig JSON på linje 1, kolonne 26: her mangler et komma"
    assert problem_words(syntax, "nn")[0] == (
        "ugyldig JSON på linje 1, kolonne 26: her manglar eit komma"
    )
    (shape,) = _problems(b"[1]")
    assert shape["fix"] == 'filen skal inneholde ett objekt: { "case_type": ..., ... }'
    assert problem_words(shape, "nn")[1] == (
        'fila skal innehalde eitt objekt: { "case_type": ..., ... }'
    )
    (other,) = _problems(b'{"case_type": "sosialhjelp"}')
    assert other["text"] == "case_type_other_robot"


def test_pydantics_allowed_values_read_with_eller() -> None:
    found = _problems(b'{"case_type": "byggesak", "measure": {"kind": "romskip"}}')
    (kind,) = [p for p in found if p["field"] == "measure.kind"]
    assert kind["text"] in ("enum", "literal_error")
    assert " or " not in str(kind["reason"]) and "' eller '" in str(kind["reason"])


def test_every_park_reason_reads_in_nynorsk() -> None:
    for key in PARKED:
        made = problem(key, case=12, n=3, state=Word("state", "sent"), name="X", status="S",
                       error="E", channel="SvarUt", kommune="Bergen kommune",
                       kommunenummer="4601")  # fmt: skip
        reason, fix = problem_words(made.as_dict(), "nn")
        assert reason != made.reason or key == "parked_svarut", key
        assert "12" in fix or key == "parked_svarut", key
