"""Make the fillable PDF application form (AcroForm) and filled demo copies of it.

The form is drawn with fpdf2 (labels, boxes) and given real form fields with pypdf; every
field is named after the case model field it feeds (``measure_built_area_m2`` →
``measure.built_area_m2``), and robots/byggesak-skjema.yaml maps them. Filled copies are
written with RPA.PDF, the way a robot or a citizen's PDF reader fills a form.

    .venv/bin/python demo/make_form.py
"""

from __future__ import annotations

import io
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from demo.synthetic import byggesak_case  # noqa: E402

BLANK = ROOT / "forms" / "soknad-mindre-tiltak.pdf"
FILLED_EXAMPLE = ROOT / "forms" / "soknad-mindre-tiltak-utfylt.pdf"
INBOX = ROOT / "inbox" / "byggesak-skjema"
FONT = ROOT.parent / "runner" / "letters" / "fonts" / "DejaVuSans.ttf"
FONT_BOLD = ROOT.parent / "runner" / "letters" / "fonts" / "DejaVuSans-Bold.ttf"
SEED = 4628


@dataclass(frozen=True)
class FormField:
    """One field on the form: its name (the case path with _), label and kind."""

    name: str
    label: str
    kind: Literal["text", "checkbox"] = "text"
    width: float = 80.0


SECTIONS: list[tuple[str, list[FormField]]] = [
    ("Kommune og målform", [
        FormField("kommunenummer", "Kommunenummer (4 siffer)", width=30),
        FormField("malform", "Målform (nb eller nn)", width=20),
    ]),
    ("Tiltakshaver", [
        FormField("applicant_name", "Namn / navn"),
        FormField("applicant_national_id", "Fødselsnummer (11 siffer)", width=50),
        FormField("applicant_address_street", "Adresse"),
        FormField("applicant_address_postal_code", "Postnummer", width=20),
        FormField("applicant_address_city", "Poststad / poststed", width=50),
        FormField("applicant_email", "E-post"),
    ]),
    ("Eigedom / eiendom", [
        FormField("property_gnr", "Gardsnummer (gnr.)", width=25),
        FormField("property_bnr", "Bruksnummer (bnr.)", width=25),
        FormField("property_address", "Adresse til eigedomen / eiendommen"),
        FormField("property_is_developed", "Eigedomen er bebygd / eiendommen er bebygd",
                  "checkbox"),
    ]),
    ("Tiltaket", [
        FormField("measure_kind", "Type (frittliggende_bygning, tilbygg, levegg, annet)"),
        FormField("measure_use", "Bruk (t.d. garasje, bod)"),
        FormField("measure_for_habitation", "Skal brukast til bustad / beboelse", "checkbox"),
        FormField("measure_built_area_m2", "Bebygd areal (BYA), m²", width=25),
        FormField("measure_usable_area_m2", "Bruksareal (BRA), m²", width=25),
        FormField("measure_ridge_height_m", "Mønehøgd / mønehøyde, m", width=25),
        FormField("measure_eaves_height_m", "Gesimshøgd / gesimshøyde, m", width=25),
        FormField("measure_storeys", "Tal etasjar / antall etasjer", width=15),
        FormField("measure_has_basement", "Har kjellar / kjeller", "checkbox"),
        FormField("measure_distance_to_boundary_m", "Avstand til nabogrense, m", width=25),
        FormField("measure_distance_to_buildings_m", "Avstand til andre bygg, m", width=25),
        FormField("measure_over_pipes", "Over leidningar / ledninger i grunnen", "checkbox"),
        FormField("measure_description", "Skildring / beskrivelse", width=110),
    ]),
    ("Plan og nabovarsel", [
        FormField("plan_conforms", "I samsvar med plan (ja, nei, ukjent)", width=25),
        FormField("neighbour_notice_sent_on", "Nabovarsel sendt (DD.MM.ÅÅÅÅ)", width=30),
        FormField("neighbour_notice_objections", "Tal merknader / antall merknader", width=15),
        FormField("neighbour_notice_boundary_consent", "Samtykke frå nabo til plassering",
                  "checkbox"),
        FormField("dispensation_requested", "Søkjer om dispensasjon / søker om dispensasjon",
                  "checkbox"),
    ]),
]  # fmt: skip
FIELDS = [field for _, fields in SECTIONS for field in fields]


