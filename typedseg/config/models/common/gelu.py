"""The GELU activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel


class GELU(ConfigModel):
    """`nn.GELU`: the Gaussian error linear unit of transformers."""

    type: Literal["GELU"] = "GELU"
    """MMCV's registry name of the activation."""
    approximate: Literal["none", "tanh"] = "none"
    """Exact form, or the tanh approximation."""
