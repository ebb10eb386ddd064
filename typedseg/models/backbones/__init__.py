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
            return _user_module(cfg)
        case _:
            assert_never(cfg)


def _user_module(cfg: object) -> nn.Module:
    build = getattr(cfg, "build", None)
    if build is None:
        raise TypeError(f"{type(cfg).__name__} has no build() method: a user config builds its own module")
    built = build()
    if not isinstance(built, nn.Module):
        raise TypeError(
            f"{type(cfg).__name__}.build() returned {type(built).__name__}, not a torch nn.Module"
        )
    return built
