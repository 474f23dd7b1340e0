"""Hypothesis strategies that mutate valid items of every source, and the harness that runs one.

Each strategy starts from a valid item (a demo form, a demo workbook, the NAV fixture, a demo
case as a work item or an e-mail attachment) and breaks its bytes, its structure or its
values. `Harness.check` takes the items a source yields from an inbox holding a mutated item
beside a valid one through a pipeline twice, as two runs over the same store would, and
asserts the guarantees of the issue: nothing raises, every item rests (quarantined with a
reason, or processed), the valid item is processed, and the second pass finds only duplicates.

The number of examples is SAKSROBOT_FUZZ_EXAMPLES (default: a few, for CI);
bench/fuzz_sources.py runs the same tests with many.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from runner.pipeline import Pipeline
from runner.sources.base import RawItem

from .hostile import DEMO, NAV_FIXTURE, SHEET_XML, valid_form

#: Examples per fuzz test: small in CI, raised by bench/fuzz_sources.py.
EXAMPLES = int(os.environ.get("SAKSROBOT_FUZZ_EXAMPLES", "30"))
#: The same examples on every CI run; bench/fuzz_sources.py explores new ones (0).
DERANDOMIZE = os.environ.get("SAKSROBOT_FUZZ_DERANDOMIZE", "1") == "1"
RESTING = {"sent", "pending_review", "quarantined", "parked"}
PROCESSED = {"sent", "pending_review"}
DEMO_CASE = DEMO / "inbox" / "byggesak" / "BS-2026-000107.json"


@dataclass
class Harness:
    """A pipeline over one store, and the checks every example must pass."""

    pipeline: Pipeline

    def take(self, items: Iterable[RawItem], base_dir: Path) -> dict[str, tuple[str, bool]]:
        """Every item stored and processed as a run does: source_ref → (state, created)."""
        seen: dict[str, tuple[str, bool]] = {}
        for case_id in self.pipeline.resume_ids():  # nothing must be left half-way
            raise AssertionError(f"case {case_id} was left to resume")
        for item in items:
            record, created = self.pipeline.take_in(item)
            if created:
                record = self.pipeline.process_taken_in(
                    record, item.content, base_dir=item.base_dir or base_dir
                )
            seen[item.source_ref] = (str(record.state), created)
        return seen

    def check(
        self, items: Callable[[], Iterable[RawItem]], base_dir: Path, valid: Iterable[str]
    ) -> dict[str, tuple[str, bool]]:
        """Two passes over the same items; the guarantees of the issue for each."""
        first = self.take(items(), base_dir)
        assert first, "the source yielded nothing"
        for ref, (state, _created) in first.items():
            assert state in RESTING, (ref, state)
        for ref in valid:
            assert first[ref][0] in PROCESSED, (ref, first[ref])
        second = self.take(items(), base_dir)
        assert set(second) == set(first), (sorted(first), sorted(second))
        assert not any(created for _, created in second.values()), second
        assert {ref: state for ref, (state, _) in second.items()} == {
            ref: state for ref, (state, _) in first.items()
        }
        return first


# -- bytes -----------------------------------------------------------------------------------


@st.composite
def mutated_bytes(draw: st.DrawFn, content: bytes, *, max_hits: int = 3) -> bytes:
    """The content with a few bytes flipped, a run inserted or removed, or cut short."""
    for _ in range(draw(st.integers(1, max_hits))):
        operation = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, max(0, len(content) - 1)))
        if operation == "flip" and content:
            content = (
                content[:at] + bytes([content[at] ^ draw(st.integers(1, 255))]) + content[at + 1 :]
            )
        elif operation == "insert":
            content = content[:at] + draw(st.binary(min_size=1, max_size=16)) + content[at:]
        elif operation == "delete":
            content = content[:at] + content[at + draw(st.integers(1, 64)) :]
        else:
            content = content[:at]
    return content


HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "NaN",
            "Infinity",
            "-1e999",
            "9" * 5000,
            "\x00\x1b[31m",
            "\ud800",
            "ja\u202enei",
            "1.250,5",
            "31.02.2026",
            "0000-00-00",
            "x" * 5000,
        ]
    ),
)


# -- PDF forms -------------------------------------------------------------------------------

PDF_VALUES: st.SearchStrategy[PdfObject] = st.one_of(
    st.binary(max_size=24).map(lambda b: ByteStringObject(b"\xfe\xff" + b)),
    st.binary(max_size=24).map(ByteStringObject),
    HOSTILE_TEXT.map(lambda t: TextStringObject(t.encode("utf-8", "replace").decode("utf-8"))),
    st.integers(-(10**30), 10**30).map(NumberObject),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: FloatObject(str(f))),
    st.sampled_from(["/Yes", "/Off", "/", "/Ja#20"]).map(NameObject),
    st.just(ArrayObject([TextStringObject("a"), NumberObject(1)])),
    st.just(DictionaryObject()),
)


@st.composite
def mutated_form(draw: st.DrawFn) -> bytes:
    """A demo form with field values replaced (any PDF object), or its bytes broken."""
    base = valid_form(draw(st.integers(1, 4)))
    if draw(st.booleans()):
        return draw(mutated_bytes(base))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(base)))
    fields = [ref.get_object() for ref in writer.root_object["/AcroForm"]["/Fields"]]
    for _ in range(draw(st.integers(1, 3))):
        field: Any = draw(st.sampled_from(fields))
        field[NameObject("/V")] = draw(PDF_VALUES)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- workbooks -------------------------------------------------------------------------------

_CELL = re.compile(rb"<c r=\"[A-Z]+\d+\"[^>]*?(?:/>|>.*?</c>)", re.S)


def _xml_text(text: str) -> bytes:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.encode("utf-8", "surrogatepass")


CELLS = st.one_of(
    HOSTILE_TEXT.map(lambda t: b'<c t="inlineStr"><is><t>' + _xml_text(t) + b"</t></is></c>"),
    st.sampled_from(
        [
            b"<c><v>1e999</v></c>",
            b"<c><v>NaN</v></c>",
            b"<c><v>abc</v></c>",
            b'<c t="b"><v>7</v></c>',
            b'<c t="s"><v>99999</v></c>',
            b'<c t="e"><v>#DIV/0!</v></c>',
            b'<c t="d"><v>ikke en dato</v></c>',
            b'<c s="1"><v>45000</v></c>',
            b'<c t="inlineStr"><is><t>uavsluttet',
            b"",
        ]
    ),
)


@st.composite
def mutated_workbook(draw: st.DrawFn, base: bytes) -> bytes:
    """A valid workbook with cells replaced, rows added (also far down), <dimension> dropped,
    the sheet XML broken, or the zip's bytes broken."""
    if draw(st.integers(0, 4)) == 0:
        return draw(mutated_bytes(base))
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    sheet = parts[SHEET_XML]
    cells = _CELL.findall(sheet)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["cell", "dimension", "row", "xml"]))
        if operation == "cell" and cells:
            sheet = sheet.replace(draw(st.sampled_from(cells)), draw(CELLS), 1)
        elif operation == "dimension":
            sheet = re.sub(rb"<dimension[^>]*/>", b"", sheet)
        elif operation == "row":
            number = draw(st.sampled_from([0, 1, 2, 3, 9, 1048576, 1048577]))
            sheet = sheet.replace(b"</sheetData>", b'<row r="%d">' % number + draw(CELLS)
                                  + b"</row></sheetData>")  # fmt: skip
        else:
            sheet = draw(mutated_bytes(sheet, max_hits=1))
    parts[SHEET_XML] = sheet
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


