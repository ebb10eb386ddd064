"""Backbones in pure PyTorch with MMSegmentation's (and MMPretrain's) parameter names; `build_backbone` maps each
backbone config class to its module."""

from typing import assert_never

from torch import nn

from typedseg.config.models.backbones import (
    ConvNeXt,
    MixVisionTransformer,
    ResNet,
    ResNetV1c,
    ResNetV1d,
    UNet,
    UserBackbone,
)
from typedseg.models.user import user_module


def build_backbone(
    cfg: ResNet | ResNetV1c | ResNetV1d | UNet | MixVisionTransformer | ConvNeXt | UserBackbone,
) -> nn.Module:
    """The backbone module of a backbone config."""
    match cfg:
        case ResNet() | ResNetV1c() | ResNetV1d():
            from typedseg.models.backbones.resnet import ResNetBackbone

            return ResNetBackbone(cfg)
        case UNet():
            from typedseg.models.backbones.unet import UNetBackbone

            return UNetBackbone(cfg)
        case MixVisionTransformer():
            from typedseg.models.backbones.mit import MixVisionTransformerBackbone

            return MixVisionTransformerBackbone(cfg)
        case ConvNeXt():
            from typedseg.models.backbones.convnext import ConvNeXtBackbone

            return ConvNeXtBackbone(cfg)
        case UserBackbone():
            return user_module(cfg)
        case _:
            assert_never(cfg)
