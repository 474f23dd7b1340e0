"""Reading the case fields the rules use straight from the case model, without dumping it.

Before a context is loaded the case is dumped (`to_python(mode="json", include=...)`,
about 6 µs) and each variable is looked up in the dump (about 4 µs more). For the field
types below, the value in the dump is provably the value the model holds, or a fixed
function of it, so `CaseReader` reads the model itself:

- bool, int, float and text: the same object (pydantic-core writes them as they are);
- a member of an enum whose values are text or int: its value;
- a `date` (not a datetime): its ISO text, which is what pydantic-core writes;
- null where the field is optional;
- a nested model: its own fields, read the same way.

Everything is decided from the model's core schema, which pydantic-core builds its
serializer from, and it reads each field from the model's `__dict__`, as that serializer
does. A model is read only if nothing on the way can change how a value is written: no
serializer of its own, no field alias or exclusion for dumps, nothing but known
validation-only settings in its config; anything else is dumped as before. Then, per
case, each value must be of the exact type its field declares (a model built without
validation, `model_construct`, may hold anything): if one is not, `read` gives None and
the caller dumps that case.

A list of models that the programs bake in as literals (`fused.deferred_names`) is never
handed to the context in a verdict: only its `scopes.projection_key` is needed, and that
is read from the models as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from operator import itemgetter
from typing import Any

from pydantic import BaseModel

from runner.rules.expressions import VarPath

_Node = Mapping[str, Any]  # a part of a pydantic-core schema
#: A leaf's types allowed, each with how its value in the dump is made (None: as it is).
_Spec = dict[type, Callable[[Any], Any] | None]

#: Core config keys that only change how values are validated, never how they are written.
_VALIDATION_CONFIG = frozenset({
    "allow_inf_nan", "cache_strings", "coerce_numbers_to_str", "extra_fields_behavior",
    "from_attributes", "hide_input_in_errors", "loc_by_alias", "regex_engine",
    "revalidate_instances", "str_max_length", "str_min_length", "str_strip_whitespace",
    "str_to_lower", "str_to_upper", "strict", "title", "typed_dict_total",
    "url_preserve_empty_path", "val_json_bytes", "validate_by_alias", "validate_by_name",
    "validate_default", "validation_error_cause",
})  # fmt: skip
#: Schemas whose values are written as their inner schema's (unless they have a serializer).
_WRAPPERS = frozenset({"default", "function-after", "function-before", "nullable"})
_PLAIN: dict[str, type] = {"bool": bool, "int": int, "float": float, "str": str}
#: Signatures of value types checked and kept per reader at most.
MAX_SIGNATURES = 256
_UNSEEN: Any = object()


class Unreadable(Exception):
    """The schema allows something whose dump the reader cannot vouch for."""


def _plain_node(node: _Node) -> _Node:
    """`node`, if nothing in it changes how its value is written."""
    if any(key.startswith("serializ") for key in node):  # serialization, _alias, _exclude…
        raise Unreadable(f"{node.get('type')} with its own serialization")
    config = node.get("config")
    if config is not None and not set(config) <= _VALIDATION_CONFIG:
        raise Unreadable(f"config {sorted(set(config) - _VALIDATION_CONFIG)}")
    return node


class _Schemas:
    """A model's core schema, with its definitions (references to shared schemas)."""

    def __init__(self, model: type[BaseModel]) -> None:
        root: _Node = model.__pydantic_core_schema__
        self.definitions: dict[str, _Node] = {}
        if root.get("type") == "definitions":
            self.definitions = {node["ref"]: node for node in root["definitions"]}
            root = root["schema"]
        self.root = self.resolve(root)

    def resolve(self, node: _Node) -> _Node:
        while node.get("type") == "definition-ref":
            _plain_node(node)
            node = self.definitions[node["schema_ref"]]
        return node

    def model(self, node: _Node) -> tuple[type[BaseModel], dict[str, _Node]]:
        """The class of a model schema and its fields' schemas."""
        node = _plain_node(self.resolve(node))
        if node.get("type") != "model" or node.get("root_model"):
            raise Unreadable(f"not a model: {node.get('type')}")
        fields = _plain_node(self.resolve(node["schema"]))
        if fields.get("type") != "model-fields":
            raise Unreadable(f"model schema {fields.get('type')}")
        cls = node["cls"]
        found = {}
        for name, model_field in fields["fields"].items():
            found[name] = _plain_node(model_field)["schema"]
        return cls, found

    def value(self, node: _Node) -> tuple[_Node, bool]:
        """The schema under the wrappers that write as their inner one; whether null is allowed."""
        nullable = False
        node = _plain_node(self.resolve(node))
        while node.get("type") in _WRAPPERS:
            nullable = nullable or node["type"] == "nullable"
            node = _plain_node(self.resolve(node["schema"]))
        return node, nullable


