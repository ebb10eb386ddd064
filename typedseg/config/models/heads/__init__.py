"""Decode heads: MMSegmentation's BaseDecodeHead arguments, and the FCN, ASPP, DeepLabV3+, SegFormer and UPerNet
heads.

A head picks its inputs from the backbone's (or neck's) outputs by `in_index`: one feature map when
`input_transform` is None, several when it is 'resize_concat' (resized to the first and concatenated) or
'multiple_select' (handed over as a list; SegformerHead and UPerHead always select this way). Its `in_channels`
must match the selected maps; `typedseg.config.rules.model` checks that against the backbone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.config.lazy import lazy_exports

if TYPE_CHECKING:
    from typedseg.config.models.heads._base import DropRate as DropRate
    from typedseg.config.models.heads._base import InputTransform as InputTransform
    from typedseg.config.models.heads._base import OHEMPixelSampler as OHEMPixelSampler
    from typedseg.config.models.heads._base import UserHead as UserHead
    from typedseg.config.models.heads._base import _DecodeHead as _DecodeHead
    from typedseg.config.models.heads._base import _MultiMapHead as _MultiMapHead
    from typedseg.config.models.heads._base import _OneMapHead as _OneMapHead
    from typedseg.config.models.heads._tagged import _HeadConfigUnion as _HeadConfigUnion
    from typedseg.config.models.heads._tagged import _TaggedHeads as _TaggedHeads
    from typedseg.config.models.heads._unions import HEAD_TYPES as HEAD_TYPES
    from typedseg.config.models.heads._unions import HeadConfig as HeadConfig
    from typedseg.config.models.heads.aspp import _ASPP as _ASPP
    from typedseg.config.models.heads.aspp import ASPPHead as ASPPHead
    from typedseg.config.models.heads.aspp import DepthwiseSeparableASPPHead as DepthwiseSeparableASPPHead
    from typedseg.config.models.heads.fcn import FCNHead as FCNHead
    from typedseg.config.models.heads.segformer import SegformerHead as SegformerHead
    from typedseg.config.models.heads.uper import UPerHead as UPerHead
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_base": (
                "InputTransform",
                "DropRate",
                "OHEMPixelSampler",
                "_DecodeHead",
                "_OneMapHead",
                "_MultiMapHead",
                "UserHead",
            ),
            "_tagged": (
                "_TaggedHeads",
                "_HeadConfigUnion",
            ),
            "_unions": (
                "HEAD_TYPES",
                "HeadConfig",
            ),
            "aspp": (
                "_ASPP",
                "ASPPHead",
                "DepthwiseSeparableASPPHead",
            ),
            "fcn": ("FCNHead",),
            "segformer": ("SegformerHead",),
            "uper": ("UPerHead",),
        },
    )
