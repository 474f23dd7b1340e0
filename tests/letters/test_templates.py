"""LetterTemplates: loading, errors that name file and line, hashes, placeholders, drafts."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.errors import TemplateError
from runner.letters import LetterDraft, LetterTemplates
from runner.letters.templates import tidy

Build = Callable[[dict[str, str]], LetterTemplates]


def test_render_gives_a_frozen_draft_with_hash(template_dir: Build) -> None:
    templates = template_dir({"test/brev.nb.md.j2": "# Til {{ name }}\n\n\n\nHei   \n"})
    draft = templates.render("test/brev", "nb", {"name": "Ola"})
    assert draft == LetterDraft(
        "# Til Ola\n\nHei\n", "test/brev", "nb", templates.template_hash("test/brev", "nb")
    )
    assert draft.title == "Til Ola"
    assert len(draft.template_hash) == 64
    with pytest.raises(dataclasses.FrozenInstanceError):
        draft.markdown = "endret"  # type: ignore[misc]


def test_missing_template_names_the_file_and_the_fix(template_dir: Build) -> None:
    templates = template_dir({"test/brev.nb.md.j2": "hei"})
    assert templates.exists("test/brev", "nb")
    assert not templates.exists("test/brev", "nn")
    with pytest.raises(TemplateError) as caught:
        templates.render("test/brev", "nn", {})
    error = caught.value
    assert error.file is not None and error.file.endswith("test/brev.nn.md.j2")
    assert error.fix is not None and "test/brev.nb.md.j2" in error.fix


def test_missing_partial_is_reported(template_dir: Build) -> None:
    templates = template_dir({"test/brev.nb.md.j2": '{% include "test/_borte.nb.md.j2" %}'})
    with pytest.raises(TemplateError, match="not found") as caught:
        templates.render("test/brev", "nb", {})
    assert str(caught.value.file).endswith("test/_borte.nb.md.j2")


def test_syntax_error_names_file_and_line(template_dir: Build) -> None:
    templates = template_dir({"test/brev.nb.md.j2": "Linje 1\nLinje 2\n{% if x %}\nfor alltid\n"})
    with pytest.raises(TemplateError) as caught:
        templates.render("test/brev", "nb", {"x": 1})
    error = caught.value
    assert "line 4" in str(error) or "line 5" in str(error)
    assert error.file is not None and error.file.endswith("brev.nb.md.j2")
    assert error.fix and "endif" in error.fix


def test_undefined_variable_is_named_with_template_and_line(template_dir: Build) -> None:
    templates = template_dir({"test/brev.nb.md.j2": "Hei\n\n{{ case.applicant.nmae }}\n"})
    with pytest.raises(TemplateError) as caught:
        templates.render("test/brev", "nb", {"case": {"applicant": {"name": "Ola"}}})
    error = caught.value
    assert "'nmae'" in error.message and "test/brev.nb.md.j2" in error.message
    assert error.problems[0].location == "line 3"
    assert error.file is not None and error.file.endswith("brev.nb.md.j2")


def test_undefined_top_level_name(template_dir: Build) -> None:
    templates = template_dir({"test/brev.nb.md.j2": "{{ gebyr }}"})
    with pytest.raises(TemplateError, match="Undefined variable 'gebyr'"):
        templates.render("test/brev", "nb", {"fee": 1})


def test_undefined_in_a_partial_points_at_the_partial(template_dir: Build) -> None:
    templates = template_dir(
        {
            "test/brev.nb.md.j2": 'Start\n{% include "test/_del.nb.md.j2" %}\n',
            "test/_del.nb.md.j2": "a\nb\n{{ borte }}\n",
        }
    )
    with pytest.raises(TemplateError) as caught:
        templates.render("test/brev", "nb", {})
    assert caught.value.file is not None and caught.value.file.endswith("_del.nb.md.j2")
    assert caught.value.problems[0].location == "line 3"


def test_filter_errors_become_template_errors(template_dir: Build) -> None:
    templates = template_dir({"test/brev.nb.md.j2": "{{ 'mange'|kr }}"})
    with pytest.raises(TemplateError, match="expected a number"):
        templates.render("test/brev", "nb", {})


@pytest.mark.parametrize(
    ("template_id", "malform"),
    [("../etc/passwd", "nb"), ("brev", "nb"), ("Test/Brev", "nb"), ("test/brev", "se")],
)
def test_bad_ids_and_malforms_are_refused(
    template_dir: Build, template_id: str, malform: str
) -> None:
    templates = template_dir({"test/brev.nb.md.j2": "hei"})
    assert not templates.exists(template_id, malform)
    with pytest.raises(TemplateError):
        templates.render(template_id, malform, {})


@pytest.mark.parametrize("check_every", [0.0, 0.05])
def test_hash_covers_partials_and_follows_edits(
    tmp_path: Path, template_dir: Build, check_every: float
) -> None:
    template_dir(
        {
            "test/brev.nb.md.j2": '{% include "test/_del.nb.md.j2" %}',
            "test/_del.nb.md.j2": "versjon 1",
        }
    )
    templates = LetterTemplates(tmp_path / "templates", check_every=check_every)
    first = templates.template_hash("test/brev", "nb")
    assert templates.render("test/brev", "nb", {}).markdown == "versjon 1\n"
    partial = tmp_path / "templates" / "test" / "_del.nb.md.j2"
    partial.write_text("versjon 2 med annen lengde", encoding="utf-8")
    time.sleep(check_every * 2)  # edits are looked for at most every check_every seconds
    second = templates.template_hash("test/brev", "nb")
    assert first != second
    assert templates.render("test/brev", "nb", {}).template_hash == second
    assert templates.render("test/brev", "nb", {}).markdown == "versjon 2 med annen lengde\n"


def test_computed_include_names_are_refused(template_dir: Build) -> None:
    templates = template_dir({"test/brev.nb.md.j2": '{% include "test/_" ~ name %}'})
    with pytest.raises(TemplateError, match="computed name"):
        templates.template_hash("test/brev", "nb")


def test_placeholders_follow_loops_aliases_and_partials(template_dir: Build) -> None:
    templates = template_dir(
        {
            "test/brev.nb.md.j2": (
                "{% set eiendom = case.property %}{{ eiendom.gnr }}\n"
                "{% for regel in rules %}{{ regel.title }}"
                "{% for grunnlag in regel.legal_basis %}{{ grunnlag.ref }}{% endfor %}"
                "{% endfor %}\n"
                '{{ kommune["name"] }}{% include "test/_del.nb.md.j2" %}'
            ),
            "test/_del.nb.md.j2": "{{ fee|kr }}",
        }
    )
    found = templates.placeholders("test/brev", "nb")
    expected = {
        "case",
        "case.property",
        "case.property.gnr",
        "rules",
        "rules[]",
        "rules[].title",
        "rules[].legal_basis",
        "rules[].legal_basis[]",
        "rules[].legal_basis[].ref",
        "kommune",
        "kommune.name",
        "fee",
    }
    assert found == expected


def _tidy_by_regex(text: str) -> str:
    """What `tidy` must give: the plain regex definition."""
    text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


@given(st.text(alphabet=" \t\n\rxæ", max_size=60))
def test_tidy_is_the_regex_definition(text: str) -> None:
    assert tidy(text) == _tidy_by_regex(text)


@pytest.mark.parametrize(
    "text",
    ["", "a", "a \n", "a\t \nb  ", "\n\n\na\n\n\n\n\nb\n\n", " \n \n \n", "a \r\nb\t\r\n", "x\t"],
)
def test_tidy_on_edge_cases(text: str) -> None:
    assert tidy(text) == _tidy_by_regex(text)
