"""The byggesak letters: every outcome renders in bokmål and nynorsk with what the law asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from runner.letters import LetterTemplates, markdown_to_html
from runner.settings import CONTENT_ROOT

from .conftest import OUTCOMES, sample_case

Context = Callable[..., dict[str, Any]]
DECISIONS = [outcome for outcome in OUTCOMES if outcome != "mangler_dokumentasjon"]
AUTOMATIC = {"nb": "Vedtaket er fattet automatisk", "nn": "Vedtaket er gjort automatisk"}


def _text(templates: LetterTemplates, outcome: str, malform: str, context: dict[str, Any]) -> str:
    """The letter as a reader sees it: the HTML's text with no-break spaces made plain."""
    markdown = templates.render(f"byggesak/{outcome}", malform, context).markdown
    html = markdown_to_html(markdown)
    return html.replace("\u00a0", " ").replace("\u202f", " ").replace("&amp;", "&")


def test_every_letter_has_both_malforms() -> None:
    folder = CONTENT_ROOT / "templates" / "byggesak"
    for outcome in OUTCOMES:
        for malform in ("nb", "nn"):
            assert (folder / f"{outcome}.{malform}.md.j2").is_file()


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_nb_and_nn_read_the_same_placeholders(templates: LetterTemplates, outcome: str) -> None:
    bokmal = templates.placeholders(f"byggesak/{outcome}", "nb")
    nynorsk = templates.placeholders(f"byggesak/{outcome}", "nn")
    assert bokmal == nynorsk, f"only nb: {bokmal - nynorsk}; only nn: {nynorsk - bokmal}"
    assert {"case", "kommune", "reference"} <= bokmal


@pytest.mark.parametrize("malform", ["nb", "nn"])
@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"decision_automatic": False, "fee": None, "fee_reference": None},
        {"fee": 0, "missing_documents": [], "failed_rules": []},
        {"case": "odd"},
    ],
    ids=["full", "reviewed-no-fee", "zero-fee-nothing-missing", "odd-case"],
)
def test_every_template_renders(
    templates: LetterTemplates,
    make_context: Context,
    outcome: str,
    malform: str,
    variant: dict[str, Any],
) -> None:
    context = make_context(outcome)
    overrides = dict(variant)
    if overrides.pop("decision_automatic", True) is False:
        context["decision"] = {**context["decision"], "automatic": False}
    if overrides.pop("case", None) == "odd":
        context["case"] = sample_case(
            measure__kind="levegg",
            measure__length_m=9.5,
            measure__description="",
            plan__conforms=None,
            plan__plan_id=None,
            property__fnr=2,
            neighbour_notice__sent_on=None,
        )
    context.update(overrides)
    draft = templates.render(f"byggesak/{outcome}", malform, context)
    assert draft.markdown.startswith("# ")
    assert draft.title
    assert "\n\n\n" not in draft.markdown
    assert "None" not in draft.markdown and "True" not in draft.markdown


APPEAL = {"nb": "Statsforvalteren i Vestland", "nn": "Statsforvaltaren i Vestland"}


