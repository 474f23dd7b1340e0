"""A case's documents as the review page offers them: each letter's PDF, the current draft as
PDF, the application as it came in (a PDF form, a case file, a spreadsheet row) and the
attachments the application lists.

A document is named in a URL by the case id and a key that holds no personal data
(`brev-2`, `utkast`, `soknad`, `vedlegg-1`). The route checks the case's kommune first
(runner/web/core.visible_case) and records each opening as a read in the case's audit trail.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from runner.errors import NotFoundError
from runner.store import CaseRecord, CaseState, Store
from runner.store.records import LetterRecord
from runner.web.actions import Reviewer
from runner.web.i18n import worded

PDF = "application/pdf"
JSON = "application/json"
#: The media types an attachment is served as (by its file's suffix); anything else is
#: offered as bytes to download, never as something the browser would run or render as HTML.
ATTACHMENT_TYPES = {
    ".pdf": PDF,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".txt": "text/plain; charset=utf-8",
}
BYTES = "application/octet-stream"
#: The largest attachment file served (the intake's own limit is in the settings).
MAX_ATTACHMENT_BYTES = 50_000_000


@dataclass(frozen=True, slots=True)
class Document:
    """One document of a case as the case page lists it."""

    key: str  # in the URL: /saker/{case id}/dokumenter/{key}
    kind: str  # brev, utkast, soknad, vedlegg (the page's word for it)
    name: str  # the letter's version, the source's kind or the attachment's kind
    media_type: str
    available: bool = True  # an attachment listed in the case but not found is shown as such


@dataclass(frozen=True, slots=True)
class Content:
    """A document's bytes and how to serve them."""

    body: bytes
    media_type: str
    filename: str  # for Content-Disposition: from the key, never from the case's data


def _raw_type(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        return PDF
    try:
        json.loads(content)
    except ValueError:
        return BYTES
    return JSON


def _attachment_folder(store: Store, case_id: int) -> Path | None:
    """The folder the case's file was read from (attachments are relative to it)."""
    received = next((e for e in store.events(case_id) if e.kind == "received"), None)
    origin = received.data.get("origin") if received is not None else None
    return Path(origin).parent if isinstance(origin, str) else None


def _attachment_file(folder: Path | None, file: str) -> Path | None:
    """The attachment's file, if it exists inside the folder (no link or '..' out of it)."""
    if folder is None:
        return None
    root = folder.resolve()
    path = (root / PurePosixPath(file.replace("\\", "/"))).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


class CaseDocuments:
    """The documents of one case, listed for the page and read for the document route."""

    def __init__(self, store: Store, reviewer: Reviewer, record: CaseRecord) -> None:
        self.store = store
        self.reviewer = reviewer
        self.record = record

    def _letters(self) -> list[LetterRecord]:
        return self.store.letters(self.record.id)

    def _draft(self) -> LetterRecord | None:
        """The newest letter while it is still a draft (not yet turned into its PDF)."""
        letter = self.store.latest_letter(self.record.id)
        if letter is None or letter.pdf_path or self.record.state != CaseState.pending_review:
            return None
        return letter

    def _attachments(self) -> list[dict[str, str]]:
        found = self.record.data.get("attachments") if self.record.data else None
        return [a for a in found or [] if isinstance(a, dict)]

    def listing(self) -> list[Document]:
        """Every document of the case, letters first."""
        documents = [
            Document(f"brev-{letter.version}", "brev", str(letter.version), PDF)
            for letter in self._letters()
            if letter.pdf_path
        ]
        if self._draft() is not None:
            documents.append(Document("utkast", "utkast", "", PDF))
        raw, content = self.store.raw_item_and_content(self.record.id)
        documents.append(Document("soknad", "soknad", raw.source, _raw_type(content)))
        folder = _attachment_folder(self.store, self.record.id) if self._attachments() else None
        for number, attachment in enumerate(self._attachments(), start=1):
            file = str(attachment.get("file", ""))
            documents.append(
                Document(
                    f"vedlegg-{number}",
                    "vedlegg",
                    str(attachment.get("kind", "")),
                    ATTACHMENT_TYPES.get(PurePosixPath(file).suffix.lower(), BYTES),
                    available=_attachment_file(folder, file) is not None,
                )
            )
        return documents

    def read(self, key: str) -> Content:
        """The document's bytes; NotFoundError for a key the case does not have."""
        kind, _, number = key.partition("-")
        if kind == "brev" and number.isdigit():
            return self._letter_pdf(int(number), key)
        if key == "utkast":
            return self._draft_pdf()
        if key == "soknad":
            content = self.store.raw_content(self.record.id)
            media_type = _raw_type(content)
            suffix = {PDF: "pdf", JSON: "json"}.get(media_type, "bin")
            return Content(content, media_type, f"soknad-{self.record.id}.{suffix}")
        if kind == "vedlegg" and number.isdigit():
            return self._attachment(int(number), key)
        raise self._missing(key)

    def _draft_pdf(self) -> Content:
        """The current draft as the PDF it would become if approved now."""
        letter = self._draft()
        if letter is None:
            raise self._missing("utkast")
        body = self.reviewer.letter_pdf(self.record, letter)
        return Content(body, PDF, f"utkast-{self.record.id}-v{letter.version}.pdf")

    def _letter_pdf(self, version: int, key: str) -> Content:
        letter = next((x for x in self._letters() if x.version == version and x.pdf_path), None)
        if letter is None or letter.pdf_path is None:
            raise self._missing(key)
        try:
            body = Path(letter.pdf_path).read_bytes()
        except OSError:
            raise worded(NotFoundError, "letter_unreadable", version=version) from None
        if letter.sha256 and hashlib.sha256(body).hexdigest() != letter.sha256:
            raise worded(NotFoundError, "letter_altered", version=version)
        return Content(body, PDF, f"brev-{self.record.id}-v{version}.pdf")

    def _attachment(self, number: int, key: str) -> Content:
        listed = self._attachments()
        if not 1 <= number <= len(listed):
            raise self._missing(key)
        file = str(listed[number - 1].get("file", ""))
        path = _attachment_file(_attachment_folder(self.store, self.record.id), file)
        if path is None or path.stat().st_size > MAX_ATTACHMENT_BYTES:
            raise worded(NotFoundError, "attachment_missing", number=number)
        suffix = PurePosixPath(file).suffix.lower()
        media_type = ATTACHMENT_TYPES.get(suffix, BYTES)
        extension = suffix if suffix in ATTACHMENT_TYPES else ".bin"
        return Content(
            path.read_bytes(), media_type, f"vedlegg-{self.record.id}-{number}{extension}"
        )

    def _missing(self, key: str) -> NotFoundError:
        return worded(NotFoundError, "document_missing")
