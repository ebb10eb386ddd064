"""A typed stand-in for sections whose models have not landed yet (model, dataset).

It keeps the section's `type` and its keys exactly as written, so configs that use it load, show, export and
compare. The segmentation sections replace it with real models; until then it is the one place where unknown keys
are kept rather than refused, and `typedseg validate` says so with a warning.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


class OpaqueSection(BaseModel):
    """A section typedseg does not check yet: its `type` and keys are kept as written."""

    model_config = ConfigDict(frozen=True, extra="allow", strict=True)

    type: str
    """The component's type name."""

    def __init__(self, /, type: str, **data: Any) -> None:
        super().__init__(type=type, **data)

    @model_validator(mode="after")
    def _freeze_sequences(self) -> OpaqueSection:
        # Lists become tuples, as in typed sections: the same value compares equal from every format.
        extra = self.__pydantic_extra__ or {}
        for key, value in extra.items():
            extra[key] = _frozen(value)
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OpaqueSection):
            return NotImplemented
        return self.type == other.type and self.__pydantic_extra__ == other.__pydantic_extra__

    def __hash__(self) -> int:
        return hash((self.type, repr(sorted((self.__pydantic_extra__ or {}).items()))))
