"""Layer normalization configs (`norm_cfg`): MMCV's LN and MMPretrain's channels-first LN2d."""

from typing import Literal

from typedseg.config.models.common.norm import _Norm


class LN(_Norm):
    """Layer normalization over the last dimension (`nn.LayerNorm`), for token sequences."""

    type: Literal["LN"] = "LN"
    """MMCV's registry name: `nn.LayerNorm`."""
    elementwise_affine: bool = True
    """Learn a per-channel scale (and shift, with bias)."""
    bias: bool = True
    """Learn a shift as well (torch >= 2.1)."""


class LN2d(_Norm):
    """MMPretrain's layer normalization over the channels of an (N, C, H, W) map (ConvNeXt's)."""

    type: Literal["LN2d"] = "LN2d"
    """MMPretrain's registry name: `LayerNorm2d`."""
    elementwise_affine: bool = True
    """Learn a per-channel scale (and shift, with bias)."""
    bias: bool = True
    """Learn a shift as well (torch >= 2.1)."""
