"""PDF letters: A4 with letterhead, recipient, reference, body and footer, drawn with fpdf2's
public API (its parsed fonts reused through `runner.letters.pdf_fonts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from fpdf import FPDF

from runner.kommuner.settings import Letterhead
from runner.letters.blocks import Block, Span, markdown_blocks
from runner.letters.filters import dato
from runner.letters.layout import BODY_SIZE, LINK_COLOR, MM_PER_PT, LineOp, Row, TextOp, Typesetter
from runner.letters.pdf_fonts import FAMILY, font_faces, output, use_prepared_fonts

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
        self._setter = Typesetter(font_faces(), LEFT, TEXT_WIDTH)

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
        use_prepared_fonts(pdf, used)

        running_head = f"{letterhead.title} · {labels['reference'].lower()} {reference}"
        later_head: list[TextOp | LineOp] = [TextOp(LEFT, 15.0, running_head, "", SMALL)]
        for page_number, page in enumerate(pages, start=1):
            pdf.add_page()
            head = first_page if page_number == 1 else later_head
            page_label = labels["page"].format(page=page_number, pages=len(pages))
            x = PAGE_WIDTH - RIGHT - self._setter.width_of(page_label, "", SMALL)
            footer = [*every_page, TextOp(x, PAGE_HEIGHT - 9.0, page_label, "", SMALL)]
            for op in (*head, *footer):
                _draw(pdf, op, 0.0)
            for top, row in page:
                for op in row.ops:
                    _draw(pdf, op, top)
        return output(pdf)

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


def _draw(pdf: FPDF, op: TextOp | LineOp, top: float) -> None:
    """One text or line, `top` mm below the top of the page."""
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
    height = op.size * MM_PER_PT
    pdf.link(op.x, top + op.y - height * 0.8, op.width, height, op.link)
