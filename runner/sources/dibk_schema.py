"""The XSD a DiBK application is checked against, and whether the mapping can read it.

The shipped schema (runner/sources/schemas/tiltakutenansvarsrett-3.0.xsd) is written by
saksrobot; a kommune that has DiBK's official file names it in the robot's source
(`xsd: /etc/saksrobot/dibk/tiltakutenansvarsrett.xsd`). A schema is loaded once per process,
without entities and without fetching anything outside its own folder (an xs:include or
xs:import of a remote or outside file is refused). `schema_problems` is what
`saksrobot kommuner check` reports: the schema loads, its target namespace is the form's, and
every element the mapping reads (runner/sources/dibk_paths.py) is in it with a type the mapping
can read.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import xmlschema
from xmlschema.exceptions import XMLResourceBlocked
from xmlschema.validators import XsdSimpleType

from runner.errors import ConfigurationError, FieldProblem
from runner.sources.dibk_paths import NAMESPACE, ROOT, FormPath, Reads

SHIPPED_SCHEMA = Path(__file__).parent / "schemas" / "tiltakutenansvarsrett-3.0.xsd"

#: The XSD built-in types a value the mapping reads one way may be of (or derive from).
ACCEPTED: dict[Reads, tuple[str, ...]] = {
    "number": ("decimal", "float", "double"),
    "number or text": ("decimal", "float", "double", "string"),
    "integer": ("integer",),
    "integer or text": ("integer", "string"),
    "boolean": ("boolean",),
    "date": ("date",),
}
#: What the mapping expects, in the words of the check.
EXPECTED: dict[Reads, str] = {
    "element": "elementet",
    "text": "tekst (en enkel type)",
    "number": "et tall (xs:decimal, xs:float eller xs:double)",
    "number or text": "et tall eller tekst (xs:decimal, xs:float, xs:double eller xs:string)",
    "integer": "et heltall (xs:integer eller en type avledet av den)",
    "integer or text": "et heltall eller tekst (xs:integer eller xs:string)",
    "boolean": "ja/nei (xs:boolean)",
    "date": "en dato (xs:date)",
}
UPDATE_MAPPING = (
    "mappingen må oppdateres for denne skjemaversjonen (runner/sources/dibk_paths.py og "
    "dibk.py); til da settes søknader som trenger feltet i karantene med denne stien"
)


def form_schema(path: Path | None = None) -> xmlschema.XMLSchema:
    """The form's XSD at `path` (None: the shipped one), loaded once per process; a
    ConfigurationError (in Norwegian, with the fix) when it cannot be read or compiled or
    reaches outside its folder."""
    return _load(path or SHIPPED_SCHEMA)


@cache
def _load(path: Path) -> xmlschema.XMLSchema:
    fix = (
        "pek xsd: i robotfilen på DiBKs XSD for skjemaet (en lokal fil; filer den inkluderer "
        "må ligge i samme mappe), eller ta bort xsd: for å bruke skjemaet som følger med"
    )
    try:
        return xmlschema.XMLSchema(
            str(path), base_url=str(path.parent), allow="sandbox", defuse="always"
        )
    except XMLResourceBlocked as error:
        raise ConfigurationError(
            f"XSD-en {path} henter en fil fra nettet eller utenfor mappen sin ({error}); "
            "saksrobot henter ikke slike filer",
            fix=fix,
        ) from error
    except (xmlschema.XMLSchemaException, SyntaxError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigurationError(
            f"XSD-en {path} kan ikke leses som XSD: {first}", fix=fix
        ) from error
    except OSError as error:
        raise ConfigurationError(
            f"XSD-en {path} kan ikke leses: {error.strerror or error}", fix=fix
        ) from error


def schema_problems(path: Path | None = None) -> list[FieldProblem]:
    """Why the mapping cannot read applications valid under the schema at `path` (None: the
    shipped one), each naming the XML path (empty: the schema and the mapping fit)."""
    try:
        schema = form_schema(path)
    except ConfigurationError as error:
        return [FieldProblem("", error.message, error.fix or "")]
    if schema.target_namespace != NAMESPACE:
        return [
            FieldProblem(
                "",
                f"skjemaets navnerom er «{schema.target_namespace}», men mappingen leser "
                f"«{NAMESPACE}»",
                "bruk XSD-en for «søknad om tiltak uten ansvarsrett» 3.0, eller oppdater "
                "mappingen for dette skjemaet",
            )
        ]
    if schema.find(f"f:{ROOT}", {"f": NAMESPACE}) is None:
        return [
            FieldProblem(
                ROOT,
                f"skjemaet har ikke rotelementet {ROOT}, som mappingen leser",
                "bruk XSD-en for «søknad om tiltak uten ansvarsrett» 3.0",
            )
        ]
    problems: list[FieldProblem] = []
    missing: dict[str, list[str]] = {}
    for field in FormPath:
        element, found = _find(schema, field.path)
        if element is None:
            missing.setdefault(found, []).append(field.path)
            continue
        reason = _unreadable(schema, element, field.reads)
        if reason is not None:
            problems.append(FieldProblem(field.path, reason, UPDATE_MAPPING))
    for absent, paths in missing.items():
        read = ", ".join(paths)
        problems.append(
            FieldProblem(
                absent,
                f"elementet finnes ikke i skjemaet; mappingen leser {read}",
                UPDATE_MAPPING,
            )
        )
    return sorted(problems, key=lambda problem: problem.location)


def _find(schema: xmlschema.XMLSchema, path: str) -> tuple[xmlschema.XsdElement | None, str]:
    """The schema's element at `path` below the root; else None and the first step that is
    not there (as a path from the root)."""
    steps = [ROOT, *path.split("/")]
    namespaces = {"f": NAMESPACE}
    element: object = None
    for depth in range(1, len(steps) + 1):
        element = schema.find("/".join(f"f:{step}" for step in steps[:depth]), namespaces)
        if not isinstance(element, xmlschema.XsdElement):
            return None, "/".join(steps[1:depth]) or ROOT
    assert isinstance(element, xmlschema.XsdElement)
    return element, path


def _unreadable(
    schema: xmlschema.XMLSchema, element: xmlschema.XsdElement, reads: Reads
) -> str | None:
    """Why the mapping cannot read the element's value the way it does (None: it can)."""
    if reads == "element":
        return None
    kind = element.type
    if isinstance(kind, XsdSimpleType):
        simple: XsdSimpleType | None = kind
    else:
        content = kind.content if kind.has_simple_content() else None
        simple = content if isinstance(content, XsdSimpleType) else None
    if simple is None:
        return f"mappingen leser {EXPECTED[reads]}, men elementet har underelementer"
    if reads == "text":
        return None
    builtins = schema.builtin_types()
    if any(simple.is_derived(builtins[name]) for name in ACCEPTED[reads]):
        return None
    name = simple.prefixed_name or "en anonym type"
    return f"mappingen leser {EXPECTED[reads]}, men skjemaet har {name}"
