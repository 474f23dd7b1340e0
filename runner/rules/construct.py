"""Result models built from values the engine made and typed itself, without validating again."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def trusted(model: type[M], fields: dict[str, Any]) -> M:
    """`model(**fields)` without validation: about five times cheaper than model_construct.

    Only for values the engine built with the right types (tests compare the result with
    a validated copy). Every field must be given, in the model's order; no defaults are
    filled in and frozen models stay frozen.
    """
    instance = model.__new__(model)
    _set(instance, "__dict__", fields)
    _set(instance, "__pydantic_fields_set__", set(fields))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance
