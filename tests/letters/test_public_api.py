"""The public surface of runner.letters: every name in __all__ imports; and what the letters use
of other libraries is their public API (fpdf2's private names only in pdf_fonts.py)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import runner.letters
from runner.letters.pdf_fonts import FPDF2_INTERNALS


def test_every_public_name_imports() -> None:
    module = importlib.import_module("runner.letters")
    for name in runner.letters.__all__:
        assert getattr(module, name) is not None, name
    assert {
        "LetterTemplates",
        "LetterDraft",
        "PdfRenderer",
        "appeal_deadline",
        "markdown_to_html",
    } <= set(runner.letters.__all__)


LETTERS = Path(runner.letters.__file__).parent
#: The one module allowed fpdf2's private names: it reuses parsed fonts (see its docstring).
EXCEPTION = LETTERS / "pdf_fonts.py"
#: What the letters use of fpdf2 and markdown-it-py outside that module: documented API only.
PUBLIC = {"fpdf": {"FPDF"}, "markdown_it": {"MarkdownIt"}, "markdown_it.token": {"Token"}}
#: Names that reach into an object whatever it is.
INTRUSIVE = {"__dict__", "__class__", "__setattr__", "__new__", "__slots__"}


def _own_private_names() -> set[str]:
    """The names starting with "_" that runner's own code defines."""
    names: set[str] = set()
    for path in Path(runner.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in {"self", "cls"}
            ):
                names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name)
    return {name for name in names if name.startswith("_") and not name.startswith("__")}


def _private_uses(path: Path, own: set[str]) -> list[str]:
    """Where the module uses another library's private or undocumented names."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported_from_others: set[str] = set()
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if module.split(".")[0] in {"runner", "__future__"}:
                continue
            for alias in node.names:
                imported_from_others.add(alias.asname or alias.name)
                private = alias.name.startswith("_") or any(
                    part.startswith("_") for part in module.split(".")
                )
                undocumented = module.split(".")[0] in {"fpdf", "markdown_it"} and (
                    alias.name not in PUBLIC.get(module, set())
                )
                if private or undocumented:
                    found.append(f"{where} from {module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if any(part.startswith("_") for part in parts) or (
                    parts[0] in {"fpdf", "markdown_it"} and alias.name not in PUBLIC
                ):
                    found.append(f"{where} import {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            on_self = isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"}
            dunder = node.attr.startswith("__")
            if node.attr in INTRUSIVE or not (dunder or on_self or node.attr in own):
                found.append(f"{where} .{node.attr}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id in imported_from_others for base in node.bases
        ):
            for item in node.body:
                name = item.name if isinstance(item, ast.FunctionDef) else ""
                if name.startswith("_") and not name.startswith("__"):
                    found.append(f"{path.name}:{item.lineno} overrides {name}")
    return found


def test_only_pdf_fonts_uses_other_libraries_private_names() -> None:
    own = _own_private_names()
    modules = sorted(LETTERS.glob("*.py"))
    assert EXCEPTION in modules
    found = [use for path in modules if path != EXCEPTION for use in _private_uses(path, own)]
    assert found == []
    # ...and what the exception uses is what it lists (and its tests check on fpdf2)
    used = {
        use.rsplit(" ", 1)[-1].lstrip(".")
        for use in _private_uses(EXCEPTION, own)
        if " import " not in use
    }
    assert used and used <= {name for names in FPDF2_INTERNALS.values() for name in names}
