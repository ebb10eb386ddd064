"""Validating data read from a YAML or JSON document: the one way typedseg does it, in pydantic's JSON mode.

Models are strict (`"80000"` is not an int), and in Python mode a strict tuple field refuses a list; a YAML or
JSON document has no tuples, so its data is validated in JSON mode, where arrays fill tuple fields
(`betas: [0.9, 0.999]`) and every other rule stays strict. Nested validators that validate a member themselves (lazy
unions, one-or-many fields, the user branch) must keep that mode, or a tuple deep in a document fails.
"""

import json
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def _as_json(data: Any) -> str:
    # NaN and infinities pass through as JSON's extensions, so that the models refuse them with their own message.
    return json.dumps(data, allow_nan=True)


def validate_document_data(cls: type[M], data: Any) -> M:
    """`data` (mappings, lists and scalars from a document) validated by `cls` in JSON mode."""
    return cls.model_validate_json(_as_json(data))


def validate_document_value(adapter: TypeAdapter[T], data: Any) -> T:
    """`data` validated by a `TypeAdapter` in JSON mode (a field type that is not a model)."""
    return adapter.validate_json(_as_json(data))
