"""Robot-file settings of the sources beyond a drop folder: PDF forms, Excel, e-mail, Fiks IO."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from runner.models.common import FrozenModel
from runner.sources.mapping import CaseMapping

#: The format of DiBK's XML application "søknad om tiltak uten ansvarsrett".
DIBK_FORMAT = "dibk-tiltak-uten-ansvarsrett"


class DibkSchemaChoice(FrozenModel):
    """A source that can carry DiBK's XML application: the XSD it is checked against."""

    xsd: Path | None = Field(
        default=None,
        description="DiBK's XSD for the form, an absolute path (e.g. "
        "/etc/saksrobot/dibk/tiltakutenansvarsrett.xsd); default: the schema saksrobot ships "
        "(runner/sources/schemas/). `saksrobot kommuner check` checks the mapping can read it.",
    )

    @property
    def reads_dibk(self) -> bool:
        """Whether the source takes DiBK's XML application (its `format`)."""
        return getattr(self, "format", None) == DIBK_FORMAT

    @model_validator(mode="after")
    def _xsd_for_dibk_only(self) -> Self:
        if self.xsd is None:
            return self
        if not self.reads_dibk:
            raise ValueError(f"xsd gjelder bare format: {DIBK_FORMAT}; ta bort xsd")
        if not self.xsd.is_absolute():
            raise ValueError(
                "xsd må være en absolutt sti, f.eks. /etc/saksrobot/dibk/tiltakutenansvarsrett.xsd"
            )
        return self


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


class FiksIoSourceConfig(DibkSchemaChoice):
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
