"""Rectifier activations (`act_cfg`): ReLU and its variants, linear above zero."""

from typing import Literal

from pydantic import PositiveInt

from typedseg.config.base import ConfigModel
from typedseg.config.models.common._shared import Inplace


class ReLU(ConfigModel):
    """`nn.ReLU`: max(0, x)."""

    type: Literal["ReLU"] = "ReLU"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class ReLU6(ConfigModel):
    """`nn.ReLU6`: min(max(0, x), 6)."""

    type: Literal["ReLU6"] = "ReLU6"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class LeakyReLU(ConfigModel):
    """`nn.LeakyReLU`: x for x >= 0, negative_slope * x below."""

    type: Literal["LeakyReLU"] = "LeakyReLU"
    """MMCV's registry name of the activation."""
    negative_slope: float = 0.01
    """Slope for negative inputs."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class PReLU(ConfigModel):
    """`nn.PReLU`: a leaky ReLU whose negative slope is learned."""

    type: Literal["PReLU"] = "PReLU"
    """MMCV's registry name of the activation."""
    num_parameters: PositiveInt = 1
    """Number of learned slopes: 1, or the number of input channels."""
    init: float = 0.25
    """Initial slope."""


class ELU(ConfigModel):
    """`nn.ELU`: x for x > 0, alpha * (exp(x) - 1) below."""

    type: Literal["ELU"] = "ELU"
    """MMCV's registry name of the activation."""
    alpha: float = 1.0
    """Scale of the negative part."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""
