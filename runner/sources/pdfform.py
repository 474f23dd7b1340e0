"""Fillable PDF application forms: a drop folder of PDFs, form fields read with RPA.PDF."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from runner.errors import CaseValidationError
from runner.problems import problem
from runner.sources.folder import FolderSource
from runner.sources.mapping import CaseMapping, Unreadable, build_case, validate_mapped


class PdfFormSource(FolderSource):
    """Every PDF in the folder is one application; the stored raw item is the PDF itself."""

    kind = "pdfform"

    def __init__(self, path: Path, *, max_bytes: int, pattern: str = "*.pdf") -> None:
        super().__init__(path, max_bytes=max_bytes, pattern=pattern)


def read_form_fields(source: str, content: bytes) -> dict[str, object]:
    """Form field name → value, read with RPA.PDF; a PDF without fields is a CaseValidationError."""
    from RPA.PDF import PDF

    if not content.startswith(b"%PDF"):
        raise CaseValidationError(source, [problem("pdf_not_pdf")])
    library = PDF()
    library.logger.setLevel(logging.WARNING)  # it logs every temp file it opens at INFO
    with tempfile.TemporaryDirectory(prefix="saksrobot-form-") as folder:
        path = Path(folder) / "form.pdf"
        path.write_bytes(content)
        try:
            fields: dict[str, dict[str, Any]] = library.get_input_fields(str(path)) or {}
        except KeyError:
            fields = {}
        except Exception as error:  # a damaged PDF: pypdf/pdfminer raise many kinds
            raise CaseValidationError(
                source,
                [problem("pdf_unreadable", error=type(error).__name__)],
            ) from error
        finally:
            library.close_all_pdfs()
    if not fields:
        raise CaseValidationError(
            source,
            [problem("pdf_no_fields")],
        )
    return {name: _plain(spec.get("value")) for name, spec in fields.items()}


def _plain(value: object) -> object:
    """The field's value as plain text or a checkbox state; `Unreadable` if it cannot be read
    (a problem only if the mapping reads that field)."""
    try:
        return _decoded(value)
    except UnicodeError:
        return Unreadable("field_text_encoding")
    except Exception as error:  # a hostile value must not stop the form being read
        return Unreadable("field_unreadable", type(error).__name__)


def _decoded(value: object) -> object:
    """Checkbox states come as PDF names (/Yes, /Off); UTF-16 text as bytes decoded as Latin-1."""
    name = getattr(value, "name", None)
    if isinstance(name, str | bytes):
        text = name.decode("latin-1") if isinstance(name, bytes) else name
        return "/" + text.lstrip("/")
    if isinstance(value, str) and value.startswith("\xfe\xff"):
        return value.encode("latin-1").decode("utf-16")
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def form_location(name: str) -> str:
    return f"skjemafelt '{name}'"


def form_case(
    source: str,
    content: bytes,
    mapping: CaseMapping,
    case_model: str,
    *,
    content_hash: str,
    received_at: datetime,
) -> BaseModel:
    """The validated case from a filled form; every problem names the form field."""
    values: Mapping[str, object] = read_form_fields(source, content)
    case = build_case(
        source,
        values,
        mapping,
        content_hash=content_hash,
        received_at=received_at,
        locate=form_location,
    )
    return validate_mapped(source, case, case_model, mapping, form_location)
