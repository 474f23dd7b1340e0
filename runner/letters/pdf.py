"""PDF letters: A4 with letterhead, recipient, reference, body and footer, made with fpdf2."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from operator import attrgetter
from typing import Any, TypeGuard

from fpdf import FPDF
from fpdf.actions import URIAction
from fpdf.annotations import AnnotationDict
from fpdf.drawing_primitives import convert_to_device_color
from fpdf.enums import PDFResourceType, TextMode
from fpdf.syntax import Name
from fpdf.util import FloatTolerance

from runner.kommuner.settings import Letterhead
from runner.letters.blocks import Block, Span, markdown_blocks
from runner.letters.filters import dato
from runner.letters.layout import BODY_SIZE, LINK_COLOR, MM_PER_PT, LineOp, Row, TextOp, Typesetter
from runner.letters.pdf_fonts import FAMILY, FontFace, LetterOutputProducer, font_faces

__all__ = ["LABELS", "PdfRenderer"]

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
LEFT, RIGHT = 25.0, 20.0
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
FIRST_BODY_TOP = 78.0
BODY_TOP = 28.0
BODY_BOTTOM = PAGE_HEIGHT - 28.0
FOOTER_TOP = PAGE_HEIGHT - 24.0
SMALL = 7.5

#: What the letter's own furniture says, per målform.
LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "reference": "Vår referanse",
        "date": "Dato",
        "postal": "Postadresse",
        "visiting": "Besøksadresse",
        "phone": "Telefon",
        "email": "E-post",
        "web": "Nettside",
        "org": "Org.nr.",
        "page": "Side {page} av {pages}",
    },
    "nn": {
        "reference": "Vår referanse",
        "date": "Dato",
        "postal": "Postadresse",
        "visiting": "Besøksadresse",
        "phone": "Telefon",
        "email": "E-post",
        "web": "Nettstad",
        "org": "Org.nr.",
        "page": "Side {page} av {pages}",
    },
}


class PdfRenderer:
    """Renders letter Markdown to the bytes of an A4 PDF; the same input gives the same bytes."""

    def __init__(self) -> None:
        self._faces = font_faces()
        self._setter = Typesetter(self._faces, LEFT, TEXT_WIDTH)

    def render(
        self,
        markdown: str,
        *,
        letterhead: Letterhead,
        malform: str,
        title: str,
        reference: str,
        letter_date: date,
        recipient: Sequence[str],
        case_type: str | None = None,
    ) -> bytes:
        """The letter as PDF. `title` is the document title, and the letter's heading when the
        Markdown does not start with a level-1 heading of its own."""
        labels = LABELS.get(malform, LABELS["nb"])
        blocks = markdown_blocks(markdown)
        first = blocks[0] if blocks else None
        if title and not (
            isinstance(first, Block) and first.kind == "heading" and first.level == 1
        ):
            blocks.insert(0, Block("heading", [Span(title, "B")], 1))
        pages = _paginate(self._setter.rows(blocks))
        first_page, every_page = self._furniture(
            letterhead, malform, labels, reference, letter_date, recipient, case_type
        )

        pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(LEFT, BODY_TOP, RIGHT)
        # Fixed metadata: the same letter gives the same bytes (and sha256) every time.
        pdf.set_creation_date(datetime.combine(letter_date, time(12, 0), tzinfo=UTC))
        pdf.set_title(title)
        pdf.set_author(letterhead.title)
        pdf.set_subject(reference)
        pdf.set_creator("saksrobot")
        pdf.set_lang("nn-NO" if malform == "nn" else "nb-NO")
        ops_in_body = (op for page in pages for _top, row in page for op in row.ops)
        used = {
            op.style for op in (*ops_in_body, *first_page, *every_page) if isinstance(op, TextOp)
        }
        for number, style in enumerate(sorted(used), start=1):
            pdf.fonts[FAMILY + style] = self._faces[style].document_font(number)

        running_head = f"{letterhead.title} · {labels['reference'].lower()} {reference}"
        later_head: list[TextOp | LineOp] = [TextOp(LEFT, 15.0, running_head, "", SMALL)]
        for page_number, page in enumerate(pages, start=1):
            pdf.add_page()
            head = first_page if page_number == 1 else later_head
            page_label = labels["page"].format(page=page_number, pages=len(pages))
            x = PAGE_WIDTH - RIGHT - self._setter.width_of(page_label, "", SMALL)
            footer = [*every_page, TextOp(x, PAGE_HEIGHT - 9.0, page_label, "", SMALL)]
            rows = [(0.0, head), (0.0, footer), *((top, row.ops) for top, row in page)]
            _draw_page(pdf, rows, self._faces)
        return bytes(pdf.output(output_producer_class=LetterOutputProducer))

    def _furniture(
        self,
        letterhead: Letterhead,
        malform: str,
        labels: dict[str, str],
        reference: str,
        letter_date: date,
        recipient: Sequence[str],
        case_type: str | None = None,
    ) -> tuple[list[TextOp | LineOp], list[TextOp | LineOp]]:
        """(letterhead, recipient and reference for page 1; footer for every page)."""
        first: list[TextOp | LineOp] = [TextOp(LEFT, 24.0, letterhead.title, "B", 16.0)]
        department = letterhead.department_for(case_type, malform)
        if department:
            first.append(TextOp(LEFT, 30.5, department, "", BODY_SIZE))
        first.append(LineOp(LEFT, 35.0, PAGE_WIDTH - RIGHT, 35.0, 0.3))
        for index, line in enumerate(line for line in recipient if line.strip()):
            first.append(TextOp(LEFT, 52.0 + index * 5.0, line, "", BODY_SIZE))
        column = 130.0
        first.append(TextOp(column, 48.0, labels["reference"], "", SMALL))
        first.append(TextOp(column, 52.5, reference, "", BODY_SIZE))
        first.append(TextOp(column, 59.0, labels["date"], "", SMALL))
        first.append(TextOp(column, 63.5, dato(letter_date), "", BODY_SIZE))

        footer: list[TextOp | LineOp] = [LineOp(LEFT, FOOTER_TOP, PAGE_WIDTH - RIGHT, FOOTER_TOP)]
        cells = [
            (labels["postal"], letterhead.postal_address),
            (labels["visiting"], letterhead.visiting_address),
            (labels["phone"], letterhead.phone),
            (labels["email"], letterhead.email),
            (labels["web"], letterhead.web),
            (labels["org"], letterhead.org_number),
        ]
        present = [(label, value) for label, value in cells if value]
        column_width = TEXT_WIDTH / 3
        for index, (label, value) in enumerate(present[:6]):
            x = LEFT + (index // 2) * column_width
            y = FOOTER_TOP + 4.0 + (index % 2) * 7.0
            footer.append(TextOp(x, y, label, "B", SMALL - 0.5))
            footer.append(TextOp(x, y + 3.0, self._fit(value, column_width - 2.0), "", SMALL))
        return first, footer

    def _fit(self, text: str, width: float) -> str:
        """A footer value shortened with "…" if it would run into the next column."""
        if self._setter.width_of(text, "", SMALL) <= width:
            return text
        while text and self._setter.width_of(text + "…", "", SMALL) > width:
            text = text[:-1]
        return text + "…"


def _paginate(rows: list[Row]) -> list[list[tuple[float, Row]]]:
    """Place rows on pages, top to bottom; a heading stays with the row after it."""
    pages: list[list[tuple[float, Row]]] = [[]]
    y = FIRST_BODY_TOP
    for index, row in enumerate(rows):
        needed = row.height
        follower = index + 1
        while rows[follower - 1].keep_with_next and follower < len(rows):
            needed += rows[follower - 1].space_after + rows[follower].height
            follower += 1
        if pages[-1] and y + min(needed, BODY_BOTTOM - BODY_TOP) > BODY_BOTTOM:
            pages.append([])
            y = BODY_TOP
        pages[-1].append((y, row))
        y += row.height + row.space_after
    return pages


def _draw_page(
    pdf: FPDF,
    rows: Iterable[tuple[float, Sequence[TextOp | LineOp]]],
    faces: Mapping[str, FontFace],
) -> None:
    """Draw the page's rows, each (its top in mm, its text and lines), in order."""
    pen = _Pen(pdf, faces)
    for top, ops in rows:
        for op in ops:
            pen.draw(op, top)
    pen.finish()


