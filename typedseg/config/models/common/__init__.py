"""Layer configs every model component takes: `norm_cfg`, `act_cfg`, `conv_cfg` and `init_cfg`.

MMCV builds these from dicts (`build_norm_layer`, `build_activation_layer`, `build_conv_layer`) and MMEngine's
`initialize` runs the `init_cfg`s; the `type` of each model is their registry name, the other fields the
arguments the built layer or initializer takes, with its defaults. A key MMCV would hand to a layer that has no
such argument (a TypeError when the model is built, hours into a job's queue) is refused here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.config.lazy import lazy_exports

if TYPE_CHECKING:
    from typedseg.config.models.common._shared import InterpolateMode as InterpolateMode
    from typedseg.config.models.common._shared import M as M
    from typedseg.config.models.common._shared import default as default
    from typedseg.config.models.common._shared import one_or_many as one_or_many
    from typedseg.config.models.common._tagged import _ActConfigUnion as _ActConfigUnion
    from typedseg.config.models.common._tagged import _ConvConfigUnion as _ConvConfigUnion
    from typedseg.config.models.common._tagged import _InitializerUnion as _InitializerUnion
    from typedseg.config.models.common._tagged import _NormConfigUnion as _NormConfigUnion
    from typedseg.config.models.common._unions import _PACKAGE as _PACKAGE
    from typedseg.config.models.common._unions import ACT_TAGS as ACT_TAGS
    from typedseg.config.models.common._unions import CONV_TAGS as CONV_TAGS
    from typedseg.config.models.common._unions import INIT_CLASSES as INIT_CLASSES
    from typedseg.config.models.common._unions import NORM_TAGS as NORM_TAGS
    from typedseg.config.models.common._unions import ActConfig as ActConfig
    from typedseg.config.models.common._unions import ConvConfig as ConvConfig
    from typedseg.config.models.common._unions import InitConfig as InitConfig
    from typedseg.config.models.common._unions import Initializer as Initializer
    from typedseg.config.models.common._unions import NormConfig as NormConfig
    from typedseg.config.models.common.activation import GELU as GELU
    from typedseg.config.models.common.activation import Inplace as Inplace
    from typedseg.config.models.common.activation import ReLU as ReLU
    from typedseg.config.models.common.activation_more import ELU as ELU
    from typedseg.config.models.common.activation_more import HSigmoid as HSigmoid
    from typedseg.config.models.common.activation_more import HSwish as HSwish
    from typedseg.config.models.common.activation_more import LeakyReLU as LeakyReLU
    from typedseg.config.models.common.activation_more import PReLU as PReLU
    from typedseg.config.models.common.activation_more import ReLU6 as ReLU6
    from typedseg.config.models.common.activation_more import Sigmoid as Sigmoid
    from typedseg.config.models.common.activation_more import SiLU as SiLU
    from typedseg.config.models.common.activation_more import Swish as Swish
    from typedseg.config.models.common.activation_more import Tanh as Tanh
    from typedseg.config.models.common.conv import Conv as Conv
    from typedseg.config.models.common.conv import Conv2d as Conv2d
    from typedseg.config.models.common.group_norm import GN as GN
    from typedseg.config.models.common.group_norm import IN as IN
    from typedseg.config.models.common.init import OVERRIDE_CLASSES as OVERRIDE_CLASSES
    from typedseg.config.models.common.init import ConstantInit as ConstantInit
    from typedseg.config.models.common.init import InitOverride as InitOverride
    from typedseg.config.models.common.init import LayerNames as LayerNames
    from typedseg.config.models.common.init import NormalInit as NormalInit
    from typedseg.config.models.common.init import PretrainedInit as PretrainedInit
    from typedseg.config.models.common.init import TruncNormalInit as TruncNormalInit
    from typedseg.config.models.common.init import _LayerInit as _LayerInit
    from typedseg.config.models.common.init import _PretrainedOverride as _PretrainedOverride
    from typedseg.config.models.common.init import checkpoints as checkpoints
    from typedseg.config.models.common.init import initializers as initializers
    from typedseg.config.models.common.init_args import NameOverride as NameOverride
    from typedseg.config.models.common.init_args import Nonlinearity as Nonlinearity
    from typedseg.config.models.common.init_args import _ConstantArgs as _ConstantArgs
    from typedseg.config.models.common.init_args import _InitArgs as _InitArgs
    from typedseg.config.models.common.init_args import _KaimingArgs as _KaimingArgs
    from typedseg.config.models.common.init_args import _NamedOverride as _NamedOverride
    from typedseg.config.models.common.init_args import _NormalArgs as _NormalArgs
    from typedseg.config.models.common.init_args import _PretrainedArgs as _PretrainedArgs
    from typedseg.config.models.common.init_args import _TruncNormalArgs as _TruncNormalArgs
    from typedseg.config.models.common.init_args import _UniformArgs as _UniformArgs
    from typedseg.config.models.common.init_args import _XavierArgs as _XavierArgs
    from typedseg.config.models.common.init_more import Caffe2XavierInit as Caffe2XavierInit
    from typedseg.config.models.common.init_more import KaimingInit as KaimingInit
    from typedseg.config.models.common.init_more import UniformInit as UniformInit
    from typedseg.config.models.common.init_more import XavierInit as XavierInit
    from typedseg.config.models.common.init_override import _NAME_TAG as _NAME_TAG
    from typedseg.config.models.common.init_override import Caffe2XavierOverride as Caffe2XavierOverride
    from typedseg.config.models.common.init_override import ConstantOverride as ConstantOverride
    from typedseg.config.models.common.init_override import KaimingOverride as KaimingOverride
    from typedseg.config.models.common.init_override import NormalOverride as NormalOverride
    from typedseg.config.models.common.init_override import PretrainedOverride as PretrainedOverride
    from typedseg.config.models.common.init_override import TruncNormalOverride as TruncNormalOverride
    from typedseg.config.models.common.init_override import UniformOverride as UniformOverride
    from typedseg.config.models.common.init_override import XavierOverride as XavierOverride
    from typedseg.config.models.common.init_override import _override_tag as _override_tag
    from typedseg.config.models.common.init_override import _TaggedInitOverride as _TaggedInitOverride
    from typedseg.config.models.common.layer_norm import LN as LN
    from typedseg.config.models.common.layer_norm import LN2d as LN2d
    from typedseg.config.models.common.norm import BATCH_NORMS as BATCH_NORMS
    from typedseg.config.models.common.norm import BN as BN
    from typedseg.config.models.common.norm import BN2d as BN2d
    from typedseg.config.models.common.norm import SyncBN as SyncBN
    from typedseg.config.models.common.norm import _BatchNorm as _BatchNorm
    from typedseg.config.models.common.norm import _Norm as _Norm
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_shared": (
                "M",
                "default",
                "one_or_many",
                "InterpolateMode",
            ),
            "_tagged": (
                "_NormConfigUnion",
                "_ActConfigUnion",
                "_ConvConfigUnion",
                "_InitializerUnion",
            ),
            "_unions": (
                "_PACKAGE",
                "NORM_TAGS",
                "ACT_TAGS",
                "CONV_TAGS",
                "INIT_CLASSES",
                "NormConfig",
                "ActConfig",
                "ConvConfig",
                "Initializer",
                "InitConfig",
            ),
            "activation": (
                "Inplace",
                "ReLU",
                "GELU",
            ),
            "activation_more": (
                "ReLU6",
                "LeakyReLU",
                "PReLU",
                "ELU",
                "SiLU",
                "Swish",
                "HSwish",
                "HSigmoid",
                "Sigmoid",
                "Tanh",
            ),
            "conv": (
                "Conv2d",
                "Conv",
            ),
            "group_norm": (
                "GN",
                "IN",
            ),
            "init": (
                "LayerNames",
                "OVERRIDE_CLASSES",
                "_PretrainedOverride",
                "InitOverride",
                "_LayerInit",
                "ConstantInit",
                "NormalInit",
                "TruncNormalInit",
                "PretrainedInit",
                "initializers",
                "checkpoints",
            ),
            "init_args": (
                "_InitArgs",
                "_ConstantArgs",
                "Nonlinearity",
                "_XavierArgs",
                "_UniformArgs",
                "_KaimingArgs",
                "_NormalArgs",
                "_TruncNormalArgs",
                "_PretrainedArgs",
                "_NamedOverride",
                "NameOverride",
            ),
            "init_more": (
                "XavierInit",
                "UniformInit",
                "KaimingInit",
                "Caffe2XavierInit",
            ),
            "init_override": (
                "ConstantOverride",
                "XavierOverride",
                "NormalOverride",
                "TruncNormalOverride",
                "UniformOverride",
                "KaimingOverride",
                "Caffe2XavierOverride",
                "PretrainedOverride",
                "_NAME_TAG",
                "_override_tag",
                "_TaggedInitOverride",
            ),
            "layer_norm": (
                "LN",
                "LN2d",
            ),
            "norm": (
                "_Norm",
                "_BatchNorm",
                "BN",
                "BN2d",
                "SyncBN",
                "BATCH_NORMS",
            ),
        },
    )
