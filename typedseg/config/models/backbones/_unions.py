"""`BackboneConfig` as fields validate it: through a `LazyUnion`, importing only the member a config names.

Type checkers and the JSON Schema export see the real tagged union (`_tagged`); tests/config/test_unions.py
keeps the tag list below equal to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from typedseg.config.base import SCHEMA_MODE
from typedseg.config.lazy import LazyUnion

BACKBONE_TYPES = frozenset({"ResNet", "ResNetV1c", "ResNetV1d", "UNet", "MixVisionTransformer", "ConvNeXt"})
"""Every built-in `type`."""

if TYPE_CHECKING or SCHEMA_MODE:
    from typedseg.config.models.backbones._tagged import _BackboneConfigUnion

    BackboneConfig = _BackboneConfigUnion
else:
    BackboneConfig = Annotated[
        Any, LazyUnion("typedseg.config.models.backbones", BACKBONE_TYPES, "UserBackbone")
    ]
"""A backbone: ours by `type`, or a user's `UserBackbone` subclass by its dotted path."""
