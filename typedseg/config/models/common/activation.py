"""Activation layer configs (`act_cfg`): MMCV's registered activations and their arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel

Inplace = bool | None


class ReLU(ConfigModel):
    """`nn.ReLU`: max(0, x)."""

    type: Literal["ReLU"] = "ReLU"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class GELU(ConfigModel):
    """`nn.GELU`: the Gaussian error linear unit of transformers."""

    type: Literal["GELU"] = "GELU"
    """MMCV's registry name of the activation."""
    approximate: Literal["none", "tanh"] = "none"
    """Exact form, or the tanh approximation."""
