"""Explanation templates: short sandboxed jinja2 texts in nb and nn that name a rule's facts."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Protocol

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from runner.norwegian import format_date, format_number

#: Names an explanation template may use.
TEMPLATE_VARIABLES = frozenset(
    {
        "case",
        "p",
        "p_from",
        "v",
        "r",
        "k",
        "outcome",
        "values",
        "decision_date",
        "discretion",
        "unverified",
    }
)

if TYPE_CHECKING:
    from runner.rules.schema import RuleSpec


class _DataEnvironment(SandboxedEnvironment):
    """A sandbox where `case.measure` reads the dict key directly.

    Templates only see JSON-like data, so a key of a dict wins over a dict method of the
    same name; this also skips the AttributeError jinja2 raises and catches for every dot.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


_environment = _DataEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["tal"] = format_number
_environment.filters["dato"] = format_date
# Explanations need no globals (range, dict, lipsum, cycler, joiner, namespace); without them
# the sandbox is smaller and each render copies less.
_environment.globals.clear()

#: What a caseworker reads when a rule's explanation cannot be written (nb and nn).
FALLBACK = {
    "nb": "Regelen kunne ikke vurderes automatisk: {error}",
    "nn": "Regelen kunne ikkje vurderast automatisk: {error}",
}


class ExplanationError(ValueError):
    """A template does not compile or uses a name it cannot see."""


def compile_template(source: str) -> Template:
    """Compile an explanation template once, when the rule set is loaded."""
    try:
        parsed = _environment.parse(source)
    except TemplateSyntaxError as error:
        raise ExplanationError(f"jinja2 syntax error: {error.message}") from error
    unknown = sorted(meta.find_undeclared_variables(parsed) - TEMPLATE_VARIABLES)
    if unknown:
        raise ExplanationError(
            f"unknown name '{unknown[0]}' in template "
            f"(available: {', '.join(sorted(TEMPLATE_VARIABLES))})"
        )
    return _environment.from_string(source)


def render(template: Template, variables: dict[str, Any]) -> str:
    """Render one explanation; raises on a missing value (StrictUndefined).

    The variables are shared with the template instead of copied (templates only read them;
    `{% set %}` writes to the template's own scope), which saves a copy per render.
    """
    context = template.new_context(variables, shared=True)
    return " ".join("".join(template.root_render_func(context)).split())


#: The explanation of a rule that does not apply to the case (its template is not rendered);
#: neutral, so it reads right in every rule set (byggesak, sosialhjelp, …).
NOT_APPLICABLE = {
    "nb": "Regelen gjelder ikke i denne saken.",
    "nn": "Regelen gjeld ikkje i denne saka.",
}


def fallback(error: str) -> dict[str, str]:
    """The explanation shown when the rule or its template failed."""
    return {language: text.format(error=error) for language, text in FALLBACK.items()}


class SettledLike(Protocol):
    discretion: str | None
    guideline: dict[str, str] | None
    guideline_problem: str | None
    unverified: list[str]


#: Sentences added to a rule's explanation when the robot may not settle it alone.
UNVERIFIED = {
    "nb": "{facts} er bare oppgitt av søkeren og ikke kontrollert mot register, kommunens "
    "kartdata eller av en saksbehandler. En saksbehandler må kontrollere det.",
    "nn": "{facts} er berre opplyst av søkjaren og ikkje kontrollert mot register, kommunen "
    "sine kartdata eller av ein sakshandsamar. Ein sakshandsamar må kontrollere det.",
}
DISCRETION_OPEN = {
    "nb": "Her har kommunen skjønn ({basis}): {question}",
    "nn": "Her har kommunen skjøn ({basis}): {question}",
}
NO_GUIDELINE = {
    "nb": "Kommunen har ikke vedtatt retningslinjer for dette skjønnet, så en saksbehandler "
    "avgjør det.",
    "nn": "Kommunen har ikkje vedteke retningslinjer for dette skjønet, så ein sakshandsamar "
    "avgjer det.",
}
NEVER_GUIDELINE = {
    "nb": "Dette skjønnet kan bare en saksbehandler utøve.",
    "nn": "Dette skjønet kan berre ein sakshandsamar utøve.",
}
GUIDELINE_NOT_MET = {
    "nb": "Kommunens retningslinjer ({reference}, vedtatt {adopted}) dekker ikke denne saken "
    "({problem}), så en saksbehandler avgjør det.",
    "nn": "Retningslinjene til kommunen ({reference}, vedtekne {adopted}) dekkjer ikkje denne "
    "saka ({problem}), så ein sakshandsamar avgjer det.",
}
GUIDELINE_APPLIED = {
    "nb": "Kommunen har utøvd skjønnet ({basis}) etter sine retningslinjer ({reference}, "
    "vedtatt {adopted}), og vilkårene i dem er oppfylt.",
    "nn": "Kommunen har utøvd skjønet ({basis}) etter retningslinjene sine ({reference}, "
    "vedtekne {adopted}), og vilkåra i dei er oppfylte.",
}


def with_settled(text: str, language: str, spec: RuleSpec, settled: SettledLike) -> str:
    """The rendered explanation, plus what is left to a person (or the guideline applied)."""
    parts = [text]
    if settled.unverified:
        names = {item.fact: getattr(item.name, language) for item in spec.requires_verified}
        facts = ", ".join(names.get(fact, fact) for fact in settled.unverified)
        parts.append(UNVERIFIED[language].format(facts=facts[:1].upper() + facts[1:]))
    discretion = spec.discretion
    if discretion is not None and settled.discretion is not None:
        basis = ", ".join(reference.ref for reference in discretion.basis)
        guideline = settled.guideline or {}
        adopted = guideline.get("adopted", "")
        with contextlib.suppress(TypeError, ValueError):
            adopted = format_date(adopted)
        if settled.discretion == "guideline":
            parts.append(
                GUIDELINE_APPLIED[language].format(
                    basis=basis, reference=guideline.get("reference", ""), adopted=adopted
                )
            )
        else:
            parts.append(
                DISCRETION_OPEN[language].format(
                    basis=basis, question=getattr(discretion.question, language)
                )
            )
            if not discretion.guideline:
                parts.append(NEVER_GUIDELINE[language])
            elif settled.guideline is not None and settled.guideline_problem:
                parts.append(
                    GUIDELINE_NOT_MET[language].format(
                        reference=guideline.get("reference", ""),
                        adopted=adopted,
                        problem=settled.guideline_problem,
                    )
                )
            elif not settled.unverified:
                parts.append(NO_GUIDELINE[language])
    return " ".join(part for part in parts if part)