def _leaf_spec(node: _Node, nullable: bool) -> _Spec:
    """The types a leaf may hold, each with how the dump writes it."""
    kind = node.get("type")
    spec: _Spec
    if kind in _PLAIN:
        spec = {_PLAIN[kind]: None}
    elif kind == "date":
        spec = {date: date.isoformat}
    elif kind == "enum":
        cls: type[Enum] = node["cls"]
        values = {member: member._value_ for member in cls}
        if not all(type(value) in (str, int) for value in values.values()):
            raise Unreadable(f"enum {cls.__name__} with values other than text or int")
        spec = {cls: values.__getitem__}
    else:
        raise Unreadable(f"a leaf of type {kind}")
    if nullable:
        spec[type(None)] = None
    return spec


def _getter(keys: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function giving the values of `keys` in a dict as a tuple (itemgetter's, in C)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda found: (found[key],)
    return itemgetter(*keys)


@dataclass(frozen=True, slots=True)
class _KeyedList:
    """A list of models baked into programs: read for its `scopes.projection_key` only."""

    name: str  # its flat variable
    fields: tuple[str, ...]  # the fields read of each element, in the key's order
    holder: int  # index of the model holding it among `CaseReader._models`' objects
    attribute: str
    item: type[BaseModel]


@dataclass(eq=False)
class CaseReader:
    """The values of a context's case variables, read from a case model of one class.

    `names` are the flat variables given values, in order; `keyed` the lists given
    projection keys instead (by variable name).
    """

    model: type[BaseModel]
    names: tuple[str, ...]
    #: (index of the holding object, its field, its class) of each nested model, parents
    #: first; object 0 is the case itself
    _models: tuple[tuple[int, str, type[BaseModel]], ...]
    #: (index of an object, getter of the leaves read of it), in the order of `names`
    _getters: tuple[tuple[int, Callable[[dict[str, Any]], tuple[Any, ...]]], ...]
    _specs: tuple[_Spec, ...]  # per name
    keyed: tuple[_KeyedList, ...]
    #: signature (the type of each value) → (position, conversion) to apply; None: refused
    _checked: dict[tuple[type, ...], tuple[tuple[int, Callable[[Any], Any]], ...] | None] = field(
        default_factory=dict
    )

    @classmethod
    def build(
        cls,
        model: type[BaseModel],
        groups: Iterable[tuple[VarPath, Iterable[tuple[str, str]]]],
        keyed: Mapping[str, tuple[str, ...]],
    ) -> CaseReader | None:
        """A reader of the leaves in `groups` (parent path under `case` → (variable, key)),
        with the lists in `keyed` (variable → fields) read for their projection keys; None
        if some leaf cannot be read exactly (`Unreadable`)."""
        try:
            return cls._build(model, groups, keyed)
        except Unreadable:
            return None

    @classmethod
    def _build(
        cls,
        model: type[BaseModel],
        groups: Iterable[tuple[VarPath, Iterable[tuple[str, str]]]],
        keyed: Mapping[str, tuple[str, ...]],
    ) -> CaseReader:
        if model.model_dump is not BaseModel.model_dump:  # the case is dumped by its own
            raise Unreadable(f"{model.__name__} has its own model_dump")
        schemas = _Schemas(model)
        if schemas.model(schemas.root)[0] is not model:
            raise Unreadable("the schema is not the model's own")
        objects: dict[VarPath, tuple[int, dict[str, _Node]]] = {
            (): (0, schemas.model(schemas.root)[1])
        }
        models: list[tuple[int, str, type[BaseModel]]] = []

        def holder(path: VarPath) -> tuple[int, dict[str, _Node]]:
            """The index and field schemas of the model at `path` (nested models added)."""
            found = objects.get(path)
            if found is None:
                index, fields = holder(path[:-1])
                if path[-1] not in fields:
                    raise Unreadable(f"no field {path[-1]}")
                nested, nested_fields = schemas.model(schemas.value(fields[path[-1]])[0])
                models.append((index, path[-1], nested))
                found = objects[path] = (len(models), nested_fields)
            return found

        names: list[str] = []
        getters: list[tuple[int, Callable[[dict[str, Any]], tuple[Any, ...]]]] = []
        specs: list[_Spec] = []
        lists: list[_KeyedList] = []
        for path, leaves in groups:
            index, fields = holder(tuple(path))
            keys: list[str] = []
            for name, key in leaves:
                if key not in fields:
                    raise Unreadable(f"no field {key}")
                node, nullable = schemas.value(fields[key])
                if name in keyed:
                    lists.append(_keyed_list(schemas, name, keyed[name], index, key, node))
                    continue
                names.append(name)
                keys.append(key)
                specs.append(_leaf_spec(node, nullable))
            if keys:
                getters.append((index, _getter(tuple(keys))))
        return cls(model, tuple(names), tuple(models), tuple(getters), tuple(specs), tuple(lists))

    def read(self, case: BaseModel) -> tuple[list[Any], dict[str, object]] | None:
        """The values of `names` as the dump holds them, and the projection key of each
        keyed list; None if some value is not of the type its field declares."""
        if type(case) is not self.model:
            return None
        objects: list[BaseModel] = [case]
        for index, name, cls in self._models:
            found = objects[index].__dict__[name]
            if type(found) is not cls:
                return None
            objects.append(found)
        values: list[Any] = []
        for index, getter in self._getters:
            values += getter(objects[index].__dict__)
        signature = tuple(map(type, values))
        conversions = self._checked.get(signature, _UNSEEN)
        if conversions is _UNSEEN:
            conversions = self._check(signature)
        if conversions is None:
            return None
        for position, convert in conversions:
            values[position] = convert(values[position])
        keys: dict[str, object] = {}
        for keyed in self.keyed:
            key = _list_key(objects[keyed.holder].__dict__[keyed.attribute], keyed)
            if key is None:
                return None
            keys[keyed.name] = key
        return values, keys

    def _check(
        self, signature: tuple[type, ...]
    ) -> tuple[tuple[int, Callable[[Any], Any]], ...] | None:
        """The conversions for values of these types; None if one is not allowed."""
        conversions: list[tuple[int, Callable[[Any], Any]]] | None = []
        for position, (kind, spec) in enumerate(zip(signature, self._specs, strict=True)):
            if kind not in spec:
                conversions = None
                break
            convert = spec[kind]
            if convert is not None and conversions is not None:
                conversions.append((position, convert))
        found = None if conversions is None else tuple(conversions)
        if len(self._checked) < MAX_SIGNATURES:
            self._checked[signature] = found
        return found


def _keyed_list(
    schemas: _Schemas, name: str, fields: tuple[str, ...], holder: int, key: str, node: _Node
) -> _KeyedList:
    """A list of models whose read fields are text: keyed from the models themselves."""
    if node.get("type") != "list":
        raise Unreadable(f"{name} is a {node.get('type')}, not a list")
    item, item_fields = schemas.model(schemas.value(node["items_schema"])[0])
    for name_read in fields:
        if name_read not in item_fields:
            raise Unreadable(f"no field {name_read} in {item.__name__}")
        if schemas.value(item_fields[name_read])[0].get("type") != "str":
            raise Unreadable(f"{item.__name__}.{name_read} is not text")
    return _KeyedList(name, fields, holder, key, item)


def _list_key(items: object, keyed: _KeyedList) -> tuple[object, ...] | None:
    """`scopes.projection_key` of the dump of `items` (its text form), if they are models
    of the declared class whose read fields hold text; else None."""
    if type(items) is not list:
        return None
    parts: list[object] = [len(items)]
    item_class, fields = keyed.item, keyed.fields
    for item in items:
        if type(item) is not item_class:
            return None
        values = item.__dict__
        for name in fields:
            value = values[name]
            if type(value) is not str:  # (null, even where allowed: the dump is read then)
                return None
            parts.append(value)
    return tuple(parts)
