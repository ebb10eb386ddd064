"""The Swish activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel


class Swish(ConfigModel):
    """MMCV's Swish: x * sigmoid(x), without arguments."""

    type: Literal["Swish"] = "Swish"
    """MMCV's registry name of the activation."""
