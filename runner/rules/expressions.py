"""CEL expressions: compiled once, with the variable paths they name (for tracing and speed).

Each expression is compiled twice from one source. The original is checked and shown to
people; the program that runs reads every dotted path as one flat variable
(`case.measure.kind` → `case__measure__kind`, `has(case.x.y)` → `has__case__x__y`). The
bindings copy a nested map each time a field of it is read, and convert nested maps slowly,
so flat variables make a case several times cheaper. Rules see the same values either way:
a missing path is an undefined variable instead of a missing key, which CEL treats alike
(an error, absorbed by `||` and `&&` in the same way).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cel

#: Variables a rule expression may use.
RULE_VARIABLES = frozenset({"case", "p", "p_from", "r", "v", "k", "decision_date"})
#: Variables a decision-table expression may use.
DECISION_VARIABLES = frozenset({"case", "p", "r", "v", "k", "any_uncertain", "all_met"})
#: Variables whose dotted paths are traced ("values it read") and flattened.
PATH_ROOTS = ("case", "p_from", "p", "r", "v", "k", "decision_date")

VarPath = tuple[str, ...]

_STRING_LITERAL = re.compile(
    r"""[rRbB]{0,2}(?:'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")""",
    re.DOTALL,
)
_ROOT = "(?<![\\w.])(" + "|".join(PATH_ROOTS) + ")\\b"
_PATH = re.compile(_ROOT + r"((?:\s*\.\s*[A-Za-z_]\w*)*)")
_SEGMENT = re.compile(r"\s*\.\s*([A-Za-z_]\w*)")
_HAS = re.compile(r"(?<![\w.])has\s*\(\s*" + _ROOT + r"((?:\s*\.\s*[A-Za-z_]\w*)+)\s*\)")
_BOUND = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")


class ExpressionError(ValueError):
    """An expression does not compile or names something that does not exist."""


def flat_name(path: VarPath) -> str:
    """The flat variable that holds the value at `path`."""
    return "__".join(path)


def has_name(path: VarPath) -> str:
    """The flat variable that says whether the last key of `path` is present."""
    return "has__" + "__".join(path)


@dataclass(frozen=True, slots=True)
class Expression:
    """One compiled CEL expression and what it reads."""

    source: str
    program: cel.Program  # runs on flat variables
    variables: frozenset[str]  # the roots it uses: case, p, r, ...
    paths: tuple[VarPath, ...]  # every path it names, for the trace ("values it read")
    flat: tuple[VarPath, ...]  # paths it reads as flat variables
    has: tuple[VarPath, ...]  # paths it tests with has()
    whole: frozenset[str]  # roots it uses as a whole (size(case), r['x'], decision_date)

    def execute(self, context: cel.Context) -> Any:
        return self.program.execute(context)

    @property
    def reads_results(self) -> bool:
        """Whether it reads earlier rules' outcomes or values (`r`, `v`)."""
        return "r" in self.variables or "v" in self.variables


def mask_strings(source: str) -> str:
    """The source with the inside of string literals blanked, keeping every offset."""

    def blank(match: re.Match[str]) -> str:
        text = match.group(0)
        return text[0] + " " * (len(text) - 2) + text[-1] if len(text) >= 2 else text

    return _STRING_LITERAL.sub(blank, source)


def _path_spans(masked: str) -> list[tuple[int, int, VarPath]]:
    """(start, end, path) of every dotted path; a trailing `.name(` is a method, not a field."""
    spans: list[tuple[int, int, VarPath]] = []
    for match in _PATH.finditer(masked):
        names: list[str] = [match.group(1)]
        end = match.end(1)
        for segment in _SEGMENT.finditer(match.group(2)):
            after = masked[match.start(2) + segment.end() :].lstrip()
            if after.startswith("("):
                break
            names.append(segment.group(1))
            end = match.start(2) + segment.end()
        spans.append((match.start(), end, tuple(names)))
    return spans


