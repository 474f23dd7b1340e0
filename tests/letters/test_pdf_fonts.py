"""Parsed fonts reused in fpdf2 (runner/letters/pdf_fonts.py, the one module of the letters that
uses fpdf2's private names): these tests fail loudly when an fpdf2 upgrade breaks that."""

from __future__ import annotations

import copy
import inspect
from io import BytesIO
from typing import Any

import fpdf
import pytest
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import OutputProducer
from pypdf import PdfReader

from runner.letters import pdf_fonts
from runner.letters.pdf_fonts import FAMILY, FPDF2_INTERNALS, STYLES, font_faces

UPGRADE = (
    f"fpdf2 {fpdf.__version__} changed what runner/letters/pdf_fonts.py relies on to reuse "
    "parsed fonts: adapt that module to it (or keep fpdf2 pinned in pyproject.toml)"
)


def _instance_of(cls: type) -> object:
    if cls is SubsetMap:
        return font_faces()[""].seed
    return cls


@pytest.mark.parametrize(
    ("cls", "names"), FPDF2_INTERNALS.items(), ids=[cls.__name__ for cls in FPDF2_INTERNALS]
)
def test_fpdf2_still_has_the_private_names_used(cls: type, names: tuple[str, ...]) -> None:
    holder = _instance_of(cls)
    for name in names:
        assert hasattr(holder, name), f"{UPGRADE}: {cls.__qualname__}.{name} is gone"


def test_fpdf2_still_calls_the_methods_used_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    add_pdf_obj = inspect.signature(OutputProducer._add_pdf_obj)
    assert list(add_pdf_obj.parameters)[:3] == ["self", "pdf_obj", "trace_label"], UPGRADE
    embedded: list[str] = []
    embed = pdf_fonts.FontFace.embed

    def spy(face: pdf_fonts.FontFace, producer: OutputProducer, font: TTFFont) -> Any:
        embedded.append(face.style)
        return embed(face, producer, font)

    monkeypatch.setattr(pdf_fonts.FontFace, "embed", spy)
    pdf = FPDF()
    pdf_fonts.use_prepared_fonts(pdf, ["B", ""])
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 11)
    pdf.text(25, 30, "Søknaden er innvilga")
    pdf_fonts.output(pdf)
    assert embedded == ["", "B"], f"{UPGRADE}: OutputProducer._add_fonts is no longer used"


def test_a_letter_font_has_everything_a_parsed_font_has() -> None:
    """A letter's font is a copy of the parsed one with its own per-letter state; it must
    have every attribute fpdf2's own parse gives (a newer fpdf2 may add some)."""
    face = font_faces()["B"]
    font = face.document_font(3)
    host = FPDF()
    host.add_font(FAMILY, "B", str(face.path))
    parsed = host.fonts[FAMILY + "B"]
    assert isinstance(parsed, TTFFont)
    parsed.close()
    for slot in TTFFont.__slots__:
        assert hasattr(font, slot) or not hasattr(parsed, slot), f"{UPGRADE}: {slot} unset"
    assert font.i == 3 and font.desc is not face.master.desc
    assert vars(font.desc) == vars(copy.copy(parsed.desc)), UPGRADE
    assert set(vars(font.subset)) == set(vars(SubsetMap(parsed))), UPGRADE
    assert dict(font.subset.items()) == dict(face.seed.items())
    assert font.subset.font is font
    SubsetMap.pick.cache_clear()
    SubsetMap.get_glyph.cache_clear()


def _letter(use_fonts: Any) -> bytes:
    pdf = FPDF(unit="mm", format="A4")
    use_fonts(pdf)
    pdf.add_page()
    for line, style in enumerate(STYLES):
        pdf.set_font(FAMILY, style, 11)
        pdf.text(25, 30 + 10 * line, f"Søknaden er innvilga ({style or 'vanleg'}): æøå čđŋšŧž")
    pdf.set_font(FAMILY, "", 11)
    pdf.text(25, 80, "Gresk Ωμέγα, kyrillisk Жюль")  # outside the prepared subset
    return pdf_fonts.output(pdf)


def _prepared(pdf: FPDF) -> None:
    pdf_fonts.use_prepared_fonts(pdf, STYLES)


def _parsed_by_fpdf2(pdf: FPDF) -> None:
    for style in sorted(STYLES):
        pdf.add_font(FAMILY, style, str(pdf_fonts.FONT_DIR / STYLES[style]))


def _fonts_and_text(letter: bytes) -> tuple[set[str], str]:
    (page,) = PdfReader(BytesIO(letter)).pages
    fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    return names, page.extract_text()


def test_letters_with_reused_fonts_read_as_fpdf2s_own() -> None:
    """Two letters in a row with the prepared fonts: valid PDFs, every font embedded as a
    subset, the same text as with fonts fpdf2 parses itself."""
    first, second = _letter(_prepared), _letter(_prepared)
    assert first == second
    expected = _fonts_and_text(_letter(_parsed_by_fpdf2))
    assert _fonts_and_text(first) == expected, UPGRADE
    assert "Gresk Ωμέγα, kyrillisk Жюль" in expected[1]
    assert "Søknaden er innvilga (BI): æøå čđŋšŧž" in expected[1]
    reader = PdfReader(BytesIO(first))
    fonts: Any = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
    for font in fonts.values():
        descendant: Any = font.get_object()["/DescendantFonts"][0].get_object()
        font_file = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
        assert 10_000 < len(font_file.get_data()) < 100_000, UPGRADE  # a subset