def _draw_with_fpdf2(pdf: FPDF, op: TextOp | LineOp, top: float) -> None:
    """One text or line drawn by fpdf2's own methods: the reference for what `_Pen` writes,
    and its way for anything its shortcuts do not cover."""
    if isinstance(op, LineOp):
        pdf.set_line_width(op.width)
        pdf.line(op.x1, top + op.y1, op.x2, top + op.y2)
        return
    pdf.set_font(FAMILY, op.style, op.size)
    if not op.link:
        pdf.text(op.x, top + op.y, op.text)
        return
    pdf.set_text_color(*LINK_COLOR)
    pdf.text(op.x, top + op.y, op.text)
    pdf.set_text_color(0)
    _add_link(pdf, op, top)


def _add_link(pdf: FPDF, op: TextOp, top: float) -> None:
    """The link annotation over a piece of linked text."""
    assert op.link is not None
    height = op.size * MM_PER_PT
    annotation = pdf.link(op.x, top + op.y - height * 0.8, op.width, height, op.link)
    annotation.__class__ = _LinkAnnotation


#: What fpdf2 writes to colour linked text, and the text colour it returns to afterwards.
_LINK_FILL = convert_to_device_color(*LINK_COLOR).serialize().lower()
_BLACK = convert_to_device_color(0)
#: The styles fpdf2's set_font takes as they are (it sorts and upper-cases the letters).
_STYLES = frozenset({"", "B", "I", "BI"})


