"""Backbones: MMSegmentation's ResNet family, UNet and MixVisionTransformer, and MMPretrain's ConvNeXt.

Every backbone reports what it hands to the neck or heads: `out_channels()` gives the channels of each output in
the order the backbone returns them (stage order; MMSegmentation's backbones append a stage's feature map when its
index is in `out_indices`), and `num_outputs()` how many there are. `typedseg.config.rules.model` checks heads'
`in_index`/`in_channels` against them. A user's own backbone (`UserBackbone`) may implement both to get the same
checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.config.lazy import lazy_exports

if TYPE_CHECKING:
    from typedseg.config.models.backbones._base import DropRate as DropRate
    from typedseg.config.models.backbones._base import UserBackbone as UserBackbone
    from typedseg.config.models.backbones._base import _Backbone as _Backbone
    from typedseg.config.models.backbones._base import _check_length as _check_length
    from typedseg.config.models.backbones._base import _check_out_indices as _check_out_indices
    from typedseg.config.models.backbones._base import _check_pretrained as _check_pretrained
    from typedseg.config.models.backbones._tagged import BuiltinBackbone as BuiltinBackbone
    from typedseg.config.models.backbones._tagged import _BackboneConfigUnion as _BackboneConfigUnion
    from typedseg.config.models.backbones._tagged import _TaggedBackbones as _TaggedBackbones
    from typedseg.config.models.backbones._unions import BACKBONE_TYPES as BACKBONE_TYPES
    from typedseg.config.models.backbones._unions import BackboneConfig as BackboneConfig
    from typedseg.config.models.backbones.convnext import _CONVNEXT_INIT as _CONVNEXT_INIT
    from typedseg.config.models.backbones.convnext import CONVNEXT_ARCHS as CONVNEXT_ARCHS
    from typedseg.config.models.backbones.convnext import ConvNeXt as ConvNeXt
    from typedseg.config.models.backbones.convnext import ConvNeXtArch as ConvNeXtArch
    from typedseg.config.models.backbones.convnext import ConvNeXtArchConfig as ConvNeXtArchConfig
    from typedseg.config.models.backbones.convnext import ConvNeXtArchName as ConvNeXtArchName
    from typedseg.config.models.backbones.convnext import _arch_tag as _arch_tag
    from typedseg.config.models.backbones.mit import MIT_ARCHS as MIT_ARCHS
    from typedseg.config.models.backbones.mit import MixVisionTransformer as MixVisionTransformer
    from typedseg.config.models.backbones.resnet import DCN as DCN
    from typedseg.config.models.backbones.resnet import RESNET_BLOCKS as RESNET_BLOCKS
    from typedseg.config.models.backbones.resnet import RESNET_EXPANSION as RESNET_EXPANSION
    from typedseg.config.models.backbones.resnet import ResNet as ResNet
    from typedseg.config.models.backbones.resnet import ResNetDepth as ResNetDepth
    from typedseg.config.models.backbones.resnet import ResNetPlugin as ResNetPlugin
    from typedseg.config.models.backbones.resnet import ResNetV1c as ResNetV1c
    from typedseg.config.models.backbones.resnet import ResNetV1d as ResNetV1d
    from typedseg.config.models.backbones.resnet import _ResNet as _ResNet
    from typedseg.config.models.backbones.unet import _ALIGNABLE as _ALIGNABLE
    from typedseg.config.models.backbones.unet import DeconvModule as DeconvModule
    from typedseg.config.models.backbones.unet import InterpConv as InterpConv
    from typedseg.config.models.backbones.unet import InterpUpsample as InterpUpsample
    from typedseg.config.models.backbones.unet import UNet as UNet
    from typedseg.config.models.backbones.unet import UpsampleConfig as UpsampleConfig
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_base": (
                "DropRate",
                "_Backbone",
                "_check_out_indices",
                "_check_length",
                "_check_pretrained",
                "UserBackbone",
            ),
            "_tagged": (
                "BuiltinBackbone",
                "_TaggedBackbones",
                "_BackboneConfigUnion",
            ),
            "_unions": (
                "BACKBONE_TYPES",
                "BackboneConfig",
            ),
            "convnext": (
                "ConvNeXtArchName",
                "CONVNEXT_ARCHS",
                "ConvNeXtArch",
                "_arch_tag",
                "ConvNeXtArchConfig",
                "_CONVNEXT_INIT",
                "ConvNeXt",
            ),
            "mit": (
                "MIT_ARCHS",
                "MixVisionTransformer",
            ),
            "resnet": (
                "ResNetDepth",
                "RESNET_BLOCKS",
                "RESNET_EXPANSION",
                "DCN",
                "ResNetPlugin",
                "_ResNet",
                "ResNet",
                "ResNetV1c",
                "ResNetV1d",
            ),
            "unet": (
                "_ALIGNABLE",
                "InterpUpsample",
                "InterpConv",
                "DeconvModule",
                "UpsampleConfig",
                "UNet",
            ),
        },
    )
