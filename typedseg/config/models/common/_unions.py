"""The layer-config unions (`norm_cfg`, `act_cfg`, `conv_cfg`, `init_cfg`) as fields validate them.

A field typed `NormConfig` imports the norm module only when a config names a norm: validating goes through a
`LazyUnion` over the tags below. Type checkers and the JSON Schema export see the real tagged unions of the
member modules; tests/config/test_unions.py keeps the tag lists equal to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from typedseg.config.base import SCHEMA_MODE, Seq
from typedseg.config.lazy import LazyUnion
from typedseg.config.models.common._shared import one_or_many

_PACKAGE = "typedseg.config.models.common"
NORM_TAGS = frozenset({"BN", "BN2d", "SyncBN", "GN", "LN", "LN2d", "IN"})
ACT_TAGS = frozenset(
    {
        "ReLU",
        "ReLU6",
        "LeakyReLU",
        "PReLU",
        "ELU",
        "GELU",
        "SiLU",
        "Swish",
        "HSwish",
        "HSigmoid",
        "Sigmoid",
        "Tanh",
    }
)
CONV_TAGS = frozenset({"Conv2d", "Conv"})
INIT_CLASSES = {
    "Constant": "ConstantInit",
    "Xavier": "XavierInit",
    "Normal": "NormalInit",
    "TruncNormal": "TruncNormalInit",
    "Uniform": "UniformInit",
    "Kaiming": "KaimingInit",
    "Caffe2Xavier": "Caffe2XavierInit",
    "Pretrained": "PretrainedInit",
}
"""Initializer tag (MMEngine's registry name) -> class."""

if TYPE_CHECKING or SCHEMA_MODE:
    from typedseg.config.models.common._tagged import (
        _ActConfigUnion,
        _ConvConfigUnion,
        _InitializerUnion,
        _NormConfigUnion,
    )

    NormConfig = _NormConfigUnion
    ActConfig = _ActConfigUnion
    ConvConfig = _ConvConfigUnion
    Initializer = _InitializerUnion
else:
    NormConfig = Annotated[Any, LazyUnion(_PACKAGE, NORM_TAGS)]
    ActConfig = Annotated[Any, LazyUnion(_PACKAGE, ACT_TAGS)]
    ConvConfig = Annotated[Any, LazyUnion(_PACKAGE, CONV_TAGS)]
    Initializer = Annotated[
        Any, LazyUnion(_PACKAGE, frozenset(INIT_CLASSES), names=tuple(INIT_CLASSES.items()))
    ]

InitConfig = Annotated[Initializer | Seq[Initializer], one_or_many(Initializer)]
"""An `init_cfg`: one initializer, or a list run in order (a Pretrained one last)."""
