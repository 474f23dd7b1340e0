"""Robot-file settings of the sources beyond a drop folder: PDF forms, Excel, e-mail, Fiks IO."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from runner.models.common import FrozenModel
from runner.sources.mapping import CaseMapping


class PdfFormSourceConfig(FrozenModel):
    """Cases as fillable PDF forms (AcroForm) in a drop folder, read with RPA.PDF."""

    kind: Literal["pdfform"]
    path: str = Field(description="Inbox folder, relative to the settings file's data_dir")
    pattern: str = "*.pdf"
    mapping: CaseMapping = Field(description="Form field name → case field")


class ExcelSourceConfig(FrozenModel):
    """Cases as rows of .xlsx workbooks in a drop folder, read as a stream within the limits
    max_workbook_bytes, max_workbook_rows and max_text_chars (runner/sources/workbook.py)."""

    kind: Literal["excel"]
    path: str = Field(
        description="Inbox folder of .xlsx files (other files in it are reported, not read)"
    )
    pattern: str = "*.xlsx"
    sheet: str | None = Field(default=None, description="Sheet to read (default: the first)")
    header_row: Annotated[int, Field(ge=1, le=100)] = 1
    mapping: CaseMapping = Field(description="Column header → case field")


class ImapSourceConfig(FrozenModel):
    """Cases as e-mails with a JSON or PDF-form application attached (RPA.Email.ImapSmtp)."""

    kind: Literal["imap"]
    folder: str = "INBOX"
    handled_folder: str = Field(default="Behandlet", description="Where handled mail is moved")
    form: CaseMapping | None = Field(
        default=None, description="Mapping for attached PDF forms (none: PDFs are quarantined)"
    )


class FiksIoSourceConfig(FrozenModel):
    """Cases as KS Fiks IO messages to the kommune's account (its [kommune.fiks_io] settings)."""

    kind: Literal["fiksio"]
    format: Literal["dibk-tiltak-uten-ansvarsrett", "case"] = Field(
        default="dibk-tiltak-uten-ansvarsrett",
        description="What the message carries: DiBK's XML application, or saksrobot case JSON",
    )
    message_types: list[Annotated[str, Field(min_length=1)]] = Field(
        min_length=1, description="Fiks IO message types this robot takes; others are quarantined"
    )
    path: str = Field(
        default="fiksio",
        description="Folder under data_dir where every message's files are kept (one per message)",
    )
