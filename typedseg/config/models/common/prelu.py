"""The PReLU activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from pydantic import PositiveInt

from typedseg.config.base import ConfigModel


class PReLU(ConfigModel):
    """`nn.PReLU`: a leaky ReLU whose negative slope is learned."""

    type: Literal["PReLU"] = "PReLU"
    """MMCV's registry name of the activation."""
    num_parameters: PositiveInt = 1
    """Number of learned slopes: 1, or the number of input channels."""
    init: float = 0.25
    """Initial slope."""