class _Pen:
    """Writes a page's text and lines as fpdf2's set_font, text, set_text_color,
    set_line_width and line would: the same operators, but with fpdf2's font and line state
    kept here while the page is drawn rather than read and set through FPDF's properties
    (a graphics-state stack) for each piece of text, and the operators handed to the page
    in one piece. fpdf2 draws whatever the shortcut does not cover: text outside the
    prepared subset, a style it would normalise, a page not in plain fill mode
    (tests/letters/test_pdf.py compares the bytes with fpdf2's own calls)."""

    def __init__(self, pdf: FPDF, faces: Mapping[str, FontFace]) -> None:
        self.pdf = pdf
        self.faces = faces
        self.fonts = pdf.fonts
        self.k, self.h = pdf.k, pdf.h
        self.operators: list[str] = []
        self.page_fonts: set[int] = set()  # fonts this pen has registered on the page
        # linked text is black again afterwards: that must be the colour text has now
        self.direct = _plain_text_state(pdf) and pdf.text_color == _BLACK
        self._load()

    def _load(self) -> None:
        """Take fpdf2's state: current font (None if none is set) and size, line width."""
        pdf = self.pdf
        self.font = pdf.current_font if pdf.font_family == FAMILY else None
        self.style, self.size = pdf.font_style, pdf.font_size_pt
        self.font_on_page = pdf.current_font_is_set_on_page
        self.line_width = pdf.line_width

    def finish(self) -> None:
        """Give the page its operators and fpdf2 the state they leave, as fpdf2 would have it."""
        pdf = self.pdf
        if self.operators:
            pdf._out("\n".join(self.operators))  # as one _out per operator: each ends a line
            self.operators = []
        if self.font is not None:
            pdf.font_family, pdf.font_style = FAMILY, self.style
            pdf.font_size_pt, pdf.current_font = self.size, self.font
        pdf.current_font_is_set_on_page = self.font_on_page
        pdf.line_width = self.line_width

    def draw(self, op: TextOp | LineOp, top: float) -> None:
        """Draw one text or line, `top` mm below the top of the page."""
        if isinstance(op, LineOp):
            self._line(op, top)
        elif not self.direct or op.style not in _STYLES:
            self.with_fpdf2(op, top)
        else:
            self._text(op, top)

    def with_fpdf2(self, op: TextOp | LineOp, top: float) -> None:
        """Draw `op` with fpdf2's own methods, in order with what this pen has written."""
        self.finish()
        _draw_with_fpdf2(self.pdf, op, top)
        self._load()

    def _line(self, op: LineOp, top: float) -> None:
        k, h = self.k, self.h
        if op.width != self.line_width:
            self.line_width = op.width
            self.operators.append(f"{op.width * k:.2f} w")
        y1, y2 = top + op.y1, top + op.y2
        self.operators.append(
            f"{op.x1 * k:.2f} {(h - y1) * k:.2f} m {op.x2 * k:.2f} {(h - y2) * k:.2f} l S"
        )

    def _text(self, op: TextOp, top: float) -> None:
        style, size = op.style, op.size
        if self.font is None or style != self.style or abs(size - self.size) > _TOLERANCE:
            # what set_font does when the font changes (it keeps the size it has when the
            # new one is within FloatTolerance of it)
            self.font = self.fonts[FAMILY + style]
            self.style, self.size, self.font_on_page = style, size, False
        encoded = self.faces[style].encode(op.text)
        if encoded is None:
            self.with_fpdf2(op, top)
            return
        font = self.font
        if not self.font_on_page:  # FPDF._set_font_for_page
            self.operators.append(f"BT /F{font.i} {self.size:.2f} Tf ET")
            if font.i not in self.page_fonts:  # fpdf2 adds it to a set: once is enough
                self.page_fonts.add(font.i)
                self.pdf._resource_catalog.add(PDFResourceType.FONT, font.i, self.pdf.page)
            self.font_on_page = True
        k = self.k
        y = top + op.y
        text = f"BT {op.x * k:.2f} {(self.h - y) * k:.2f} Td ({encoded}) Tj ET"
        if op.link:
            self.operators.append(f"q {_LINK_FILL} {text} Q")
            _add_link(self.pdf, op, top)
        else:
            self.operators.append(text)


