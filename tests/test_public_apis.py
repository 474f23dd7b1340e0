"""No module of runner/ uses another package's private names (one font module excepted).

A private name (leading underscore) of fpdf2, SQLAlchemy, markdown-it-py, pydantic or any
other package is not part of its API and may change in any release. This test walks
runner/ and fails on: an import of a private module or name; an attribute with a leading
underscore that runner/ does not define itself; `getattr`/`setattr`/`hasattr` with such a
name; an object's `__dict__`, pydantic's `__pydantic_*__` internals and `object.__setattr__`
on a frozen model; imports of modules a package keeps for its own machinery;
and a class of ours that overrides a private method of a class from another package.

The one exception is runner/letters/pdf_fonts.py, which reuses parsed fonts in fpdf2
(350 ms → under 2 ms a letter); tests/letters/test_pdf_fonts.py fails loudly when an
fpdf2 release breaks what it relies on.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import runner
from runner.letters.pdf_fonts import FPDF2_INTERNALS

PACKAGE = Path(runner.__file__).resolve().parent
EXCEPTED = {PACKAGE / "letters" / "pdf_fonts.py"}
#: Dunder names that are Python's own data model or standard library protocol, not a package's.
DUNDERS_FORBIDDEN_PREFIXES = ("__pydantic",)
DUNDERS_FORBIDDEN = {"__dict__"}
#: Modules other packages keep for their own machinery, though not named with an underscore.
INTERNAL_MODULES = (
    "markdown_it.common",
    "markdown_it.rules_block",
    "markdown_it.rules_core",
    "markdown_it.rules_inline",
    "sqlalchemy.sql.compiler",
    "sqlalchemy.engine.default",
)
#: What runner/ may import of fpdf2 and markdown-it-py outside the font module: their documented
#: entry points (both packages keep much of their machinery in modules without an underscore).
DOCUMENTED = {"fpdf": {"FPDF"}, "markdown_it": {"MarkdownIt"}, "markdown_it.token": {"Token"}}


def _sources() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _defined_names(trees: list[ast.Module]) -> set[str]:
    """Every name runner/ itself defines: functions, classes, parameters, assignments."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.alias) and node.asname:
                names.add(node.asname)
            elif isinstance(node, ast.keyword) and node.arg:
                names.add(node.arg)  # dataclass/pydantic fields set by keyword
    return names


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_forbidden_dunder(name: str) -> bool:
    return name in DUNDERS_FORBIDDEN or name.startswith(DUNDERS_FORBIDDEN_PREFIXES)


def _findings(path: Path, tree: ast.Module, own: set[str]) -> Iterator[str]:
    where = path.relative_to(PACKAGE.parent)
    for node in ast.walk(tree):
        line = f"{where}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "runner":
                continue
            if any(_is_private(part) for part in node.module.split(".")) or (
                node.module.startswith(INTERNAL_MODULES)
            ):
                yield f"{line}: imports the private module {node.module}"
            for alias in node.names:
                if _is_private(alias.name):
                    yield f"{line}: imports the private name {node.module}.{alias.name}"
                elif node.module.split(".")[0] in {"fpdf", "markdown_it"} and (
                    alias.name not in DOCUMENTED.get(node.module, set())
                ):
                    yield f"{line}: imports {node.module}.{alias.name}, not a documented entry"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(_is_private(part) for part in alias.name.split(".")) or (
                    alias.name.startswith(INTERNAL_MODULES)
                ):
                    yield f"{line}: imports the private module {alias.name}"
        elif isinstance(node, ast.Attribute):
            if (
                node.attr == "__setattr__"
                and isinstance(node.value, ast.Name)
                and node.value.id == "object"
            ):
                yield f"{line}: object.__setattr__ goes around a frozen model's own API"
            elif _is_forbidden_dunder(node.attr):
                yield f"{line}: uses {node.attr}, an internal of the object's class"
            elif _is_private(node.attr) and node.attr not in own:
                yield f"{line}: uses .{node.attr}, a private name runner/ does not define"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
            if _is_forbidden_dunder(name) or (_is_private(name) and name not in own):
                yield f"{line}: {node.func.id}(…, {name!r}) reaches a private name"
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _is_forbidden_dunder(node.value)
        ):
            yield f"{line}: names {node.value!r}, an internal of the object's class"


def test_no_private_names_of_other_packages() -> None:
    sources = _sources()
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sources}
    own = _defined_names(list(trees.values()))
    found = [
        finding
        for path, tree in trees.items()
        if path not in EXCEPTED
        for finding in _findings(path, tree, own)
    ]
    assert not found, "Private names of other packages used in runner/:\n" + "\n".join(found)


def test_the_font_module_uses_only_the_fpdf2_internals_it_lists() -> None:
    """What pdf_fonts.py reaches into is what FPDF2_INTERNALS names, which
    tests/letters/test_pdf_fonts.py checks against the installed fpdf2."""
    (path,) = EXCEPTED
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    overrides = {
        finding.split(" ")[0].rsplit(".", 1)[-1]
        for finding in _third_party_private_overrides(path, tree)
    }
    own = _defined_names([ast.parse(p.read_text(encoding="utf-8")) for p in _sources()]) - overrides
    used = overrides | {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and _is_private(node.attr) and node.attr not in own
    }
    listed = {name for names in FPDF2_INTERNALS.values() for name in names}
    assert used, "pdf_fonts.py no longer needs fpdf2's internals: drop it from EXCEPTED"
    assert used <= listed, f"pdf_fonts.py uses {sorted(used - listed)} without listing them"


def _body_names(node: ast.ClassDef) -> set[str]:
    names: set[str] = set()
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(item.name)
        elif isinstance(item, ast.Assign):
            names.update(t.id for t in item.targets if isinstance(t, ast.Name))
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            names.add(item.target.id)
    return names


def _third_party_private_overrides(path: Path, tree: ast.Module) -> Iterator[str]:
    module = importlib.import_module(_module_name(path))
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(module, node.name, None)
        if not inspect.isclass(cls):
            continue
        foreign = [base for base in cls.__mro__[1:] if not base.__module__.startswith("runner")]
        for name in sorted(_body_names(node)):
            if _is_private(name) and any(name in vars(base) for base in foreign):
                yield f"{module.__name__}.{node.name}.{name} overrides another package's {name}"


def test_no_overrides_of_private_methods_of_other_packages() -> None:
    found = [
        finding
        for path in _sources()
        if path not in EXCEPTED and path.name != "__main__.py"  # importing it runs the CLI
        for finding in _third_party_private_overrides(
            path, ast.parse(path.read_text(encoding="utf-8"), str(path))
        )
    ]
    assert not found, "\n".join(found)
