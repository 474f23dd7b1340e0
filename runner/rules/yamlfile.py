"""Reading one rule-set YAML file with line numbers, and turning its problems into errors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from runner.errors import FieldProblem, RuleSetError

Location = Sequence[str | int | Any]

#: What to do when a field of that name is wrong (the last name in the location wins).
FIELD_HINTS: dict[str, str] = {
    "legal_basis": "every rule needs a non-empty list of {ref, url} with lovdata.no links",
    "version": 'write the version as a quoted string, e.g. version: "2026.1"',
    "valid_from": "write a date as YYYY-MM-DD",
    "valid_to": "write a date as YYYY-MM-DD, or null while the version is in force",
    "title": "give the text in both bokmål and nynorsk: {nb: ..., nn: ...}",
    "explanation": "give a short template in both bokmål and nynorsk: {nb: ..., nn: ...}",
    "description": "give the text in both bokmål and nynorsk: {nb: ..., nn: ...}",
    "confidence": "use V (verified), V2 (two sources) or M (from memory, unverified)",
    "route": "use auto or review",
    "url": "give a full https:// link, e.g. https://lovdata.no/lov/2008-06-27-71/§20-4",
    "id": "use lower-case letters, digits and underscores (rule) or hyphens (rule set)",
    "outcome": "use a lower-case word with underscores, e.g. innvilget or ikke_oppfylt",
}


@dataclass(frozen=True)
class YamlDocument:
    """The parsed data of one YAML file plus its node tree, for line numbers."""

    path: Path
    data: Any
    root: yaml.Node | None

    def line(self, location: Location) -> int | None:
        """The 1-based line of the deepest node that `location` reaches."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in location:
            if isinstance(node, yaml.MappingNode):
                wanted = part.isoformat() if hasattr(part, "isoformat") else str(part)
                found = next((v for k, v in node.value if str(k.value) == wanted), None)
                key = next((k for k, _ in node.value if str(k.value) == wanted), None)
                if found is None or key is None:
                    return line
                node, line = found, key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def problem(self, root: str, location: Location, reason: str, fix: str = "") -> FieldProblem:
        """A FieldProblem at `location`, named like rules[3].condition (line 42)."""
        where = format_location(root, location)
        line = self.line(location)
        if line is not None:
            where = f"{where} (line {line})" if where else f"line {line}"
        return FieldProblem(where, reason, fix or hint_for(location))

    def problems_from(self, root: str, error: ValidationError) -> list[FieldProblem]:
        """One FieldProblem per pydantic error, with its location and line."""
        problems = []
        for item in error.errors(include_url=False):
            location = [_loc_part(part) for part in item["loc"] if part != "[key]"]
            reason = str(item["msg"]).removeprefix("Value error, ")
            problems.append(self.problem(root, location, reason))
        return problems


_DATE_REPR = re.compile(r"^datetime\.date\((\d+), (\d+), (\d+)\)$")


def _loc_part(part: Any) -> Any:
    """pydantic names a date key by its repr; turn it back into the date."""
    match = _DATE_REPR.match(part) if isinstance(part, str) else None
    if match:
        return date(*(int(number) for number in match.groups()))
    return part


def format_location(root: str, location: Location) -> str:
    """rules + (3, "condition") → "rules[3].condition"; dates and odd keys go in brackets."""
    text = root
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            text += f".{part}" if text else part
        else:
            shown = part.isoformat() if hasattr(part, "isoformat") else str(part)
            text += f"[{shown}]"
    return text


def hint_for(location: Location) -> str:
    """The fix hint for the last named field in `location`, if there is one."""
    for part in reversed(list(location)):
        if isinstance(part, str) and part in FIELD_HINTS:
            return FIELD_HINTS[part]
    return ""


def read_yaml(path: Path) -> YamlDocument:
    """Parse a YAML file; a syntax error raises RuleSetError with the line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleSetError(
            "File is missing",
            file=path,
            fix=f"Create {path.name}; a rule set folder holds ruleset.yaml, parameters.yaml, "
            "rules.yaml and tests/*.yaml.",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise RuleSetError(f"File cannot be read: {error}", file=path) from error
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(unknown line)"
        reason = " ".join(part for part in (error.context, error.problem) if part)
        raise RuleSetError(
            "File is not valid YAML",
            file=path,
            problems=[FieldProblem(where, reason or "YAML syntax error")],
            fix="Check indentation, colons after keys, and quotes around text with ': ' or '#'.",
        ) from error
    except yaml.YAMLError as error:
        raise RuleSetError(f"File is not valid YAML: {error}", file=path) from error
    return YamlDocument(path=path, data=data, root=root)
