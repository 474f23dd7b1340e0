"""Robot-file settings of the sources that need a field mapping: PDF forms, Excel, e-mail."""

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
