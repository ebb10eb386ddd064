"""The real tagged unions of the layer configs: for type checkers, the JSON Schema, and code that needs them all.

Fields validate through the lazy views in `_unions`; importing this module defines every layer config.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from typedseg.config.models.common import (
    BN,
    ELU,
    GELU,
    GN,
    IN,
    LN,
    BN2d,
    Caffe2XavierInit,
    ConstantInit,
    Conv,
    Conv2d,
    HSigmoid,
    HSwish,
    KaimingInit,
    LeakyReLU,
    LN2d,
    NormalInit,
    PReLU,
    PretrainedInit,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Swish,
    SyncBN,
    Tanh,
    TruncNormalInit,
    UniformInit,
    XavierInit,
)

_NormConfigUnion = Annotated[Union[BN, BN2d, SyncBN, GN, LN, LN2d, IN], Field(discriminator="type")]
_ActConfigUnion = Annotated[
    Union[ReLU, ReLU6, LeakyReLU, PReLU, ELU, GELU, SiLU, Swish, HSwish, HSigmoid, Sigmoid, Tanh],
    Field(discriminator="type"),
]
_ConvConfigUnion = Annotated[Union[Conv2d, Conv], Field(discriminator="type")]
_InitializerUnion = Annotated[
    Union[
        ConstantInit,
        XavierInit,
        NormalInit,
        TruncNormalInit,
        UniformInit,
        KaimingInit,
        Caffe2XavierInit,
        PretrainedInit,
    ],
    Field(discriminator="type"),
]
