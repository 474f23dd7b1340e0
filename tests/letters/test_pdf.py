"""PDF letters: text comes through (Norwegian and Sámi letters too), output is deterministic."""

from __future__ import annotations

import copy
import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import pytest
from fpdf import FPDF
from fpdf.actions import NamedAction, URIAction
from fpdf.annotations import AnnotationDict
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import PDFCatalog, PDFPage, PDFPagesRoot
from fpdf.syntax import PDFArray, PDFContentStream, PDFDate, PDFObject
from pypdf import PdfReader

from runner.kommuner.settings import KommuneSettings
from runner.letters import LetterTemplates, PdfRenderer
from runner.letters.layout import LineOp, TextOp, Typesetter
from runner.letters.pdf import _draw_page, _LinkAnnotation, _Pen
from runner.letters.pdf_fonts import (
    FAMILY,
    FontFace,
    LetterOutputProducer,
    _Remembered,
    font_faces,
)
from runner.letters.pdf_objects import QUICK_CLASSES, QuickDict

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


LONG_BODY = "# Langt brev\n\n" + "\n\n".join(
    f"{n}: Ein lang paragraf med [lenke](https://lovdata.no/{n}) og **feit** tekst. " * 6
    for n in range(12)
)


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_text_written_directly_matches_fpdf2s_own_path(
    renderer: PdfRenderer,
    kommune: KommuneSettings,
    templates: LetterTemplates,
    make_context: Callable[..., dict[str, Any]],
    malform: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Text and lines are written to the page without FPDF's methods: the bytes must be
    exactly those fpdf2 writes (escaped parentheses and backslashes, fonts switched
    mid-line, characters outside the subset, links, rules and table lines of several
    widths, page furniture on later pages)."""
    bodies = [
        BODY,
        "# Brev (utkast)\n\nTekst med (parentes), back\\\\slash og **feit (tekst)** *her*.\n",
        "# Brev\n\nFørst vanleg tekst.\n\nGresk Ωμέγα midt i, og så vanleg: æøå áčđŋšŧž.\n\n---\n",
        LONG_BODY,
        *(
            templates.render(f"byggesak/{outcome}", malform, make_context(outcome)).markdown
            for outcome in ("innvilget", "avslag", "mangler_dokumentasjon")
        ),
    ]
    direct = [render(renderer, kommune, body, malform=malform) for body in bodies]
    with monkeypatch.context() as patched:
        patched.setattr(_Pen, "draw", _Pen.with_fpdf2)
        assert [render(renderer, kommune, body, malform=malform) for body in bodies] == direct
    monkeypatch.setattr(FontFace, "encode", lambda self, text: None)
    assert [render(renderer, kommune, body, malform=malform) for body in bodies] == direct


def test_remembered_lines_give_the_same_letters(
    kommune: KommuneSettings,
    templates: LetterTemplates,
    make_context: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A renderer remembers how it broke paragraphs into lines; a letter comes out the same
    from a renderer that has seen it (or parts of it, at other widths) as from a new one."""
    bodies = [
        templates.render(f"byggesak/{outcome}", malform, make_context(outcome)).markdown
        for outcome in ("innvilget", "avslag", "ikke_soknadspliktig", "mangler_dokumentasjon")
        for malform in ("nb", "nn")
    ]
    long = "Søknaden er innvilga etter plan- og bygningslova § 20-4, og løyvet gjeld i tre år. " * 2
    bodies.append(f"| {long} | {long} |\n|---|---|\n| a | {long} |\n")
    bodies.append(f"- {long}\n  - {long}\n    - {long}\n\n{long}\n")
    seasoned = PdfRenderer()
    for body in reversed(bodies):
        render(seasoned, kommune, body)
    remembered = [render(seasoned, kommune, body) for body in bodies]
    monkeypatch.setattr(Typesetter, "wrap", Typesetter._wrap)  # every paragraph broken anew
    assert remembered == [render(PdfRenderer(), kommune, body) for body in bodies]


def test_objects_written_by_shortcut_are_what_fpdf2_writes(
    renderer: PdfRenderer,
    kommune: KommuneSettings,
    templates: LetterTemplates,
    make_context: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The font objects' dictionaries are built once per face and reused with new object
    numbers, link annotations are written as the dictionary of a link to a URL, and pages,
    their contents and resources, the catalogue and the document information are written
    from their remembered data names: every letter must still be byte for byte what
    fpdf2's own reflection gives."""
    bodies = [
        BODY,
        "# Berre vanleg tekst\n\nUtan feit eller kursiv.\n",
        "# Lenkje\n\n[Parentes](https://lovdata.no/a_(b)) og [e-post](mailto:post@askoy.no).\n",
        LONG_BODY,
        *(
            templates.render(f"byggesak/{outcome}", "nb", make_context(outcome)).markdown
            for outcome in ("innvilget", "mangler_dokumentasjon")
        ),
    ]
    remembered = [render(renderer, kommune, body) for body in bodies * 2]
    monkeypatch.setattr(_Remembered, "_build_obj_dict", PDFObject._build_obj_dict)
    monkeypatch.setattr(_LinkAnnotation, "serialize", AnnotationDict.serialize)
    monkeypatch.setattr(QuickDict, "_build_obj_dict", PDFObject._build_obj_dict)
    assert remembered == [render(renderer, kommune, body) for body in bodies * 2]


@pytest.mark.parametrize(
    ("link", "extra"),
    [
        ("https://lovdata.no/lov/2008-06-27-71/%C2%A720-4", {}),
        ("https://lovdata.no/a_(b)\\c", {}),
        ("https://lovdata.no/§20-4", {}),  # not ASCII: written in hex
        ("https://lovdata.no/", {"border_width": 1}),
        ("https://lovdata.no/", {"color": (1, 0, 0)}),
        ("#vedlegg", {}),  # a named destination: no action
    ],
)
def test_link_annotations_are_what_fpdf2_writes(link: str, extra: dict[str, Any]) -> None:
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    annotation = pdf.link(25.0, 80.0, 30.0, 4.0, link, **extra)
    expected = annotation.serialize()
    annotation.__class__ = _LinkAnnotation
    assert annotation.serialize() == expected
    assert annotation.serialize() == expected  # the action as remembered
    annotation.m = PDFDate(datetime(2026, 9, 22, tzinfo=UTC))  # not in the slots
    assert annotation.serialize() == AnnotationDict.serialize(annotation)
    if isinstance(annotation.a, URIAction):
        annotation.m = None
        annotation.a.next = NamedAction("NextPage")
        assert annotation.serialize() == AnnotationDict.serialize(annotation)


def test_quick_dictionaries_are_what_fpdf2_reflection_gives() -> None:
    """Also for values a letter does not have: zero, empty, added after construction."""
    root = PDFPagesRoot(count=0, media_box="")
    root.kids = PDFArray()
    page = PDFPage(duration=0, transition=None, contents=bytearray(), index=1)
    page.struct_parents = 0
    page.parent = root
    plain_stream = PDFContentStream(contents=b"", compress=True)
    stream = PDFContentStream(contents=b"", compress=True)
    stream.added_later = 0  # type: ignore[attr-defined]  # another shape of the same class
    catalog = PDFCatalog(lang="")
    catalog.names = ""
    catalog.open_action = "[3 0 R /FitH null]"
    for number, obj in enumerate([root, page, plain_stream, stream, catalog], start=1):
        obj.id = number
        expected = PDFObject._build_obj_dict(obj)
        obj.__class__ = QUICK_CLASSES[type(obj)]
        assert obj._build_obj_dict() == expected
        assert list(obj._build_obj_dict()) == list(expected)  # in the same order


def _page_drawn(setup: Callable[[FPDF], None], ops: list[TextOp | LineOp]) -> bytes:
    """A page with `ops` drawn on it by `_draw_page`, after `setup` has changed fpdf2's state."""
    faces = font_faces()
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(datetime(2026, 9, 22, 12, 0, tzinfo=UTC))
    for number, style in enumerate(("", "B"), start=1):
        pdf.fonts[FAMILY + style] = faces[style].document_font(number)
    pdf.add_page()
    setup(pdf)
    _draw_page(pdf, [(10.0, ops), (20.0, ops)], faces)
    return bytes(pdf.output(output_producer_class=LetterOutputProducer))


@pytest.mark.parametrize(
    "setup",
    [
        lambda pdf: None,
        lambda pdf: pdf.set_text_color(200, 0, 0),  # not the fill colour: fpdf2 wraps text
        lambda pdf: pdf.set_font(FAMILY, "B", 12),
        lambda pdf: (pdf.set_font(FAMILY, "", 10), pdf.text(5, 5, "x")),  # font on page
    ],
    ids=["plain", "coloured", "font-selected", "font-on-page"],
)
def test_pen_writes_what_fpdf2_writes_from_any_state(
    setup: Callable[[FPDF], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pen starts from whatever state fpdf2 is in, keeps a size fpdf2 would round to
    the current one, and leaves fpdf2 in the state its own calls would."""
    ops: list[TextOp | LineOp] = [
        TextOp(25.0, 5.0, "Først", "", 10.0),
        TextOp(40.0, 5.0, "nesten same storleik", "", 10.0 + 1e-12),
        TextOp(90.0, 5.0, "lenke", "", 10.0, "https://lovdata.no/", 9.0),
        TextOp(110.0, 5.0, "feit", "B", 10.0),
        LineOp(25.0, 7.0, 190.0, 7.0, 0.3),
        TextOp(25.0, 9.0, "(parentes) \\", "B", 10.0),
    ]
    direct = _page_drawn(setup, ops)
    monkeypatch.setattr(_Pen, "draw", _Pen.with_fpdf2)
    assert _page_drawn(setup, ops) == direct


def test_fpdf2_still_sums_up_section_sizes_when_debugging(
    renderer: PdfRenderer, kommune: KommuneSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """fpdf2 measures objects by section only for its debug log; the letter is the same."""
    quiet = render(renderer, kommune, BODY)
    with caplog.at_level(logging.DEBUG, logger="fpdf.output"):
        assert render(renderer, kommune, BODY) == quiet
    summary = [record.getMessage() for record in caplog.records if record.name == "fpdf.output"]
    assert any(line.startswith("- pages: ") for line in summary)
    assert any(line.startswith("- fonts: ") for line in summary)


def test_letter_font_objects_have_all_that_fpdf2s_have() -> None:
    """A letter's font object is put together attribute by attribute: it must have every
    attribute fpdf2's own objects get (a newer fpdf2 may add some)."""
    face = font_faces()["B"]
    font = face.document_font(3)
    host = FPDF()
    host.add_font(FAMILY, "B", str(face.path))
    parsed = host.fonts[FAMILY + "B"]
    assert isinstance(parsed, TTFFont)
    parsed.ttfont.close()
    for slot in TTFFont.__slots__:
        if slot != "ttfont":  # opened only if the letter needs fpdf2's own subsetting
            assert hasattr(font, slot) or not hasattr(parsed, slot), slot
    assert type(font.desc) is type(face.master.desc)
    assert vars(font.desc) == vars(copy.copy(face.master.desc))
    assert font.desc is not face.master.desc
    assert set(vars(font.subset)) == set(vars(SubsetMap(font)))
    assert font.subset._char_id_per_glyph == face._seed_glyphs
    assert font.subset._char_id_per_glyph is not face._seed_glyphs
    SubsetMap.get_glyph.cache_clear()
