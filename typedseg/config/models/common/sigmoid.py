"""The Sigmoid activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel


class Sigmoid(ConfigModel):
    """`nn.Sigmoid`: 1 / (1 + exp(-x))."""

    type: Literal["Sigmoid"] = "Sigmoid"
    """MMCV's registry name of the activation."""
