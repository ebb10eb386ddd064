"""Initializers scaled by a layer's fan in/out (`init_cfg`): Xavier, Kaiming and Caffe2's Xavier."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit
from typedseg.config.models.common.init_args import _KaimingArgs, _XavierArgs


class XavierInit(_LayerInit, _XavierArgs):
    """Glorot (Xavier) initialization of the selected layers."""

    type: Literal["Xavier"] = "Xavier"
    """MMEngine's registry name of the initializer."""


class KaimingInit(_LayerInit, _KaimingArgs):
    """He (Kaiming) initialization of the selected layers."""

    type: Literal["Kaiming"] = "Kaiming"
    """MMEngine's registry name of the initializer."""


class Caffe2XavierInit(_LayerInit):
    """Caffe2's XavierFill: Kaiming uniform with fan_in and a=1 (its arguments are fixed)."""

    type: Literal["Caffe2Xavier"] = "Caffe2Xavier"
    """MMEngine's registry name of the initializer."""
