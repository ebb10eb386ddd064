"""Convolution layer configs (`conv_cfg`)."""

from typing import Literal

from typedseg.config.base import ConfigModel


class Conv2d(ConfigModel):
    """`nn.Conv2d`, what MMCV builds when conv_cfg is None."""

    type: Literal["Conv2d"] = "Conv2d"
    """MMCV's registry name of the convolution."""


class Conv(ConfigModel):
    """`nn.Conv2d` under MMCV's short name `Conv`."""

    type: Literal["Conv"] = "Conv"
    """MMCV's registry name of the convolution (an alias of Conv2d)."""
