"""The package's layout: no import cycles, the CLI imported by nothing outside it, the rule
engine apart from the rule tools, no module importing another's private names, and no test
or demo code in the runtime package."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from runner.settings import CONTENT_ROOT

RUNNER = CONTENT_ROOT / "runner"

def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in RUNNER.rglob("*.py"):
        parts = list(path.relative_to(CONTENT_ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, also inside functions; not those under `if TYPE_CHECKING`."""
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _imports(node.orelse)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    yield from _imports(inner)  # type: ignore[arg-type]


def _edges(module: str) -> Iterator[tuple[str, str]]:
    """(imported module, name imported from it or "") for each import of a runner module."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in _imports(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""
            continue
        base = node.module or ""
        if node.level:
            parent = package[: len(package) - node.level + 1]
            base = ".".join([*parent, base] if base else parent)
        for alias in node.names:
            whole = f"{base}.{alias.name}"
            yield (whole, "") if whole in MODULES else (base, alias.name)


def _graph() -> dict[str, set[str]]:
    return {
        module: {target for target, _ in _edges(module) if target in MODULES and target != module}
        for module in MODULES
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_nothing_outside_the_cli_imports_it() -> None:
    outside = [
        f"{module} imports {target}"
        for module in MODULES
        if not (module == "runner.cli" or module.startswith("runner.cli."))
        for target, _ in _edges(module)
        if target == "runner.cli" or target.startswith("runner.cli.")
    ]
    assert outside == []


def test_the_rule_engine_does_not_import_the_rule_tools() -> None:
    engine = [m for m in MODULES if m == "runner.rules" or m.startswith("runner.rules.")]
    tools = [
        f"{module} imports {target}"
        for module in engine
        for target, _ in _edges(module)
        if target.startswith("runner.ruletools")
    ]
    assert tools == []


def test_no_module_imports_another_modules_private_names() -> None:
    private = {
        (module, target, name)
        for module in MODULES
        for target, name in _edges(module)
        if name.startswith("_") and not name.startswith("__") and target != module
    }
    assert private == set()


def test_the_runtime_package_holds_no_demo_or_test_code() -> None:
    assert not (RUNNER / "synthetic.py").exists()
    dev_only = ("pytest", "hypothesis", "pyinstrument", "aiosmtpd", "demo", "tests")
    imported = {target.split(".")[0] for module in MODULES for target, _ in _edges(module)}
    assert imported.isdisjoint(dev_only)
