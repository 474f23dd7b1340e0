"""Reusing parsed fonts in fpdf2: the one module of the letters that uses fpdf2's private names.

fpdf2 parses a TrueType file on every `add_font` and runs fontTools' subsetter on every
`output`: some 350 ms a letter for DejaVu Sans. Here each style is parsed once per process,
with its metrics and a fixed subset (the base character set below: Latin with Norwegian and
Sámi letters, punctuation, currency) prepared once; every letter gets a copy of the parsed
font with that subset's codes already assigned, and embeds the prepared subset. A letter
that uses a character outside the base set takes fpdf2's own path for that style (a fresh
parse of the full font, subset to what the letter uses): slower, equally correct.

What this relies on in fpdf2 (pinned to 2.8.x in pyproject.toml) is listed in
`FPDF2_INTERNALS`; tests/letters/test_pdf_fonts.py fails with a clear message when an fpdf2
upgrade changes any of it.
"""

from __future__ import annotations

import copy
import threading
import zlib
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import Any, TypeGuard

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont
from fpdf.output import CIDSystemInfo, OutputProducer, PDFFont
from fpdf.syntax import Name, PDFArray, PDFContentStream

__all__ = ["FAMILY", "FONT_DIR", "FPDF2_INTERNALS", "STYLES", "FontFace", "font_faces", "output"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "dejavu"
STYLES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}

#: fpdf2's private names this module uses, by the class that has them.
FPDF2_INTERNALS: dict[type, tuple[str, ...]] = {
    OutputProducer: ("_add_fonts", "_add_pdf_obj"),
    SubsetMap: ("_char_id_per_glyph", "_next", "_reserved"),
}


def _base_codepoints() -> Iterable[int]:
    yield from range(0x20, 0x7F)  # ASCII
    yield from range(0xA0, 0x180)  # Latin-1 and Latin Extended-A: æøå, á č đ ŋ š ŧ ž
    yield from (0x1B7, 0x292, 0x2B9)  # Ʒ ʒ ʹ (Skolt Sámi)
    yield from range(0x1E4, 0x1F0)  # Ǥǥ Ǧǧ Ǩǩ Ǫǫ Ǭǭ Ǯǯ (Skolt and Inari Sámi)
    yield from range(0x218, 0x21C)  # Ș ș Ț ț
    yield from range(0x2C6, 0x2DE)  # spacing accents
    yield from range(0x2010, 0x2050)  # dashes, quotes, bullet, ellipsis, per mille, primes
    yield from (0x20AC, 0x2116, 0x2122, 0x2212, 0x2190, 0x2192, 0x2248, 0x2264, 0x2265)


# The same tables fpdf2 drops when it subsets (layout tables a PDF does not use).
_DROP_TABLES = ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC"]
_DROP_TABLES += ["EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR", "kern", "LTSH", "VDMX"]


class _Widths(dict[str, int]):
    """Advance widths by character, in 1/1000 em; unknown characters get the font's default."""

    def __init__(self, widths: dict[str, int], missing: int) -> None:
        super().__init__(widths)
        self.missing = missing

    def __missing__(self, key: str) -> int:
        return self.missing