def _layout() -> tuple[bytes, list[tuple[FormField, int, tuple[float, float, float, float]]]]:
    """Draw the form; return the PDF and each field's page and rectangle in PDF points."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))  # the same bytes on every run
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(
        0, 8, "Søknad om mindre tiltak / Søknad om mindre tiltak", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        0,
        4,
        "Plan- og bygningslova § 20-4 og SAK10 § 3-1. Skjemaet kan fyllast ut "
        "digitalt. Demoskjema frå saksrobot; berre syntetiske data.",
    )
    placed: list[tuple[FormField, int, tuple[float, float, float, float]]] = []
    y = pdf.get_y() + 3
    page_height = 297.0
    points = 72 / 25.4
    for title, fields in SECTIONS:
        if y > 270:
            pdf.add_page()
            y = 15
        pdf.set_font("DejaVu", "B", 10)
        pdf.set_xy(10, y)
        pdf.cell(0, 6, title)
        y += 7
        pdf.set_font("DejaVu", "", 8)
        for field in fields:
            if y > 280:
                pdf.add_page()
                y = 15
            pdf.set_xy(10, y)
            pdf.cell(75, 6, field.label)
            width = 5.0 if field.kind == "checkbox" else field.width
            height = 5.0 if field.kind == "checkbox" else 6.0
            pdf.rect(88, y, width, height)
            rect = (
                88 * points,
                (page_height - y - height) * points,
                (88 + width) * points,
                (page_height - y) * points,
            )
            placed.append((field, pdf.page, rect))
            y += 7.5
        y += 2
    return bytes(pdf.output()), placed


def _appearance(writer: PdfWriter, size: float, *, ticked: bool) -> Any:
    stream = DecodedStreamObject()
    stream.set_data(
        f"q 0 g {size * 0.2:.2f} {size * 0.2:.2f} {size * 0.6:.2f} {size * 0.6:.2f} re f Q".encode()
        if ticked
        else b""
    )
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(size), FloatObject(size)]
            ),
        }
    )
    return writer._add_object(stream)


def make_blank() -> bytes:
    """The fillable form as PDF bytes (the same bytes on every run)."""
    drawn, placed = _layout()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(drawn)))
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    font_ref = writer._add_object(font)
    fields = ArrayObject()
    for field, page_no, rect in placed:
        page = writer.pages[page_no - 1]
        widget = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/T"): TextStringObject(field.name),
                NameObject("/TU"): TextStringObject(field.label),
                NameObject("/Rect"): ArrayObject([FloatObject(round(v, 2)) for v in rect]),
                NameObject("/F"): NumberObject(4),
                NameObject("/P"): page.indirect_reference,
            }
        )
        if field.kind == "checkbox":
            size = rect[2] - rect[0]
            widget.update(
                {
                    NameObject("/FT"): NameObject("/Btn"),
                    NameObject("/V"): NameObject("/Off"),
                    NameObject("/AS"): NameObject("/Off"),
                    NameObject("/MK"): DictionaryObject({NameObject("/CA"): TextStringObject("4")}),
                    NameObject("/AP"): DictionaryObject(
                        {
                            NameObject("/N"): DictionaryObject(
                                {
                                    NameObject("/Yes"): _appearance(writer, size, ticked=True),
                                    NameObject("/Off"): _appearance(writer, size, ticked=False),
                                }
                            )
                        }
                    ),
                }
            )
        else:
            widget.update(
                {
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/DA"): TextStringObject("/Helv 9 Tf 0 g"),
                }
            )
        ref = writer._add_object(widget)
        page.setdefault(NameObject("/Annots"), ArrayObject()).append(ref)  # type: ignore[attr-defined]
        fields.append(ref)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): fields,
            NameObject("/NeedAppearances"): BooleanObject(True),
            NameObject("/DA"): TextStringObject("/Helv 9 Tf 0 g"),
            NameObject("/DR"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/Helv"): font_ref})}
            ),
        }
    )
    writer.add_metadata({"/Title": "Søknad om mindre tiltak", "/Producer": "saksrobot"})
    fixed = ByteStringObject(b"saksrobot-form-1")
    writer._ID = ArrayObject([fixed, fixed])  # pypdf would pick a random file id
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def form_values(case: dict[str, Any]) -> dict[str, str | bool]:
    """What an applicant would type into the form for a case (comma decimals, DD.MM.ÅÅÅÅ)."""

    def flat(prefix: str, value: Any, out: dict[str, Any]) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                flat(f"{prefix}_{key}" if prefix else key, child, out)
        else:
            out[prefix] = value

    flattened: dict[str, Any] = {}
    flat("", case, flattened)
    values: dict[str, str | bool] = {}
    for field in FIELDS:
        value = flattened.get(field.name)
        if field.kind == "checkbox":
            values[field.name] = bool(value)
        elif value is None:
            values[field.name] = "ukjent" if field.name == "plan_conforms" else ""
        elif isinstance(value, bool):
            values[field.name] = "ja" if value else "nei"
        elif isinstance(value, float):
            values[field.name] = f"{value:g}".replace(".", ",")
        elif field.name == "neighbour_notice_sent_on":
            values[field.name] = datetime.strptime(value, "%Y-%m-%d").strftime("%d.%m.%Y")
        else:
            values[field.name] = str(value)
    return values


def fill(blank: Path, values: dict[str, str | bool], target: Path) -> None:
    """Fill the form with RPA.PDF (text fields) and tick checkboxes; write `target`."""
    from RPA.PDF import PDF

    library = PDF()
    newvals = {
        k: ("/Yes" if v else "/Off") if isinstance(v, bool) else v for k, v in values.items()
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    library.save_field_values(source_path=str(blank), output_path=str(target), newvals=newvals)
    library.close_all_pdfs()


def demo_cases(count: int, *, seed: int = SEED) -> list[dict[str, Any]]:
    """Synthetic byggesaker for the filled demo forms."""
    from zoneinfo import ZoneInfo

    rng = random.Random(seed)
    scenarios = ["unntatt_garasje", "soknad_garasje_60", "for_naer_grense", "nabomerknad"]
    cases = []
    for index in range(count):
        received = datetime(2026, 3, 2 + index % 28, 9, index % 60, tzinfo=ZoneInfo("Europe/Oslo"))
        cases.append(
            byggesak_case(
                rng,
                scenarios[index % len(scenarios)],
                reference=f"SKJEMA-{index + 1}",
                received_at=received,
                malform="nn" if index % 2 else "nb",
            )
        )
    return cases


def main() -> None:
    BLANK.parent.mkdir(parents=True, exist_ok=True)
    BLANK.write_bytes(make_blank())
    cases = demo_cases(4)
    fill(BLANK, form_values(cases[0]), FILLED_EXAMPLE)
    INBOX.mkdir(parents=True, exist_ok=True)
    for index, case in enumerate(cases, start=1):
        fill(BLANK, form_values(case), INBOX / f"skjema-{index:02d}.pdf")
    print(f"Wrote {BLANK}, {FILLED_EXAMPLE} and {len(cases)} forms in {INBOX}")


if __name__ == "__main__":
    main()
