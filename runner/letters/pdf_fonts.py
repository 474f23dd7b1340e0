"""DejaVu Sans for letter PDFs: parsed once per process, embedded in each letter without re-parsing.

fpdf2 parses a TrueType file on every `add_font` and runs fontTools' subsetter on every
`output`; for a one-page letter that is ~90 % of the time. Here each style is parsed once:
its metrics and a fixed subset (the base character set below: Latin with Norwegian and Sámi
letters, punctuation, currency) are prepared once, and every letter embeds that prepared
subset. A letter that uses a character outside the base set takes fpdf2's own path for
that style (a fresh parse of the full font, subset to what the letter uses): slower,
equally correct.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import Any, Self

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import Glyph, PDFFontDescriptor, SubsetMap, TTFFont
from fpdf.output import CIDSystemInfo, OutputProducer, PDFFont
from fpdf.syntax import Name, PDFArray, PDFContentStream, PDFObject, camel_case
from fpdf.util import escape_parens

from runner.letters.pdf_objects import QUICK_CLASSES

__all__ = ["FAMILY", "FONT_DIR", "STYLES", "FontFace", "LetterOutputProducer", "font_faces"]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "dejavu"
STYLES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
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


_FPDF_OUTPUT_LOG = logging.getLogger("fpdf.output")

# fontTools logs every table it subsets at INFO level: noise in a robot's log, so quieten it
# unless someone has set its level on purpose.
if logging.getLogger("fontTools.subset").level == logging.NOTSET:
    logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

# The same tables fpdf2 drops when it subsets (layout tables a PDF does not use).
_DROP_TABLES = ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "CBDT", "CBLC"]
_DROP_TABLES += ["EBDT", "EBLC", "EBSC", "SVG ", "CPAL", "COLR", "kern", "LTSH", "VDMX"]


#: Words whose widths a face remembers before it starts over (a few MB at most).
_WIDTH_CACHE_SIZE = 50_000
#: Pieces of text whose encoding a face remembers before it starts over (a few MB at most).
_ENCODED_CACHE_SIZE = 20_000


class _Widths(dict[str, int]):
    """Advance widths by character, in 1/1000 em; unknown characters get the font's default."""

    def __init__(self, widths: dict[str, int], missing: int) -> None:
        super().__init__(widths)
        self.missing = missing

    def __missing__(self, key: str) -> int:
        return self.missing


#: What a letter's font object takes over from the parsed font as it is.
_SHARED_ATTRIBUTES = (
    *("type", "name", "glyph_ids", "sp", "ss", "up", "ut", "cw", "ttffile"),
    *("fontkey", "emphasis", "scale", "cmap", "color_font", "palette_index"),
    *("is_compressed", "is_cff", "is_cid_keyed", "is_symbol", "cff_ros"),
    "collection_font_number",
)


class LetterFont(TTFFont):
    """fpdf2's font object for one letter, sharing the parsed data of its `FontFace`."""

    __slots__ = ("face",)
    face: FontFace


