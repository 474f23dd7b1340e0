"""PDF letters: text comes through (Norwegian and Sámi letters too), output is deterministic."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader

from runner.kommuner.settings import KommuneSettings
from runner.letters import LetterTemplates, PdfRenderer

NORWEGIAN = "æ ø å Æ Ø Å"
SAMI = "á č đ ŋ š ŧ ž Á Č Đ Ŋ Š Ŧ Ž"
BODY = f"""# Vedtak om løyve

Søkjar **Synnøve Testesen** har fått løyve. Norsk: {NORWEGIAN}. Sámi: {SAMI}.

- første punkt med *kursiv*
- andre punkt med [lenke](https://lovdata.no/lov/2008-06-27-71/§20-4)

| Opplysning | Verdi |
|---|--:|
| Bebygd areal | 42,5 m² |
"""


def render(renderer: PdfRenderer, kommune: KommuneSettings, markdown: str, **kw: Any) -> bytes:
    arguments: dict[str, Any] = {
        "letterhead": kommune.letterhead,
        "malform": "nn",
        "title": "Vedtak om løyve",
        "reference": "BS-2026-000417",
        "letter_date": date(2026, 9, 22),
        "recipient": ["Synnøve Testesen", "Kleppevegen 7", "5300 Kleppestø"],
    }
    arguments.update(kw)
    return renderer.render(markdown, **arguments)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text with line breaks and no-break spaces as plain spaces (lines wrap anywhere)."""
    return " ".join(text.replace("\xa0", " ").split())


def test_text_comes_through(renderer: PdfRenderer, kommune: KommuneSettings) -> None:
    pdf = render(renderer, kommune, BODY)
    assert pdf.startswith(b"%PDF-")
    text = flat(pages_text(pdf)[0])
    assert len(pages_text(pdf)) == 1
    for expected in (NORWEGIAN, SAMI, "Synnøve Testesen", "første punkt med kursiv", "42,5 m²"):
        assert expected in text
    for expected in ("BS-2026-000417", "Vår referanse", "22. september 2026", "Kleppevegen 7"):
        assert expected in text
    for expected in ("Askøy kommune", "Byggesak", "Postboks 323, 5323 Kleppestø", "964 338 442"):
        assert expected in text
    assert "Nettstad" in text and "Side 1 av 1" in text


def test_metadata_and_link(renderer: PdfRenderer, kommune: KommuneSettings) -> None:
    reader = PdfReader(BytesIO(render(renderer, kommune, BODY)))
    assert reader.metadata is not None
    assert reader.metadata.title == "Vedtak om løyve"
    assert reader.metadata.subject == "BS-2026-000417"
    assert reader.metadata.author == "Askøy kommune"
    annotations = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    uris = [a["/A"]["/URI"] for a in annotations if "/A" in a]
    assert uris == ["https://lovdata.no/lov/2008-06-27-71/%C2%A720-4"]  # § percent-encoded


def test_a_link_to_a_place_in_the_letter_is_plain_text(
    renderer: PdfRenderer, kommune: KommuneSettings
) -> None:
    """A letter has no named destinations: `[vedlegget](#vedlegg)` (as a caseworker may
    write) is its text, not a link fpdf2 refuses ("Named destination ... never set")."""
    pdf = render(renderer, kommune, "Se [vedlegget](#vedlegg) og [pbl.](https://lovdata.no).\n")
    assert "Se vedlegget og pbl." in flat(pages_text(pdf)[0])
    annotations = [a.get_object() for a in PdfReader(BytesIO(pdf)).pages[0].get("/Annots", [])]
    assert [a["/A"]["/URI"] for a in annotations] == ["https://lovdata.no"]


def test_same_letter_gives_the_same_bytes(renderer: PdfRenderer, kommune: KommuneSettings) -> None:
    first = render(renderer, kommune, BODY)
    second = render(renderer, kommune, BODY)
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    other_day = render(renderer, kommune, BODY, letter_date=date(2026, 9, 23))
    assert other_day != first


def test_fresh_renderer_gives_the_same_bytes(
    renderer: PdfRenderer, kommune: KommuneSettings
) -> None:
    assert render(PdfRenderer(), kommune, BODY) == render(renderer, kommune, BODY)


def test_characters_outside_the_prepared_subset(
    renderer: PdfRenderer, kommune: KommuneSettings
) -> None:
    body = "# Brev\n\nGresk Ωμέγα, kyrillisk Жюль, vietnamesisk Nguyễn og æøå.\n"
    pdf = render(renderer, kommune, body)
    (text,) = pages_text(pdf)
    assert "Ωμέγα" in text and "Жюль" in text and "Nguyễn" in text and "æøå" in text
    assert render(renderer, kommune, body) == pdf
    # ...and the next ordinary letter is back on the prepared subset, unchanged
    assert "Sámi" in pages_text(render(renderer, kommune, BODY))[0]


def test_fonts_are_embedded_subsets(renderer: PdfRenderer, kommune: KommuneSettings) -> None:
    reader = PdfReader(BytesIO(render(renderer, kommune, BODY)))
    resources: Any = reader.pages[0]["/Resources"]
    fonts: Any = resources["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert names == {
        "/MPDFAA+DejaVuSansBook",
        "/MPDFAA+DejaVuSansBold",
        "/MPDFAA+DejaVuSansOblique",
    }
    for font in fonts.values():
        descendant: Any = font.get_object()["/DescendantFonts"][0].get_object()
        font_file = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
        assert 10_000 < len(font_file.get_data()) < 60_000  # a subset, not the whole font


def test_long_letter_breaks_pages_with_page_numbers(
    renderer: PdfRenderer, kommune: KommuneSettings
) -> None:
    paragraph = "Dette er ein lang paragraf som fyller sida med tekst. " * 12
    body = "# Langt brev\n\n" + "\n\n".join(f"{n}: {paragraph}" for n in range(14)) + "\n"
    pages = pages_text(render(renderer, kommune, body))
    assert len(pages) >= 2
    assert f"Side 1 av {len(pages)}" in pages[0]
    assert f"Side {len(pages)} av {len(pages)}" in pages[-1]
    assert "BS-2026-000417" in pages[1]  # the running head on later pages
    joined = "\n".join(pages)
    assert "13: Dette er ein lang paragraf" in joined


def test_title_is_printed_when_the_body_has_none(
    renderer: PdfRenderer, kommune: KommuneSettings
) -> None:
    (text,) = pages_text(render(renderer, kommune, "Berre tekst.\n", title="Melding om vedtak"))
    assert "Melding om vedtak" in text
    (text,) = pages_text(render(renderer, kommune, BODY, title="Anna tittel"))
    assert "Anna tittel" not in text


def test_long_words_and_empty_body_do_not_break_the_layout(
    renderer: PdfRenderer, kommune: KommuneSettings
) -> None:
    word = "x" * 400
    (text,) = pages_text(render(renderer, kommune, f"{word}\n\n---\n\n    kode\n\n> sitat\n"))
    assert text.replace("\n", "").count("x") >= 400
    assert pages_text(render(renderer, kommune, ""))


@pytest.mark.parametrize("malform", ["nb", "nn"])
@pytest.mark.parametrize(
    "outcome", ["ikke_soknadspliktig", "innvilget", "avslag", "avvist", "mangler_dokumentasjon"]
)
def test_shipped_letters_fit_on_one_or_two_pages(
    renderer: PdfRenderer,
    kommune: KommuneSettings,
    templates: LetterTemplates,
    make_context: Callable[..., dict[str, Any]],
    outcome: str,
    malform: str,
) -> None:
    draft = templates.render(f"byggesak/{outcome}", malform, make_context(outcome))
    pdf = render(renderer, kommune, draft.markdown, malform=malform, title=draft.title)
    pages = pages_text(pdf)
    assert 1 <= len(pages) <= 2
    assert "BS-2026-000417" in pages[0] and "gnr. 3 bnr. 118" in pages[0].replace("\xa0", " ")


def test_fpdf2_sums_up_section_sizes_when_debugging(
    renderer: PdfRenderer, kommune: KommuneSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """fpdf2's debug log sums up the letter's objects by section; the letter is the same."""
    quiet = render(renderer, kommune, BODY)
    with caplog.at_level(logging.DEBUG, logger="fpdf.output"):
        assert render(renderer, kommune, BODY) == quiet
    summary = [record.getMessage() for record in caplog.records if record.name == "fpdf.output"]
    assert any(line.startswith("- pages: ") for line in summary)
    assert any(line.startswith("- fonts: ") for line in summary)


def test_links_and_escaped_text_on_every_page_of_a_long_letter(
    renderer: PdfRenderer, kommune: KommuneSettings
) -> None:
    body = "# Langt brev (utkast)\n\n" + "\n\n".join(
        f"{n}: Ein lang paragraf med [lenke](https://lovdata.no/{n}) og **feit (tekst)** \\\\. " * 6
        for n in range(12)
    )
    reader = PdfReader(BytesIO(render(renderer, kommune, body)))
    assert len(reader.pages) >= 2
    uris = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
    ]
    assert set(uris) == {f"https://lovdata.no/{n}" for n in range(12)}
    assert len(uris) >= 12 * 6  # one per piece of linked text (more where a link wraps)
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    assert "Langt brev (utkast)" in text and "feit (tekst) \\." in text
