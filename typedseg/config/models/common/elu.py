"""The ELU activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel
from typedseg.config.models.common._shared import Inplace


class ELU(ConfigModel):
    """`nn.ELU`: x for x > 0, alpha * (exp(x) - 1) below."""

    type: Literal["ELU"] = "ELU"
    """MMCV's registry name of the activation."""
    alpha: float = 1.0
    """Scale of the negative part."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""