class FontFace:
    """One style of DejaVu Sans: metrics for layout, and its base subset ready to embed."""

    def __init__(self, style: str, path: Path) -> None:
        self.style = style
        self.path = path
        self.data = path.read_bytes()
        host = FPDF()
        host.add_font(FAMILY, style, str(path))
        master = host.fonts[FAMILY + style]
        assert isinstance(master, TTFFont)
        master.ttfont.close()  # every later use opens its own copy from self.data
        self.master = master
        #: the parsed font's attributes every letter's font object shares
        self._shared = tuple((attr, getattr(master, attr)) for attr in _SHARED_ATTRIBUTES)
        widths = {chr(codepoint): int(width) for codepoint, width in master.cw.items()}
        self.widths = _Widths(widths, int(master.desc.missing_width))
        self._units: dict[str, int] = {}  # text → width in 1/1000 em: words recur in letters
        self._encoded: dict[str, str] = {}  # text → as encoded in the content stream
        self._object_dicts: dict[str, tuple[dict[str, object], dict[str, str]]] = {}

        seed = SubsetMap(master)
        codes: dict[int, str] = {}
        for codepoint in sorted(set(_base_codepoints())):
            if codepoint in master.glyph_ids:
                code = seed.pick(codepoint)
                if code is not None:
                    utf16 = chr(code).encode("utf-16-be").decode("latin-1")
                    codes[codepoint] = escape_parens(utf16)
        # what fpdf2's TTFFont.encode_text gives, per character of the base subset (a symbol
        # or colour font would be encoded differently: those always take fpdf2's own path)
        if master.is_symbol or master.color_font:
            codes = {}
        self._codes = codes
        self._base = frozenset(map(chr, codes))
        self._seed_glyphs: dict[Glyph | None, int] = dict(seed._char_id_per_glyph)
        self._seed_next = seed._next
        self._seed_reserved = list(seed._reserved)
        self._prepare_embedding()
        SubsetMap.pick.cache_clear()
        SubsetMap.get_glyph.cache_clear()

    def encode(self, text: str) -> str | None:
        """`text` as a letter's content stream holds it (what fpdf2's `encode_text` writes
        between the parentheses), or None if a character is outside the base subset.

        Remembered: the same pieces of text (furniture, template sentences) recur from
        letter to letter, and str.translate takes microseconds a piece."""
        encoded = self._encoded.get(text)
        if encoded is None:
            if not self._base.issuperset(text):
                return None
            encoded = text.translate(self._codes)
            if len(self._encoded) >= _ENCODED_CACHE_SIZE:
                self._encoded.clear()
            self._encoded[text] = encoded
        return encoded

    def text_width(self, text: str, size_pt: float) -> float:
        """Width of `text` in points at `size_pt`."""
        units = self._units.get(text)
        if units is None:
            units = sum(map(self.widths.__getitem__, text))
            if len(self._units) >= _WIDTH_CACHE_SIZE:
                self._units.clear()
            self._units[text] = units
        return units * size_pt / 1000

    def document_font(self, index: int) -> LetterFont:
        """A font object for one new letter, numbered `index` among the letter's fonts.

        Made attribute by attribute rather than through the constructors (which parse the
        font, look glyphs up) or copy.copy (which goes through __reduce_ex__): what each
        object gets is all there is to it (tests/letters/test_pdf.py checks that against
        fresh fpdf2 objects)."""
        font = LetterFont.__new__(LetterFont)
        for attr, value in self._shared:
            setattr(font, attr, value)
        font.face = self
        font.i = index
        desc = PDFFontDescriptor.__new__(PDFFontDescriptor)  # gets this letter's object id
        desc.__dict__.update(vars(self.master.desc))
        font.desc = desc
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        subset = SubsetMap.__new__(SubsetMap)
        subset.font = font
        subset._char_id_per_glyph = dict(self._seed_glyphs)
        subset._next = self._seed_next
        subset._reserved = list(self._seed_reserved)
        font.subset = subset
        return font

    def fits_base(self, font: LetterFont) -> bool:
        """Whether the letter used only characters of the prepared base subset."""
        return len(font.subset) == len(self._seed_glyphs) and not font.missing_glyphs

    def open_full_font(self) -> ttLib.TTFont:
        """A fresh parse of the whole font, for fpdf2's own subsetting."""
        return ttLib.TTFont(BytesIO(self.data), recalcTimestamp=False, lazy=True)

    def _prepare_embedding(self) -> None:
        font = ttLib.TTFont(BytesIO(self.data), recalcTimestamp=False)
        options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, hinting=False)
        options.drop_tables += _DROP_TABLES
        subsetter = ftsubset.Subsetter(options)
        glyphs = {glyph: code for glyph, code in self._seed_glyphs.items() if glyph is not None}
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

    def embed(self, producer: OutputProducer, font: LetterFont) -> PDFFont:
        """Add the prepared font objects to a letter being written (the objects fpdf2 writes)."""
        name = f"MPDFAA+{font.name}"
        composite = _Font(subtype="Type0", base_font=name, encoding="Identity-H")
        producer._add_pdf_obj(composite.remembered(self, "composite"), "fonts")
        cid_font = _Font(
            subtype="CIDFontType2",
            base_font=name,
            d_w=font.desc.missing_width,
            w=self._widths_array,
        )
        producer._add_pdf_obj(cid_font.remembered(self, "cid_font"), "fonts")
        composite.descendant_fonts = PDFArray([cid_font])
        to_unicode = _deflated_stream(self._to_unicode).remembered(self, "to_unicode")
        producer._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode
        system_info = _SystemInfo().remembered(self, "system_info")
        producer._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info
        descriptor = _Descriptor.__new__(_Descriptor)
        descriptor.__dict__.update(vars(font.desc))
        descriptor.font_name = Name(name)
        producer._add_pdf_obj(descriptor.remembered(self, "descriptor"), "fonts")
        cid_font.font_descriptor = descriptor
        cid_to_gid = _deflated_stream(self._cid_to_gid).remembered(self, "cid_to_gid")
        producer._add_pdf_obj(cid_to_gid, "fonts")
        cid_font.c_i_d_to_g_i_d_map = cid_to_gid
        font_file = _deflated_stream(self._font_file[0]).remembered(self, "font_file")
        font_file.length1 = self._font_file[1]  # type: ignore[attr-defined]
        producer._add_pdf_obj(font_file, "fonts")
        descriptor.font_file2 = font_file  # type: ignore[attr-defined]
        return composite

    def object_dict(self, obj: _Remembered, kind: str) -> dict[str, object]:
        """The dictionary of one of the font objects every letter gets: fpdf2 builds it (by
        reflection over the object) for the first letter; later letters reuse it with only
        the references to their own objects filled in."""
        known = self._object_dicts.get(kind)
        if known is None:
            entries = PDFObject._build_obj_dict(obj)
            references = {
                f"/{camel_case(name)}": name
                for name, value in vars(obj).items()
                if isinstance(value, (PDFObject, PDFArray)) and not name.startswith("_")
            }
            self._object_dicts[kind] = (entries, references)
            return entries
        entries, references = known
        entries = dict(entries)
        for key, name in references.items():
            value = getattr(obj, name)
            entries[key] = value.ref if isinstance(value, PDFObject) else value.serialize()
        return entries