# -- JSON: NAV søknader and cases (work items, e-mail) --------------------------------------

#: Stands for an integer of 5000 digits until json_bytes writes it (hypothesis cannot show one).
BIG = "@@5000-digits@@"

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | HOSTILE_TEXT
    | st.sampled_from([BIG, float("nan"), float("inf")]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


@st.composite
def mutated_json(draw: st.DrawFn, document: dict[str, Any]) -> Any:
    """The document with one to three values deleted, replaced by any JSON value, or nested."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        if not paths:
            break
        *parents, last = draw(st.sampled_from(paths))
        node: Any = document
        for part in parents:
            node = node[part]
        operation = draw(st.sampled_from(["delete", "replace", "nest"]))
        if operation == "delete" and isinstance(node, dict):
            del node[last]
        elif operation == "replace":
            node[last] = draw(JSON_VALUES)
        else:
            inner = node[last]
            for _ in range(draw(st.integers(1, 40))):
                inner = draw(st.sampled_from([[inner], {"x": inner}]))
            node[last] = inner
    return document


def json_bytes(value: Any) -> bytes:
    """JSON as a sender might write it: NaN as Python writes it, BIG as a 5000-digit integer."""
    text = json.dumps(value, ensure_ascii=False).replace(f'"{BIG}"', "9" * 5000)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def mutated_nav(draw: st.DrawFn) -> bytes:
    """The NAV fixture with values, structure or bytes changed."""
    document = json.loads(NAV_FIXTURE.read_text(encoding="utf-8"))
    content = json_bytes(draw(mutated_json(document)))
    return draw(mutated_bytes(content, max_hits=1)) if draw(st.integers(0, 3)) == 0 else content


def demo_case(reference: str) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(DEMO_CASE.read_text(encoding="utf-8"))
    case["reference"] = reference
    return case


# -- work items ------------------------------------------------------------------------------


@st.composite
def mutated_work_items(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A work-items file: a valid case, then a mutated one (payload, files or bytes); and
    whether the valid one is still intact (its bytes not hit)."""
    valid = {"payload": demo_case("WI-VALID"), "files": {}}
    hostile: Any = {"payload": draw(mutated_json(demo_case("WI-HOSTILE"))), "files": {}}
    shape = draw(st.sampled_from(["payload", "payload", "item", "files", "bytes"]))
    if shape == "item":
        hostile = draw(JSON_VALUES)
    elif shape == "files":
        hostile["files"] = draw(JSON_VALUES)
    content = json_bytes([valid, hostile])
    if shape == "bytes":
        return draw(mutated_bytes(content, max_hits=1)), False
    return content, True


# -- e-mail ----------------------------------------------------------------------------------


HEADER_BYTES = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    st.sampled_from([b"", b"<>", b"=?utf-8?b?////?=", b"=?x-unknown?q?=FF?=", b"\xff\xfe<a@b>"]),
)


