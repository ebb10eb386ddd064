"""The Kaiming weight initializer (`init_cfg`): MMEngine's, with its arguments."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit
from typedseg.config.models.common.init_args import _KaimingArgs


class KaimingInit(_LayerInit, _KaimingArgs):
    """He (Kaiming) initialization of the selected layers."""

    type: Literal["Kaiming"] = "Kaiming"
    """MMEngine's registry name of the initializer."""
