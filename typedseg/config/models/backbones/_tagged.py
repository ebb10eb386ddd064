"""The tagged union over every backbone: for type checkers and the JSON Schema."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import SerializeAsAny, Tag, WithJsonSchema

from typedseg.config.base import USER_JSON_SCHEMA, USER_TAG, discriminate, user_validator
from typedseg.config.lazy import tags_of
from typedseg.config.models.backbones._base import UserBackbone
from typedseg.config.models.backbones.convnext import ConvNeXt
from typedseg.config.models.backbones.mit import MixVisionTransformer
from typedseg.config.models.backbones.resnet import ResNet, ResNetV1c, ResNetV1d
from typedseg.config.models.backbones.unet import UNet

BuiltinBackbone = Union[ResNet, ResNetV1c, ResNetV1d, UNet, MixVisionTransformer, ConvNeXt]


_TaggedBackbones = Union[
    Annotated[ResNet, Tag("ResNet")],
    Annotated[ResNetV1c, Tag("ResNetV1c")],
    Annotated[ResNetV1d, Tag("ResNetV1d")],
    Annotated[UNet, Tag("UNet")],
    Annotated[MixVisionTransformer, Tag("MixVisionTransformer")],
    Annotated[ConvNeXt, Tag("ConvNeXt")],
    Annotated[
        SerializeAsAny[UserBackbone],
        user_validator(UserBackbone),
        Tag(USER_TAG),
        WithJsonSchema(USER_JSON_SCHEMA),
    ],
]
_BackboneConfigUnion = Annotated[_TaggedBackbones, discriminate(tags_of(_TaggedBackbones))]
