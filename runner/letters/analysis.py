"""What a parsed template reads from its context and which other templates it pulls in."""

from __future__ import annotations

from jinja2 import meta, nodes

__all__ = ["context_paths", "referenced_templates"]


def referenced_templates(ast: nodes.Template) -> list[str | None]:
    """Names in `{% include %}`, `{% extends %}`, `{% import %}`; None where a name is computed."""
    return list(meta.find_referenced_templates(ast))


def context_paths(ast: nodes.Template) -> set[str]:
    """The context variables a template reads, with the attribute paths it reads below them.

    `{{ case.property.gnr }}` gives `case`, `case.property` and `case.property.gnr`;
    `{% for rule in rules %}{{ rule.title }}` gives `rules`, `rules[]` and `rules[].title`.
    The nb and nn templates of a letter should give the same set.
    """
    undeclared = meta.find_undeclared_variables(ast)
    aliases: dict[str, str] = {}
    paths: set[str] = set(undeclared)

    def path_of(node: nodes.Node) -> str | None:
        if isinstance(node, nodes.Name):
            if node.name in aliases:
                return aliases[node.name]
            return node.name if node.name in undeclared else None
        if isinstance(node, nodes.Getattr):
            base = path_of(node.node)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem):
            base = path_of(node.node)
            key = node.arg
            if base and isinstance(key, nodes.Const) and isinstance(key.value, str):
                return f"{base}.{key.value}"
            return f"{base}[]" if base else None
        if isinstance(node, nodes.Filter) and node.node is not None:
            # `rules|selectattr(...)` or `x|default(...)` still reads from the same values.
            return path_of(node.node)
        return None

    def record(path: str | None) -> None:
        while path:
            paths.add(path)
            path = path.rpartition(".")[0] if "." in path else None

    # find_all walks depth first in source order, so an outer loop's alias is known before
    # an inner loop uses it.
    for node in ast.find_all((nodes.For, nodes.Assign, nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.For):
            source = path_of(node.iter)
            record(source)
            if source and isinstance(node.target, nodes.Name):
                aliases[node.target.name] = f"{source}[]"
                record(f"{source}[]")
        elif isinstance(node, nodes.Assign):
            source = path_of(node.node)
            if source and isinstance(node.target, nodes.Name):
                aliases[node.target.name] = source
        else:
            record(path_of(node))
    return paths
