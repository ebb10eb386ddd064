"""The other activations MMCV registers (MMSegmentation's models use ReLU and GELU, in `activation`)."""

from typing import Literal

from pydantic import PositiveInt, model_validator

from typedseg.config.base import ConfigModel, Rules
from typedseg.config.models.common.activation import Inplace


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


class SiLU(ConfigModel):
    """`nn.SiLU`: x * sigmoid(x)."""

    type: Literal["SiLU"] = "SiLU"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class Swish(ConfigModel):
    """MMCV's Swish: x * sigmoid(x), without arguments."""

    type: Literal["Swish"] = "Swish"
    """MMCV's registry name of the activation."""


class HSwish(ConfigModel):
    """Hard swish (`nn.Hardswish`): x * relu6(x + 3) / 6, MobileNetV3's."""

    type: Literal["HSwish"] = "HSwish"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class HSigmoid(ConfigModel):
    """MMCV's hard sigmoid: min(max((x + bias) / divisor, min_value), max_value)."""

    type: Literal["HSigmoid"] = "HSigmoid"
    """MMCV's registry name of the activation."""
    bias: float = 3.0
    """Added to the input before dividing."""
    divisor: float = 6.0
    """Divides the shifted input; not 0."""
    min_value: float = 0.0
    """Lower clamp."""
    max_value: float = 1.0
    """Upper clamp."""

    @model_validator(mode="after")
    def _check(self) -> "HSigmoid":
        rules = Rules()
        if self.divisor == 0:
            rules.add(
                "hsigmoid-divisor-zero",
                ("divisor",),
                "divisor must not be 0: the shifted input is divided by it (MMCV asserts it).",
                "Use MMCV's divisor=6.0.",
            )
        rules.raise_if_any()
        return self


class Sigmoid(ConfigModel):
    """`nn.Sigmoid`: 1 / (1 + exp(-x))."""

    type: Literal["Sigmoid"] = "Sigmoid"
    """MMCV's registry name of the activation."""


class Tanh(ConfigModel):
    """`nn.Tanh`."""

    type: Literal["Tanh"] = "Tanh"
    """MMCV's registry name of the activation."""
