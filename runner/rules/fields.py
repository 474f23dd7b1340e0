"""Which dotted paths exist in a JSON schema: the case fields rules and templates may read."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

#: A path segment ending in this reads the items of a list (`case.attachments[]`).
ITEMS = "[]"

#: Methods a template may call on a leaf value (`case.measure.kind.startswith('x')`).
_LEAF_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "array": list}


class SchemaFields:
    """Resolve dotted paths against a JSON schema (refs, nullable unions, arrays, dicts)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._defs: Mapping[str, Any] = schema.get("$defs", {})

    def _resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            name = str(node["$ref"]).rsplit("/", 1)[-1]
            node = self._defs.get(name, {})
        return node

    def _branches(self, node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        """The schema and, for anyOf/oneOf/allOf, every branch of it (null left out)."""
        node = self._resolve(node)
        parts = [*node.get("anyOf", []), *node.get("oneOf", []), *node.get("allOf", [])]
        if not parts:
            yield node
            return
        for part in parts:
            resolved = self._resolve(part)
            if resolved.get("type") != "null":
                yield from self._branches(resolved)

    def _child(self, node: Mapping[str, Any], name: str) -> tuple[list[Mapping[str, Any]], bool]:
        """The schemas of field `name` under `node`, and whether any key is allowed there."""
        found: list[Mapping[str, Any]] = []
        open_keys = False
        for branch in self._branches(node):
            properties = branch.get("properties", {})
            if name in properties:
                found.append(properties[name])
            extra = branch.get("additionalProperties")
            if isinstance(extra, Mapping):
                found.append(extra)
            elif extra is True or (branch.get("type") == "object" and "properties" not in branch):
                open_keys = True
        return found, open_keys

    def _items(self, node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        return [b["items"] for b in self._branches(node) if isinstance(b.get("items"), Mapping)]

    def known(self, node: Mapping[str, Any]) -> list[str]:
        """The field names under `node`, for suggestions."""
        return sorted({key for b in self._branches(node) for key in b.get("properties", {})})

    def _is_leaf_method(self, nodes: Sequence[Mapping[str, Any]], name: str) -> bool:
        for node in nodes:
            for branch in self._branches(node):
                kind = _LEAF_TYPES.get(str(branch.get("type")))
                if kind is not None and not name.startswith("_") and hasattr(kind, name):
                    return True
        return False

    def problem(self, path: Sequence[str], *, root: str = "case") -> str | None:
        """Why `path` (without its root) does not exist, or None if it does."""
        nodes: list[Mapping[str, Any]] = [self.schema]
        walked = root
        for segment in path:
            name, items = (
                (segment[: -len(ITEMS)], True)
                if segment.endswith(ITEMS)
                else (
                    segment,
                    False,
                )
            )
            children: list[Mapping[str, Any]] = []
            open_keys = False
            for node in nodes:
                found, is_open = self._child(node, name)
                children += found
                open_keys = open_keys or is_open
            if not children and not open_keys:
                if self._is_leaf_method(nodes, name):
                    return None
                known = sorted({key for node in nodes for key in self.known(node)})
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"; did you mean '{walked}.{close[0]}'?" if close else ""
                if not known:
                    return f"'{walked}' has no fields, so '{walked}.{name}' does not exist"
                return f"'{walked}.{name}' is not a field of the case model{hint}"
            if open_keys and not children:
                return None  # a free-form mapping: any key may be there
            walked = f"{walked}.{name}"
            if items:
                children = [item for child in children for item in self._items(child)]
                if not children:
                    return f"'{walked}' is not a list, so '{walked}[]' cannot be read"
                walked += ITEMS
            nodes = children
        return None


@lru_cache(maxsize=16)
def case_fields(model: type[BaseModel]) -> SchemaFields:
    """The fields of a case model as the rules see them (JSON dump, computed fields too)."""
    return SchemaFields(model.model_json_schema(mode="serialization"))


def split_path(text: str) -> list[str]:
    """ "case.attachments[].kind" → ["case", "attachments[]", "kind"]."""
    return [part for part in text.split(".") if part]
