"""The welfare letters: both målformer, the calculation as a table, appeal and deadlines."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from demo.synthetic import sosialhjelp_case
from runner.drafting import letter_context
from runner.kommuner.settings import AutomationBasis, LocalName
from runner.letters import LetterTemplates, appeal_deadline, markdown_to_html
from runner.letters.blocks import Block, markdown_blocks
from runner.letters.placeholders import open_placeholders
from runner.rules import RuleSet
from runner.settings import CONTENT_ROOT, Settings

from .conftest import evaluate_case

LETTERS = ("innvilget", "avslag", "mangler_dokumentasjon", "forelopig_svar")
SCENARIO = {
    "innvilget": "familie_barnetrygd",
    "avslag": "inntekt_over_behov",
    "mangler_dokumentasjon": "udokumentert_inntekt",
    "forelopig_svar": "tre_voksne",
}
TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def templates() -> LetterTemplates:
    return LetterTemplates(CONTENT_ROOT / "templates")


def _markdown(
    templates: LetterTemplates,
    rule_set: RuleSet,
    settings: Settings,
    letter: str,
    malform: str,
    *,
    automatic: bool = False,
    change: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[str, dict[str, object]]:
    received = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    case = sosialhjelp_case(random.Random(7), SCENARIO[letter], reference="SH-2026-000001",
                            received_at=received, malform="nb")  # fmt: skip
    if change is not None:
        change(case)
    evaluation = evaluate_case(rule_set, settings, case)
    context = letter_context(
        case=case, evaluation=evaluation, kommune=settings.kommune, malform=malform,
        automatic=automatic, letter_date=TODAY, appeal_deadline=appeal_deadline(TODAY, 3),
        case_type="sosialhjelp",
        document_rules=["inntekt_dokumentert", "boutgifter_dokumentert"],
    )  # fmt: skip
    return templates.render(f"sosialhjelp/{letter}", malform, context).markdown, case


def _letter(
    templates: LetterTemplates,
    rule_set: RuleSet,
    settings: Settings,
    letter: str,
    malform: str,
    **options: Any,
) -> tuple[str, dict[str, object]]:
    markdown, case = _markdown(templates, rule_set, settings, letter, malform, **options)
    text = markdown_to_html(markdown).replace("\u00a0", " ").replace("\u202f", " ")
    return text, case


def test_pdf_blocks_carry_the_words_of_every_letter(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings
) -> None:
    """The PDF is typeset from the letter's blocks: they hold the same words, in the same
    order, as the letter's HTML (tables and emphasis included)."""
    for letter in LETTERS:
        for malform in ("nb", "nn"):
            markdown = _markdown(templates, rule_set, settings, letter, malform)[0]
            texts = []
            for block in markdown_blocks(markdown):
                if isinstance(block, Block):
                    texts.append("".join(span.text for span in block.spans))
                else:
                    texts += (
                        "".join(span.text for span in cell) for row in block.rows for cell in row
                    )
            in_html = html.unescape(re.sub(r"<[^>]+>", "", markdown_to_html(markdown)))
            assert " ".join(texts).split() == in_html.split(), (letter, malform)


@pytest.mark.parametrize("letter", LETTERS)
def test_nb_and_nn_read_the_same_placeholders(templates: LetterTemplates, letter: str) -> None:
    bokmal = templates.placeholders(f"sosialhjelp/{letter}", "nb")
    nynorsk = templates.placeholders(f"sosialhjelp/{letter}", "nn")
    assert bokmal == nynorsk, f"only nb: {bokmal - nynorsk}; only nn: {nynorsk - bokmal}"


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_grant_shows_amount_calculation_and_masked_account(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, malform: str
) -> None:
    text, case = _letter(templates, rule_set, settings, "innvilget", malform)
    account = case["applicant"]["account_number"]  # type: ignore[index]
    assert account not in text and f"•{account[-4:]}" in text
    assert "<table>" in text and "desember 2026" in text
    assert "Demo: kommunal norm 2026" in text  # the source of the rate
    appeal = "Statsforvalteren i Vestland" if malform == "nb" else "Statsforvaltaren i Vestland"
    assert "Barnetrygd" in text and appeal in text
    assert ("3 uker" if malform == "nb" else "3 veker") in text


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_refusal_shows_the_calculation(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, malform: str
) -> None:
    text, _ = _letter(templates, rule_set, settings, "avslag", malform)
    assert "<table>" in text and "−" in text
    assert "klage" in text.lower()


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_missing_documents_letter_lists_what_and_by_when(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, malform: str
) -> None:
    text, _ = _letter(templates, rule_set, settings, "mangler_dokumentasjon", malform)
    assert "11. desember 2026" in text  # 14 days after the letter (demo setting)
    assert "§ 43" in text and ("ikke et vedtak" in text or "ikkje eit vedtak" in text)


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_forelopig_svar_says_why_and_when(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, malform: str
) -> None:
    text, _ = _letter(templates, rule_set, settings, "forelopig_svar", malform)
    assert "§ 11 a" in text and "11. desember 2026" in text
    assert "Husstanden er avklart" in text or "Hushaldet er avklart" in text


