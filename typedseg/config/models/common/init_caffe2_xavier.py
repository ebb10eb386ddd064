"""The Caffe2Xavier weight initializer (`init_cfg`): MMEngine's, with its arguments."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit


class Caffe2XavierInit(_LayerInit):
    """Caffe2's XavierFill: Kaiming uniform with fan_in and a=1 (its arguments are fixed)."""

    type: Literal["Caffe2Xavier"] = "Caffe2Xavier"
    """MMEngine's registry name of the initializer."""
