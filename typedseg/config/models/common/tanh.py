"""The Tanh activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel


class Tanh(ConfigModel):
    """`nn.Tanh`."""

    type: Literal["Tanh"] = "Tanh"
    """MMCV's registry name of the activation."""