@st.composite
def mutated_mail(draw: st.DrawFn) -> bytes:
    """An e-mail with an application attached (a case as JSON, or a demo form), with its
    headers (raw bytes), attachment name, type or content, or the message's bytes changed."""
    message = EmailMessage()
    message["Message-ID"] = "<soknad@innbygger.example.no>"
    message["From"] = "innbygger@example.no"
    message["Subject"] = "Søknad"
    message.set_content("Her er søknaden min.")
    if draw(st.booleans()):
        data = json_bytes(draw(mutated_json(demo_case("EP-HOSTILE"))))
        name, subtype = "soknad.json", "json"
    else:
        data, name, subtype = draw(mutated_form()), "skjema.pdf", "pdf"
    subtype = draw(st.sampled_from([subtype, subtype, "octet-stream", "json", "pdf"]))
    message.add_attachment(data, maintype="application", subtype=subtype, filename=name)
    message.set_boundary("saksrobot-grense")  # email would draw one with `random`
    raw = message.as_bytes()
    header = draw(st.sampled_from([b"Message-ID", b"Subject", b"Content-Disposition", None]))
    if header is not None:
        hostile = draw(HEADER_BYTES)
        raw = re.sub(header + rb": [^\r\n]*", lambda _: header + b": " + hostile, raw, count=1)
    if draw(st.integers(0, 3)) == 0:
        raw = draw(mutated_bytes(raw, max_hits=2))
    return raw