_TOLERANCE = FloatTolerance.TOLERANCE


class _LinkAnnotation(AnnotationDict):
    """fpdf2's link annotation: one to a URL is written as the dictionary fpdf2's reflection
    gives such a link (its action, the same for every link to the URL, remembered), instead
    of by reflection over everything `dir()` lists, methods included, for each link. Any
    other annotation is fpdf2's to write (tests/letters/test_pdf.py compares the bytes)."""

    __slots__ = ()

    def serialize(self, _security_handler: Any = None, _obj_id: int | None = None) -> str:
        action = self.a
        if _security_handler is not None or not self._is_plain_link(action):
            return super().serialize(_security_handler, _obj_id)
        return (
            f"<</A {_uri_action(action)}\n/Border {self.border}\n/F {self.f}\n"
            f"/Rect {self.rect}\n/Subtype /Link\n/Type /Annot>>"
        )

    def _is_plain_link(self, action: object) -> TypeGuard[URIAction]:
        """Whether this is what FPDF.link makes for a URL: the entries written above, with
        values fpdf2 writes as they are, and nothing else set."""
        return (
            type(action) is URIAction
            and action.next is None
            and type(self.f) is int
            and type(self.border) is str
            and type(self.rect) is str
            and type(self.type) is Name
            and self.type == "Annot"
            and type(self.subtype) is Name
            and self.subtype == "Link"
            and _unset_in_links(self) == _NONE_IN_LINKS  # compared item by item, in C
            and all(value is None for value in vars(self).values())
        )


#: The slots of an annotation that a link to a URL leaves None.
_UNSET_IN_LINKS = tuple(
    key
    for key in AnnotationDict.__slots__
    if key[0] != "_" and key not in {"a", "border", "f", "rect", "subtype", "type"}
)
_unset_in_links = attrgetter(*_UNSET_IN_LINKS)
_NONE_IN_LINKS = (None,) * len(_UNSET_IN_LINKS)
#: How many URLs' actions are remembered (as written) before starting over.
_URI_ACTIONS_KEPT = 4096
_uri_actions: dict[str, str] = {}


def _uri_action(action: URIAction) -> str:
    """The action of a link to a URL as fpdf2 writes it; letters link the same laws."""
    text = _uri_actions.get(action.uri)
    if text is None:
        text = action.serialize()
        if len(_uri_actions) >= _URI_ACTIONS_KEPT:
            _uri_actions.clear()
        _uri_actions[action.uri] = text
    return text


def _plain_text_state(pdf: FPDF) -> bool:
    """Whether FPDF.text would write text as nothing but position and glyphs: fill mode, no
    underline or strike-through, no quad points, text colour the same as the fill colour."""
    return (
        pdf.text_mode == TextMode.FILL
        and not pdf.underline
        and not pdf.strikethrough
        and not pdf._record_text_quad_points
        and pdf.fill_color == pdf.text_color
    )
