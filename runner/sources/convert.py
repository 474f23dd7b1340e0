"""A stored raw item → a validated case, by the kind of source it came from (JSON, form, row).

Every way goes through the item boundary (`runner.sources.boundary`): whatever a parser or
mapper raises on one hostile item becomes that item's error, so the pipeline quarantines it.

Only a system may say a fact is verified (a register, map data, a caseworker). A case JSON
that reaches us by e-mail comes from whoever sent the mail: what it claims as verified is
taken as declared (its `verified` list is emptied and the log says how many were set aside).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import structlog
from pydantic import BaseModel

from runner.errors import CaseValidationError, SaksrobotError
from runner.intake import validate_case
from runner.problems import problem
from runner.sources.base import marker_kommune, read_marker
from runner.sources.boundary import guarded
from runner.sources.configs import DIBK_FORMAT
from runner.sources.mapping import CaseMapping, convert_value
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
            raise CaseValidationError(raw.source_ref, [problem("pdf_not_accepted")])
        from runner.sources.pdfform import form_case

        return form_case(raw.source_ref, content, mapping, case_model, **common)
    form = getattr(source_config, "format", "case")
    if kind in ("folder", "fiksio") and form == DIBK_FORMAT:
        from runner.sources.dibk import dibk_case

        # a Fiks IO message's files are kept in a folder of its own (named by message id);
        # from a drop folder, attachment names are relative to the inbox
        folder = raw.source_ref.partition(":")[2] if kind == "fiksio" else ""
        schema = getattr(source_config, "xsd", None)
        return dibk_case(
            raw.source_ref, content, case_model, attachment_folder=folder, schema=schema, **common
        )
    if kind == "folder" and form == "nav-soknad":
        from runner.sources.nav import nav_case

        return nav_case(raw.source_ref, content, case_model, **common)
    if kind == "excel":
        from runner.sources.excel import row_case

        return row_case(raw.source_ref, content, source_config.mapping, case_model, **common)
    case = validate_case(raw.source_ref, content, case_model)
    return as_declared(case, raw.id) if kind in CITIZEN_SOURCES else case


KOMMUNENUMMER = re.compile(r"\d{4}")


def claimed_kommune(source_config: Any, raw: RawItemRecord, content: bytes) -> str | None:
    """The kommunenummer a raw item states, read without validating the case: where the
    item's shape puts it (a case JSON's top-level `kommunenummer`, NAV's
    `mottaker.kommunenummer`, a DiBK application's first eiendomByggested, the form field or
    column the mapping sends to `kommunenummer`, or the mapping's constant; for an item that
    could not be read, the kommune whose place it came to, if known: runner/sources/base.py
    problem_marker). None when it cannot be read (broken JSON or XML, a binary file, the field
    missing or not four digits): such an item belongs to no kommune."""
    if read_marker(content) is not None:
        value: object = marker_kommune(content)
        return value if isinstance(value, str) and KOMMUNENUMMER.fullmatch(value) else None
    try:
        value = guarded(raw.source_ref, content, lambda: _claimed(source_config, raw, content))
    except (SaksrobotError, OSError):  # the boundary's error for this item, or the disk's
        return None
    return value if isinstance(value, str) and KOMMUNENUMMER.fullmatch(value) else None


def _claimed(source_config: Any, raw: RawItemRecord, content: bytes) -> object:
    from runner.intake import parse_json_object

    kind = getattr(source_config, "kind", "folder")
    if kind == "pdfform" or (kind == "imap" and content.startswith(b"%PDF")):
        mapping = getattr(source_config, "mapping", None) or getattr(source_config, "form", None)
        if mapping is None:
            return None
        from runner.sources.pdfform import read_form_fields

        return _mapped_kommune(mapping, read_form_fields(raw.source_ref, content))
    if kind in ("folder", "fiksio") and getattr(source_config, "format", "case") == DIBK_FORMAT:
        from runner.sources.dibk import claimed_dibk_kommune

        return claimed_dibk_kommune(content)
    document = parse_json_object(raw.source_ref, content)
    if kind == "excel":
        return _mapped_kommune(source_config.mapping, document)
    if kind == "folder" and getattr(source_config, "format", "case") == "nav-soknad":
        receiver = document.get("mottaker")
        return receiver.get("kommunenummer") if isinstance(receiver, Mapping) else None
    return document.get("kommunenummer")


def _mapped_kommune(mapping: CaseMapping, values: Mapping[str, object]) -> object:
    """The value a field mapping sends to the case's kommunenummer (a constant, or the named
    form field or column)."""
    if "kommunenummer" in mapping.constants:
        return mapping.constants["kommunenummer"]
    for name, spec in mapping.field_maps().items():
        if spec.to == "kommunenummer":
            try:
                return convert_value(values.get(name), spec.type)
            except ValueError:  # EmptyValue too
                return None
    return None


def as_declared(case: BaseModel, raw_id: int) -> BaseModel:
    """The case with every fact it claims as verified taken as the sender's declaration."""
    claimed = getattr(case, "verified", None)
    if not claimed:
        return case
    log.warning("verified_claims_set_aside", raw_item_id=raw_id, count=len(claimed))
    return case.model_copy(update={"verified": []})
