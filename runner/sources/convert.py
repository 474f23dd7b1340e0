"""A stored raw item → a validated case, by the kind of source it came from (JSON, form, row).

Every way goes through the item boundary (`runner.sources.boundary`): whatever a parser or
mapper raises on one hostile item becomes that item's error, so the pipeline quarantines it.

Only a system may say a fact is verified (a register, map data, a caseworker). A case JSON
that reaches us by e-mail comes from whoever sent the mail: what it claims as verified is
taken as declared (its `verified` list is emptied and the log says how many were set aside).
"""

from __future__ import annotations

from typing import Any

import structlog
from pydantic import BaseModel

from runner.errors import CaseValidationError, FieldProblem
from runner.intake import validate_case
from runner.sources.boundary import guarded
from runner.store.records import RawItemRecord

#: Sources whose case JSON comes from a person, not from a system the kommune trusts.
CITIZEN_SOURCES = frozenset({"imap"})

log = structlog.get_logger(__name__)


def read_case(source_config: Any, raw: RawItemRecord, content: bytes, case_model: str) -> BaseModel:
    """Parse and validate the raw item the way its source stored it; never raises but our own
    errors (a CaseValidationError for anything wrong with the item) and OSError."""
    return guarded(
        raw.source_ref, content, lambda: _read_case(source_config, raw, content, case_model)
    )


def _read_case(
    source_config: Any, raw: RawItemRecord, content: bytes, case_model: str
) -> BaseModel:
    kind = getattr(source_config, "kind", "folder")
    common: dict[str, Any] = {"content_hash": raw.content_hash, "received_at": raw.received_at}
    if kind == "pdfform" or (kind == "imap" and content.startswith(b"%PDF")):
        mapping = getattr(source_config, "mapping", None) or getattr(source_config, "form", None)
        if mapping is None:
            raise CaseValidationError(
                raw.source_ref,
                [
                    FieldProblem(
                        "",
                        "denne roboten tar ikke imot PDF-skjema",
                        "send søknaden som JSON, eller legg til form: i robotfilen",
                    )
                ],
            )
        from runner.sources.pdfform import form_case

        return form_case(raw.source_ref, content, mapping, case_model, **common)
    form = getattr(source_config, "format", "case")
    if kind in ("folder", "fiksio") and form == "dibk-tiltak-uten-ansvarsrett":
        from runner.sources.dibk import dibk_case

        # a Fiks IO message's files are kept in a folder of its own (named by message id);
        # from a drop folder, attachment names are relative to the inbox
        folder = raw.source_ref.partition(":")[2] if kind == "fiksio" else ""
        return dibk_case(raw.source_ref, content, case_model, attachment_folder=folder, **common)
    if kind == "folder" and form == "nav-soknad":
        from runner.sources.nav import nav_case

        return nav_case(raw.source_ref, content, case_model, **common)
    if kind == "excel":
        from runner.sources.excel import row_case

        return row_case(raw.source_ref, content, source_config.mapping, case_model, **common)
    case = validate_case(raw.source_ref, content, case_model)
    return as_declared(case, raw.id) if kind in CITIZEN_SOURCES else case


def as_declared(case: BaseModel, raw_id: int) -> BaseModel:
    """The case with every fact it claims as verified taken as the sender's declaration."""
    claimed = getattr(case, "verified", None)
    if not claimed:
        return case
    log.warning("verified_claims_set_aside", raw_item_id=raw_id, count=len(claimed))
    return case.model_copy(update={"verified": []})
