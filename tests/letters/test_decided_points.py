"""Every decision letter lists the points a caseworker decided, each with the written
assessment (fvl. § 25), in bokmål and nynorsk; a letter with none has no such section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from runner.letters import LetterTemplates, markdown_to_html
from runner.settings import CONTENT_ROOT

from .conftest import OUTCOMES

HEADING = {"nb": "Saksbehandlers vurdering", "nn": "Vurderinga til sakshandsamaren"}
WORDS = {"nb": "ikke oppfylt", "nn": "ikkje oppfylt"}
ASSESSMENT = "Naboen har gitt skriftlig samtykke <b>datert</b> 3. mars; avstanden godtas."


def _decided(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first, second = (dict(rule) for rule in rules[:2])
    first.update(outcome="oppfylt", assessment=ASSESSMENT)
    second.update(outcome="ikke_oppfylt", assessment="")
    return [first, second]


@pytest.mark.parametrize("malform", ["nb", "nn"])
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_byggesak_letters_list_the_decided_points(
    templates: LetterTemplates,
    make_context: Callable[..., dict[str, Any]],
    outcome: str,
    malform: str,
) -> None:
    context = make_context(outcome)
    points = _decided(context["rules"])
    markdown = templates.render(
        f"byggesak/{outcome}", malform, {**context, "decided_points": points}
    ).markdown
    html = markdown_to_html(markdown)
    section = html[html.index(HEADING[malform]) :]
    assert points[0]["title"] in section and points[1]["title"] in section
    # The assessment as written: escaped, not formatting; the outcome in words.
    assert "Naboen har gitt skriftlig samtykke &lt;b&gt;datert&lt;/b&gt;" in section
    assert WORDS[malform] in section and "ikke_oppfylt" not in section
    without = templates.render(f"byggesak/{outcome}", malform, context).markdown
    assert HEADING[malform] not in without


def test_every_decision_template_includes_the_section() -> None:
    """A new letter template that forgets the section is caught here (forelopig_svar is not
    a decision: it has no reasoning)."""
    for path in (CONTENT_ROOT / "templates").glob("*/*.md.j2"):
        if path.name.startswith("forelopig_svar"):
            continue
        robot, malform = path.parent.name, path.name.split(".")[-3]
        include = f'{{% include "{robot}/_partials/vurderinger.{malform}.md.j2" %}}'
        assert include in path.read_text(encoding="utf-8"), path
