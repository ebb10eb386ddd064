"""Helpers every model config module uses: default objects, one-or-many fields, interpolation modes."""

from __future__ import annotations

from typing import Any, Literal, TypeVar, cast

from pydantic import TypeAdapter, ValidationInfo, ValidatorFunctionWrapHandler, WrapValidator

from typedseg.config.base import ConfigModel, Seq
from typedseg.config.json_mode import validate_document_value

M = TypeVar("M", bound=ConfigModel)


def default(cls: type[M], **values: Any) -> M:
    """A field's default object, built without validation: no validator is built while typedseg is imported,
    and the object carries no call site. Values must be what validation would store (tuples for sequences);
    tests/config/models check every default against its validated form."""
    return cast(M, cls.model_construct(**values))


def one_or_many(member: Any) -> WrapValidator:
    """For a field typed `X | Seq[X]` (MMEngine takes one dict or a list): validate a list or tuple as `Seq[X]`
    and anything else as `X`, so an error is reported once, against the form that was written.

    Use as `Annotated[X | Seq[X], one_or_many(X)]`; the value keeps its form (one object, or a tuple).
    """
    adapters: dict[bool, TypeAdapter[Any]] = {}

    def validate(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        many = isinstance(value, (list, tuple))
        adapter = adapters.get(many)
        if adapter is None:
            adapter = adapters[many] = TypeAdapter(Seq[member] if many else member)
        if info.mode == "json":  # keep JSON mode's rules (arrays fill tuple fields) for the member too
            return validate_document_value(adapter, value)
        return adapter.validate_python(value)

    return WrapValidator(validate)


InterpolateMode = Literal["nearest", "bilinear", "bicubic", "area"]
"""`F.interpolate` modes for (N, C, H, W) maps."""


Inplace = bool | None
"""An activation's `inplace`: None lets the building module decide (MMCV's ConvModule: True; torch: False)."""