class _Remembered(PDFObject):
    """A font object whose dictionary its face builds once (`FontFace.object_dict`)."""

    _face: FontFace
    _kind: str

    def remembered(self, face: FontFace, kind: str) -> Self:
        self._face, self._kind = face, kind
        return self

    def _build_obj_dict(self, security_handler: Any = None) -> dict[str, object]:
        if security_handler is not None:  # an encrypted letter: fpdf2's own way throughout
            return super()._build_obj_dict(security_handler)
        return self._face.object_dict(self, self._kind)


class _Font(_Remembered, PDFFont):
    pass


class _SystemInfo(_Remembered, CIDSystemInfo):
    pass


class _Descriptor(_Remembered, PDFFontDescriptor):
    pass


class _Stream(_Remembered, PDFContentStream):
    pass


def _deflated_stream(compressed: bytes) -> _Stream:
    stream = _Stream(contents=compressed, compress=False)
    stream.filter = Name("FlateDecode")
    return stream


class LetterOutputProducer(OutputProducer):
    """fpdf2's PDF writer, embedding letter fonts from their prepared subsets, and writing
    the page-level objects' dictionaries without fpdf2's reflection over `dir()`."""

    def _add_pdf_obj(self, pdf_obj: PDFObject, trace_label: str | None = None) -> int:
        quick = QUICK_CLASSES.get(type(pdf_obj))
        if quick is not None:
            pdf_obj.__class__ = quick
        if not _FPDF_OUTPUT_LOG.isEnabledFor(logging.DEBUG):
            # a label only makes fpdf2 measure its objects' sizes (in a context manager,
            # object by object) for the summary it logs at debug level
            trace_label = None
        return super()._add_pdf_obj(pdf_obj, trace_label)

    def _add_fonts(self, *args: Any, **kwargs: Any) -> Any:
        fonts = self.fpdf.fonts
        prepared = {}
        for key, font in fonts.items():
            if isinstance(font, LetterFont):
                if font.face.fits_base(font):
                    prepared[key] = font
                else:
                    font.ttfont = font.face.open_full_font()
        everything = dict(fonts)
        for key in prepared:
            del fonts[key]  # `fonts` is the document's own registry: hide these from fpdf2
        try:
            objects = super()._add_fonts(*args, **kwargs)
        finally:
            fonts.clear()
            fonts.update(everything)
        for font in sorted(prepared.values(), key=lambda font: font.i):
            objects[font.i] = font.face.embed(self, font)
        # fpdf2 caches glyph lookups per font object in a process-wide cache; let them go.
        SubsetMap.pick.cache_clear()
        SubsetMap.get_glyph.cache_clear()
        return objects


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