class FontFace:
    """One style of DejaVu Sans: widths for layout, and its base subset ready to embed."""

    def __init__(self, style: str, path: Path) -> None:
        self.style = style
        self.path = path
        self.data = path.read_bytes()
        host = FPDF()
        host.add_font(FAMILY, style, str(path))
        master = host.fonts[FAMILY + style]
        assert isinstance(master, TTFFont)
        master.close()  # a letter that needs the whole font opens its own copy
        self.master = master
        widths = {chr(codepoint): int(width) for codepoint, width in master.cw.items()}
        self.widths = _Widths(widths, int(master.desc.missing_width))
        # the codes the base subset's characters get, in order, as fpdf2 would pick them
        self.seed = SubsetMap(master)
        for codepoint in sorted(set(_base_codepoints())):
            if codepoint in master.glyph_ids:
                self.seed.pick(codepoint)
        SubsetMap.pick.cache_clear()  # fpdf2's process-wide memory of picks
        SubsetMap.get_glyph.cache_clear()
        self._prepare_embedding()

    def text_width(self, text: str, size_pt: float) -> float:
        """Width of `text` in points at `size_pt`, as fpdf2 measures it (no shaping)."""
        return sum(map(self.widths.__getitem__, text)) * size_pt / 1000

    def document_font(self, index: int) -> TTFFont:
        """The parsed font for one new letter, numbered `index` among the letter's fonts,
        with the base subset's codes already assigned."""
        font = copy.copy(self.master)
        font.i = index
        font.desc = copy.copy(self.master.desc)  # numbered and named per letter on output
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        subset = copy.copy(self.seed)
        subset.font = font
        subset._char_id_per_glyph = dict(self.seed._char_id_per_glyph)
        subset._reserved = list(self.seed._reserved)
        font.subset = subset
        return font

    def made(self, font: object) -> TypeGuard[TTFFont]:
        """Whether `font` is one of this face's `document_font`s (it shares the parse)."""
        return isinstance(font, TTFFont) and font.glyph_ids is self.master.glyph_ids

    def fits_base(self, font: TTFFont) -> bool:
        """Whether the letter used only characters of the prepared base subset (and the font
        is one fpdf2 writes as a plain TrueType font, as `embed` does)."""
        plain = not (font.color_font or font.is_symbol or font.is_cff)
        return plain and len(font.subset) == len(self.seed) and not font.missing_glyphs

    def _prepare_embedding(self) -> None:
        font = ttLib.TTFont(BytesIO(self.data), recalcTimestamp=False)
        options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, hinting=False)
        options.drop_tables += _DROP_TABLES
        subsetter = ftsubset.Subsetter(options)
        glyphs = {glyph: code for glyph, code in self.seed.items() if glyph is not None}
        subsetter.populate(glyphs=[glyph.glyph_name for glyph in glyphs])
        subsetter.subset(font)
        gid_by_code = {code: font.getGlyphID(glyph.glyph_name) for glyph, code in glyphs.items()}
        buffer = BytesIO()
        font.save(buffer)
        font.close()
        raw = buffer.getvalue()
        self._font_file = (zlib.compress(raw, 9), len(raw))

        cid_to_gid = bytearray(2 * 65536)
        for code, gid in gid_by_code.items():
            cid_to_gid[2 * code : 2 * code + 2] = gid.to_bytes(2, "big")
        self._cid_to_gid = zlib.compress(bytes(cid_to_gid), 9)

        pairs = sorted(
            (code, glyph.unicode)
            for glyph, code in glyphs.items()
            if isinstance(glyph.unicode, tuple) and glyph.unicode
        )
        entries = [f"<{code:04X}> <{''.join(f'{u:04X}' for u in uni)}>" for code, uni in pairs]
        blocks = "".join(
            f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n"
            for chunk in (entries[start : start + 100] for start in range(0, len(entries), 100))
        )
        cmap = (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            f"{blocks}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
        )
        self._to_unicode = zlib.compress(cmap.encode("ascii"), 9)
        widths = sorted((code, glyph.glyph_width) for glyph, code in glyphs.items())
        self._widths_array = "[" + " ".join(f"{code} [{width}]" for code, width in widths) + "]"

    def embed(self, producer: OutputProducer, font: TTFFont) -> PDFFont:
        """Add the prepared font objects to a letter being written: the objects fpdf2 writes
        for a TrueType font, with the prepared subset in them."""
        name = f"MPDFAA+{font.name}"
        composite = PDFFont(subtype="Type0", base_font=name, encoding="Identity-H")
        producer._add_pdf_obj(composite, "fonts")
        cid_font = PDFFont(
            subtype="CIDFontType2",
            base_font=name,
            d_w=font.desc.missing_width,
            w=self._widths_array,
        )
        producer._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])
        composite.to_unicode = _deflated_stream(self._to_unicode)
        producer._add_pdf_obj(composite.to_unicode, "fonts")
        cid_font.c_i_d_system_info = CIDSystemInfo()
        producer._add_pdf_obj(cid_font.c_i_d_system_info, "fonts")
        descriptor = font.desc
        descriptor.font_name = Name(name)
        producer._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor
        cid_font.c_i_d_to_g_i_d_map = _deflated_stream(self._cid_to_gid)
        producer._add_pdf_obj(cid_font.c_i_d_to_g_i_d_map, "fonts")
        font_file = _deflated_stream(self._font_file[0])
        font_file.length1 = self._font_file[1]  # type: ignore[attr-defined]
        producer._add_pdf_obj(font_file, "fonts")
        descriptor.font_file2 = font_file  # type: ignore[attr-defined]
        return composite


def _deflated_stream(compressed: bytes) -> PDFContentStream:
    stream = PDFContentStream(contents=compressed, compress=False)
    stream.filter = Name("FlateDecode")
    return stream


class _LetterOutputProducer(OutputProducer):
    """fpdf2's PDF writer, embedding letter fonts from their prepared subsets."""

    def _add_fonts(self, *args: Any, **kwargs: Any) -> Any:
        fonts = self.fpdf.fonts
        faces = font_faces()
        prepared: dict[str, tuple[FontFace, TTFFont]] = {}
        for key, font in fonts.items():
            face = faces.get(key.removeprefix(FAMILY)) if key.startswith(FAMILY) else None
            if face is not None and face.made(font):
                if face.fits_base(font):
                    prepared[key] = (face, font)
                else:  # fpdf2 subsets the whole font to what the letter uses
                    font.ttfont = ttLib.TTFont(BytesIO(face.data), recalcTimestamp=False, lazy=True)
        everything = dict(fonts)
        for key in prepared:
            del fonts[key]  # `fonts` is the document's own registry: hide these from fpdf2
        try:
            objects = super()._add_fonts(*args, **kwargs)
        finally:
            fonts.clear()
            fonts.update(everything)
        for face, font in sorted(prepared.values(), key=lambda pair: pair[1].i):
            objects[font.i] = face.embed(self, font)
        SubsetMap.pick.cache_clear()  # as fpdf2 does after its own fonts: let the letter go
        SubsetMap.get_glyph.cache_clear()
        return objects


def use_prepared_fonts(pdf: FPDF, styles: Iterable[str]) -> None:
    """Give the document DejaVu Sans in these styles (registered as fpdf2's `add_font` would),
    without parsing anything."""
    faces = font_faces()
    for number, style in enumerate(sorted(styles), start=len(pdf.fonts) + 1):
        pdf.fonts[FAMILY + style] = faces[style].document_font(number)


def output(pdf: FPDF) -> bytes:
    """The document's bytes, its prepared fonts embedded as prepared."""
    return bytes(pdf.output(output_producer_class=_LetterOutputProducer))


_faces: dict[str, FontFace] = {}
_faces_lock = threading.Lock()


def font_faces() -> dict[str, FontFace]:
    """The four styles of the bundled DejaVu Sans, parsed on first use, shared by every letter."""
    with _faces_lock:
        if not _faces:
            _faces.update(
                {style: FontFace(style, FONT_DIR / name) for style, name in STYLES.items()}
            )
        return _faces