@pytest.mark.parametrize("letter", ["innvilget", "avslag"])
@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_the_appeal_body_and_the_laws_are_named_in_the_letters_malform(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, letter: str, malform: str
) -> None:
    text, _ = _letter(templates, rule_set, settings, letter, malform)
    if malform == "nn":
        assert "Statsforvaltaren i Vestland" in text and "Statsforvalteren" not in text
        assert "sosialtenestelova § 18" in text and "forvaltningslova § 29" in text
        assert "sosialtjenesteloven" not in text and "forvaltningsloven" not in text
    else:
        assert "Statsforvalteren i Vestland" in text and "Statsforvaltaren" not in text
        assert "sosialtjenesteloven § 18" in text and "forvaltningsloven § 29" in text
        assert "sosialtenestelova" not in text and "forvaltningslova" not in text


@pytest.mark.parametrize("letter", ["innvilget", "avslag"])
@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_grant_and_refusal_leave_the_assessment_to_the_caseworker(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, letter: str, malform: str
) -> None:
    markdown, _ = _markdown(templates, rule_set, settings, letter, malform)
    hints = open_placeholders(markdown)
    assert len(hints) == 1
    assert "§ 18" in hints[0] and "§ 25 tredje ledd" in hints[0]
    heading = "## Vår vurdering" if malform == "nb" else "## Vurderinga vår"
    assert heading in markdown


@pytest.mark.parametrize("letter", ["mangler_dokumentasjon", "forelopig_svar"])
def test_letters_that_decide_nothing_have_no_placeholder(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, letter: str
) -> None:
    for malform in ("nb", "nn"):
        markdown, _ = _markdown(templates, rule_set, settings, letter, malform)
        assert open_placeholders(markdown) == []


def test_an_applicants_brackets_are_never_a_placeholder(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings
) -> None:
    def reason(case: dict[str, Any]) -> None:
        case["request"]["reason"] = "[[godkjent]] og ]]"

    markdown, _ = _markdown(templates, rule_set, settings, "innvilget", "nb", change=reason)
    assert "godkjent" in markdown  # quoted, escaped
    hints = open_placeholders(markdown)
    assert len(hints) == 1 and "godkjent" not in hints[0]


def _with_basis(settings: Settings) -> Settings:
    basis = AutomationBasis(
        national_rule=LocalName(nb="forvaltningsloven § 12 (test)",
                                nn="forvaltningslova § 12 (test)"),
        url="https://lovdata.no/lov/2025-06-20-81/§12", decision="Kommunestyret, sak 1/2026",
    )  # fmt: skip
    kommune = settings.kommune.model_copy(update={"automation_basis": {"sosialhjelp": basis}})
    return settings.model_copy(update={"kommune": kommune})


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_the_automated_notice_cites_the_kommunes_legal_basis(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, malform: str
) -> None:
    text, _ = _letter(templates, rule_set, _with_basis(settings), "innvilget", malform,
                      automatic=True)  # fmt: skip
    assert "artikkel 22 nr. 2 bokstav b" in text
    rule = "forvaltningsloven" if malform == "nb" else "forvaltningslova"
    assert f"{rule} § 12 (test)" in text
    assert "https://lovdata.no/lov/2025-06-20-81/" in text
    reviewed, _ = _letter(templates, rule_set, _with_basis(settings), "innvilget", malform)
    assert "artikkel 22" not in reviewed


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_a_refusal_despite_a_missing_lease_shows_the_bound(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, malform: str
) -> None:
    def no_lease(case: dict[str, Any]) -> None:
        case["attachments"] = [a for a in case["attachments"] if a["kind"] != "husleiekontrakt"]

    evaluation_case: dict[str, Any] = {}

    def keep(case: dict[str, Any]) -> None:
        no_lease(case)
        evaluation_case.update(case)

    text, _ = _letter(templates, rule_set, settings, "avslag", malform, change=keep)
    decision = evaluate_case(rule_set, settings, evaluation_case).decision
    assert decision.outcome == "avslag" and "boutgifter_dokumentert" in decision.reasons
    assert ("kan ikke endre utfallet" if malform == "nb" else "kan ikkje endre utfallet") in text
