"""The welfare letters: both målformer, the calculation as a table, appeal and deadlines."""

from __future__ import annotations

import html
import random
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from demo.synthetic import sosialhjelp_case
from runner.drafting import letter_context
from runner.letters import LetterTemplates, appeal_deadline, markdown_to_html
from runner.letters.blocks import Block, markdown_blocks
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
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, letter: str, malform: str
) -> tuple[str, dict[str, object]]:
    received = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    case = sosialhjelp_case(random.Random(7), SCENARIO[letter], reference="SH-2026-000001",
                            received_at=received, malform="nb")  # fmt: skip
    evaluation = evaluate_case(rule_set, settings, case)
    context = letter_context(
        case=case, evaluation=evaluation, kommune=settings.kommune, malform=malform,
        automatic=False, letter_date=TODAY, appeal_deadline=appeal_deadline(TODAY, 3),
        case_type="sosialhjelp",
        document_rules=["inntekt_dokumentert", "boutgifter_dokumentert"],
    )  # fmt: skip
    return templates.render(f"sosialhjelp/{letter}", malform, context).markdown, case


def _letter(
    templates: LetterTemplates, rule_set: RuleSet, settings: Settings, letter: str, malform: str
) -> tuple[str, dict[str, object]]:
    markdown, case = _markdown(templates, rule_set, settings, letter, malform)
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
    assert "Barnetrygd" in text and "Statsforvaltaren i Vestland" in text
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