def find_paths(source: str) -> tuple[VarPath, ...]:
    """Every dotted variable path in `source`: "case.measure.kind" → ("case", "measure", "kind")."""
    return tuple(dict.fromkeys(path for _, _, path in _path_spans(mask_strings(source))))


def flatten(source: str) -> tuple[str, tuple[VarPath, ...], tuple[VarPath, ...]]:
    """Rewrite paths as flat variables; return the new source, its flat paths and has() paths."""
    masked = mask_strings(source)
    edits: list[tuple[int, int, str]] = []
    has_paths: list[VarPath] = []
    for match in _HAS.finditer(masked):
        names = [match.group(1), *(s.group(1) for s in _SEGMENT.finditer(match.group(2)))]
        has_paths.append(tuple(names))
        edits.append((match.start(), match.end(), has_name(tuple(names))))
    inside_has = [(start, end) for start, end, _ in edits]
    flat_paths: list[VarPath] = []
    for start, end, path in _path_spans(masked):
        if len(path) < 2 or any(a <= start < b for a, b in inside_has):
            continue
        flat_paths.append(path)
        edits.append((start, end, flat_name(path)))
    text = source
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, tuple(dict.fromkeys(flat_paths)), tuple(dict.fromkeys(has_paths))


def compile_expression(source: str, allowed: frozenset[str]) -> Expression:
    """Compile `source`; raise ExpressionError naming an unknown variable or a syntax error."""
    try:
        checked = cel.compile(source)
    except Exception as error:  # the bindings raise ValueError/RuntimeError on syntax errors
        message = " ".join(str(error).split())
        raise ExpressionError(f"CEL does not compile: {message}") from error
    variables = frozenset(checked.variables())
    bound = set(_BOUND.findall(mask_strings(source)))
    unknown = sorted(variables - allowed - bound)
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, sorted(allowed), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ExpressionError(
            f"unknown variable '{name}' in CEL expression{hint} "
            f"(available: {', '.join(sorted(allowed))})"
        )
    shadowed = sorted(bound & set(PATH_ROOTS))
    if shadowed:
        raise ExpressionError(
            f"'{shadowed[0]}' is used as a comprehension variable; pick another name "
            f"(e.g. `x`), since {', '.join(PATH_ROOTS)} are the rule variables"
        )
    flat_source, flat, has = flatten(source)
    try:
        program = cel.compile(flat_source)
    except Exception as error:  # a rewrite the scan got wrong: a bug, say so plainly
        raise ExpressionError(f"internal rewrite failed for this expression: {error}") from error
    paths = find_paths(source)
    named = {path[0] for path in flat + has}
    whole = frozenset(
        name
        for name in variables & set(PATH_ROOTS)
        if name not in named or any(path == (name,) for path in paths)
    )
    paths += tuple((name,) for name in sorted(whole) if (name,) not in paths)
    return Expression(source, program, variables & allowed, paths, flat, has, whole)


_FLAT_IN_MESSAGE = re.compile(r"'((?:has__)?(?:" + "|".join(PATH_ROOTS) + r")__\w+)'")


def error_text(error: Exception) -> str:
    """The technical side of a runtime error, naming paths as written (k.sats, not k__sats)."""
    text = " ".join(str(error).split()).split(". Check that the variable", 1)[0]

    def dotted(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("has__"):
            return "'has(" + name.removeprefix("has__").replace("__", ".") + ")'"
        return "'" + name.replace("__", ".") + "'"

    return f"{type(error).__name__}: {_FLAT_IN_MESSAGE.sub(dotted, text)}"


def resolve_path(data: Mapping[str, Any], path: VarPath) -> Any:
    """The value at `path` in `data`, or None where a key is missing."""
    current: Any = data
    for name in path:
        if isinstance(current, Mapping) and name in current:
            current = current[name]
        else:
            return None
    return current
