"""Write tests/robustness/fixtures/: one bad case file per kind, plus the words its error needs.

Run `python -m tests.robustness.make_fixtures` after changing a kind; the files are committed.
Each `<kind>.json` (or .bin) is a valid demo case with exactly one defect; `<kind>.expect`
holds the JSON path the error must name on its first line and, on the next lines, words
the reason must contain. The symlink kinds are made at test time (git keeps no symlinks).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "fixtures"
BASE = Path(__file__).resolve().parents[2] / "demo" / "inbox" / "byggesak" / "BS-2026-000107.json"


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def _case(reference: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    data["reference"] = reference
    data["attachments"] = [{"kind": "tegning", "file": f"{reference}/fasadar.pdf"}]
    return data


def _with(reference: str, path: str, value: Any) -> bytes:
    data = _case(reference)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    node[last] = value
    return _dump(data)


def _without(reference: str, path: str) -> bytes:
    data = _case(reference)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    del node[last]
    return _dump(data)


def _nested(depth: int) -> bytes:
    data = _case("RB-DEEP")
    inner: Any = "bunn"
    for _ in range(depth):
        inner = {"x": inner}
    data["measure"]["extra"] = inner
    return _dump(data)


def fixtures() -> dict[str, tuple[bytes, str, list[str]]]:
    """kind → (file bytes, JSON path the error names, words the reason contains)."""
    base = _dump(_case("RB-MALFORMED"))
    duplicate = _dump(_case("RB-DUPKEY")).replace(
        b'"kommunenummer": "4627",', b'"kommunenummer": "4627",\n  "kommunenummer": "4627",'
    )
    control = _with("RB-CONTROL", "measure.description", "Garasje\x07 med bod\x1b[31m")
    return {
        "malformed_json": (base[: len(base) // 2], "", ["ugyldig JSON", "linje"]),
        "not_an_object": (b'[{"case_type": "byggesak"}]', "", ["list", "ikke et JSON-objekt"]),
        "wrong_types": (
            _with("RB-TYPES", "measure.built_area_m2", "stor"),
            "measure.built_area_m2",
            ["skal være et tall"],
        ),
        "missing_required": (
            _without("RB-MISSING", "applicant.national_id"),
            "applicant.national_id",
            ["feltet mangler"],
        ),
        "unknown_case_type": (
            _with("RB-CASETYPE", "case_type", "hundeskatt"),
            "case_type",
            ["ukjent sakstype", "hundeskatt"],
        ),
        "invalid_fnr": (
            _with("RB-FNR", "applicant.national_id", "23060661724"),
            "applicant.national_id",
            ["kontrollsiffer"],
        ),
        "kommunenummer_three_digits": (
            _with("RB-KNR", "kommunenummer", "462"),
            "kommunenummer",
            ["fire sifre"],
        ),
        "negative_area": (
            _with("RB-NEGATIVE", "measure.built_area_m2", -12.5),
            "measure.built_area_m2",
            ["for liten", "minst 0"],
        ),
        "absurd_height": (
            _with("RB-HEIGHT", "measure.ridge_height_m", 4800),
            "measure.ridge_height_m",
            ["urimelig stor", "høyst 100"],
        ),
        "absurd_area": (
            _with("RB-AREA", "measure.built_area_m2", 1e12),
            "measure.built_area_m2",
            ["urimelig stor", "høyst 100000"],
        ),
        "future_date": (
            _with("RB-FUTURE", "received_at", "2999-01-05T10:26:00+01:00"),
            "received_at",
            ["fram i tid"],
        ),
        "date_without_offset": (
            _with("RB-NAIVE", "received_at", "2026-01-05T10:26:00"),
            "received_at",
            ["tidssone"],
        ),
        "non_utf8": (
            _dump(_case("RB-LATIN1")).decode("utf-8").encode("latin-1"),
            "",
            ["ikke gyldig UTF-8", "byte"],
        ),
        "empty_file": (b"", "", ["tom"]),
        "whitespace_only": (b"  \n\t\n", "", ["tom"]),
        "attachment_dotdot": (
            _with("RB-DOTDOT", "attachments", [{"kind": "tegning", "file": "../../etc/passwd"}]),
            "attachments[0].file",
            ["'..'"],
        ),
        "attachment_absolute": (
            _with("RB-ABS", "attachments", [{"kind": "tegning", "file": "/etc/passwd"}]),
            "attachments[0].file",
            ["absolutt sti"],
        ),
        "duplicate_keys": (duplicate, "kommunenummer", ["to ganger"]),
        "deep_nesting": (_nested(40), "", ["nøstet for dypt"]),
        "control_characters": (control, "measure.description", ["kontrolltegn"]),
        "unknown_field": (
            _with("RB-EXTRA", "measure.colour", "rød"),
            "measure.colour",
            ["feltet er ukjent"],
        ),
    }


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for kind, (content, location, words) in fixtures().items():
        (HERE / f"{kind}.json").write_bytes(content)
        (HERE / f"{kind}.expect").write_text("\n".join([location, *words]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