@pytest.mark.parametrize("malform", ["nb", "nn"])
@pytest.mark.parametrize("outcome", DECISIONS)
def test_decisions_state_facts_rules_appeal_and_access(
    templates: LetterTemplates, make_context: Context, outcome: str, malform: str
) -> None:
    text = _text(templates, outcome, malform, make_context(outcome, appeal_body=APPEAL[malform]))
    # What was applied for (§ 25: the facts)
    for fact in ("gnr. 3 bnr. 118", "Kleppevegen 7, 5300 Kleppestø", "garasje", "42,5 m²"):
        assert fact in text
    # The appeal (§ 27): weeks, exact date, where to send it, who decides
    weeks = "3 uker" if malform == "nb" else "3 veker"
    assert weeks in text
    assert "12. februar 2026" in text
    assert "Postboks 323, 5323 Kleppestø" in text
    assert APPEAL[malform] in text  # the appeal body written in the letter's målform
    assert "§§ 28 og 29" in text
    # Access to the documents
    assert "§§ 18 og 19" in text
    # Automatic decision and how to reach a person
    assert AUTOMATIC[malform] in text
    assert "postmottak@askoy.kommune.no" in text and "56 15 80 00" in text
    # Fee
    assert "6 400 kr" in text and "Gebyrregulativ for byggesak 2026" in text


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_reviewed_letter_has_no_automatic_notice_and_no_fee_when_none(
    templates: LetterTemplates, make_context: Context, malform: str
) -> None:
    context = make_context("innvilget", fee=None, fee_reference=None)
    context["decision"] = {**context["decision"], "automatic": False}
    text = _text(templates, "innvilget", malform, context)
    assert AUTOMATIC[malform] not in text
    assert "Gebyr" not in text
    context["fee"] = 0
    assert "Gebyr" not in _text(templates, "innvilget", malform, context)


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_grant_lists_met_rules_with_legal_basis_and_conditions(
    templates: LetterTemplates, make_context: Context, malform: str
) -> None:
    markdown = templates.render("byggesak/innvilget", malform, make_context()).markdown
    html = markdown_to_html(markdown)
    assert "Bebygd areal er høgst 70 m²" in html and "Eigedomen er bebygd" in html
    assert "Avstand til nabogrensa" not in html  # a grant shows the rules that were met
    assert 'href="https://lovdata.no/forskrift/2010-03-26-488/%C2%A73-1"' in html
    assert "SAK10 § 3-1 første ledd bokstav a" in html
    assert "3 år" in html and "§ 21-9" in html
    assert ("innvilget" if malform == "nb" else "innvilga") in html
    # A § 20-4 permit ends with a ferdigattest (pbl. § 21-10); a free-standing building
    # applied for without ansvarsrett may not be used for habitation (SAK10 § 3-1).
    assert "ferdigattest" in html and "§ 21-10" in html and "kartgrunnlaget" not in html
    assert ("kan ikke brukes til beboelse" if malform == "nb" else "nyttast til å bu i") in html
    extension = make_context()
    measure = {**extension["case"]["measure"], "kind": "tilbygg"}
    extension["case"] = {**extension["case"], "measure": measure}
    html = markdown_to_html(templates.render("byggesak/innvilget", malform, extension).markdown)
    # no such condition for a tilbygg
    assert "kan ikke brukes til beboelse" not in html and "nyttast til å bu i" not in html
    if malform == "nn":
        for word in ("løyve", "søkjar", "Grunngjeving"):
            assert word in html


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_refusal_explains_the_failed_rules(
    templates: LetterTemplates, make_context: Context, malform: str
) -> None:
    text = _text(templates, "avslag", malform, make_context("avslag"))
    assert "Avstand til nabogrensa" in text and "pbl. § 29-4" in text
    assert "minst 4 m" in text
    assert "Tiltaket følgjer arealplanen" in text
    assert ("ikke avklart" if malform == "nb" else "ikkje avklart") in text
    assert "§ 19-2" in text


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_rejection_points_to_an_application_with_ansvarsrett(
    templates: LetterTemplates, make_context: Context, malform: str
) -> None:
    text = _text(templates, "avvist", malform, make_context("avvist"))
    assert "§ 20-3" in text and "ansvarsrett" in text
    assert ("ansvarlig søker" if malform == "nb" else "ansvarleg søkjar") in text


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_exempt_letter_puts_responsibility_on_the_owner(
    templates: LetterTemplates, make_context: Context, malform: str
) -> None:
    text = _text(templates, "ikke_soknadspliktig", malform, make_context("ikke_soknadspliktig"))
    assert "§ 20-5" in text and "§ 4-1" in text
    assert ("ansvarlig" if malform == "nb" else "ansvarleg") in text
    assert "kartgrunnlaget" in text  # position report for an exempt building
    # The answer to an application is a decision (enkeltvedtak, fvl. § 2), open to appeal
    # also by neighbours; the exemption's conditions are stated.
    assert "enkeltvedtak" in text and ("naboer" if malform == "nb" else "naboar") in text
    assert "§ 4-1 første ledd bokstav a" in text


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_missing_documents_letter_is_not_an_appealable_decision(
    templates: LetterTemplates, make_context: Context, malform: str
) -> None:
    text = _text(templates, "mangler_dokumentasjon", malform, make_context("mangler_dokumentasjon"))
    assert "Situasjonsplan" in text and "Teikningar av fasadane" in text
    assert "§ 21-7" in text
    assert ("ikke et vedtak" if malform == "nb" else "ikkje eit vedtak") in text
    assert "Klagefristen" not in text and "12. februar 2026" not in text
    assert "BS-2026-000417" in text


@pytest.mark.parametrize("malform", ["nb", "nn"])
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_applicant_text_in_the_case_stays_literal(
    templates: LetterTemplates, make_context: Context, outcome: str, malform: str
) -> None:
    evil = "<script>x</script> **fet** [lenke](javascript:alert(1)) {{ 7*7 }}"
    context = make_context(outcome)
    context["case"] = sample_case(measure__use=evil, measure__description=evil)
    html = markdown_to_html(templates.render(f"byggesak/{outcome}", malform, context).markdown)
    assert "<script>" not in html and "<strong>fet</strong>" not in html
    assert "javascript:" not in html.replace("(javascript:alert(1))", "")
    assert "{{ 7*7 }}" in html and "49" not in html
