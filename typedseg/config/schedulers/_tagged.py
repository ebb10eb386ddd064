"""The tagged unions over every scheduler: for type checkers, the JSON Schema, and code that needs all of them."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field, SerializeAsAny, Tag, WithJsonSchema

from typedseg.config.base import USER_JSON_SCHEMA, USER_TAG, discriminate, user_validator
from typedseg.config.lazy import tags_of
from typedseg.config.schedulers._base import UserScheduler
from typedseg.config.schedulers.constant import ConstantLR, ConstantMomentum, ConstantParamScheduler
from typedseg.config.schedulers.cosine_annealing import (
    CosineAnnealingLR,
    CosineAnnealingMomentum,
    CosineAnnealingParamScheduler,
)
from typedseg.config.schedulers.cosine_restart import (
    CosineRestartLR,
    CosineRestartMomentum,
    CosineRestartParamScheduler,
)
from typedseg.config.schedulers.exponential import (
    ExponentialLR,
    ExponentialMomentum,
    ExponentialParamScheduler,
)
from typedseg.config.schedulers.linear import LinearLR, LinearMomentum, LinearParamScheduler
from typedseg.config.schedulers.multi_step import MultiStepLR, MultiStepMomentum, MultiStepParamScheduler
from typedseg.config.schedulers.one_cycle import OneCycleLR, OneCycleParamScheduler
from typedseg.config.schedulers.poly import PolyLR, PolyLRRatio, PolyMomentum, PolyParamScheduler
from typedseg.config.schedulers.reduce_on_plateau import (
    ReduceOnPlateauLR,
    ReduceOnPlateauMomentum,
    ReduceOnPlateauParamScheduler,
)
from typedseg.config.schedulers.step import StepLR, StepMomentum, StepParamScheduler

LRSchedulerConfig = Annotated[
    Union[
        ConstantLR,
        LinearLR,
        ExponentialLR,
        StepLR,
        MultiStepLR,
        PolyLR,
        PolyLRRatio,
        CosineAnnealingLR,
        CosineRestartLR,
        OneCycleLR,
        ReduceOnPlateauLR,
    ],
    Field(discriminator="type"),
]
"""A scheduler of the learning rate."""


MomentumSchedulerConfig = Annotated[
    Union[
        ConstantMomentum,
        LinearMomentum,
        ExponentialMomentum,
        StepMomentum,
        MultiStepMomentum,
        PolyMomentum,
        CosineAnnealingMomentum,
        CosineRestartMomentum,
        ReduceOnPlateauMomentum,
    ],
    Field(discriminator="type"),
]
"""A scheduler of the momentum (or `betas[0]`)."""


ParamSchedulerConfig = Annotated[
    Union[
        ConstantParamScheduler,
        LinearParamScheduler,
        ExponentialParamScheduler,
        StepParamScheduler,
        MultiStepParamScheduler,
        PolyParamScheduler,
        CosineAnnealingParamScheduler,
        CosineRestartParamScheduler,
        OneCycleParamScheduler,
        ReduceOnPlateauParamScheduler,
    ],
    Field(discriminator="type"),
]
"""A scheduler of any param-group value, named by `param_name`."""


_TaggedSchedulers = Union[
    Annotated[ConstantLR, Tag("ConstantLR")],
    Annotated[ConstantMomentum, Tag("ConstantMomentum")],
    Annotated[ConstantParamScheduler, Tag("ConstantParamScheduler")],
    Annotated[LinearLR, Tag("LinearLR")],
    Annotated[LinearMomentum, Tag("LinearMomentum")],
    Annotated[LinearParamScheduler, Tag("LinearParamScheduler")],
    Annotated[ExponentialLR, Tag("ExponentialLR")],
    Annotated[ExponentialMomentum, Tag("ExponentialMomentum")],
    Annotated[ExponentialParamScheduler, Tag("ExponentialParamScheduler")],
    Annotated[StepLR, Tag("StepLR")],
    Annotated[StepMomentum, Tag("StepMomentum")],
    Annotated[StepParamScheduler, Tag("StepParamScheduler")],
    Annotated[MultiStepLR, Tag("MultiStepLR")],
    Annotated[MultiStepMomentum, Tag("MultiStepMomentum")],
    Annotated[MultiStepParamScheduler, Tag("MultiStepParamScheduler")],
    Annotated[PolyLR, Tag("PolyLR")],
    Annotated[PolyLRRatio, Tag("PolyLRRatio")],
    Annotated[PolyMomentum, Tag("PolyMomentum")],
    Annotated[PolyParamScheduler, Tag("PolyParamScheduler")],
    Annotated[CosineAnnealingLR, Tag("CosineAnnealingLR")],
    Annotated[CosineAnnealingMomentum, Tag("CosineAnnealingMomentum")],
    Annotated[CosineAnnealingParamScheduler, Tag("CosineAnnealingParamScheduler")],
    Annotated[CosineRestartLR, Tag("CosineRestartLR")],
    Annotated[CosineRestartMomentum, Tag("CosineRestartMomentum")],
    Annotated[CosineRestartParamScheduler, Tag("CosineRestartParamScheduler")],
    Annotated[OneCycleLR, Tag("OneCycleLR")],
    Annotated[OneCycleParamScheduler, Tag("OneCycleParamScheduler")],
    Annotated[ReduceOnPlateauLR, Tag("ReduceOnPlateauLR")],
    Annotated[ReduceOnPlateauMomentum, Tag("ReduceOnPlateauMomentum")],
    Annotated[ReduceOnPlateauParamScheduler, Tag("ReduceOnPlateauParamScheduler")],
    Annotated[
        SerializeAsAny[UserScheduler],
        user_validator(UserScheduler),
        Tag(USER_TAG),
        WithJsonSchema(USER_JSON_SCHEMA),
    ],
]


SCHEDULER_TYPES = tags_of(_TaggedSchedulers)
"""Every built-in scheduler `type` (MMEngine's and MMSegmentation's class names)."""


SchedulerConfig = Annotated[_TaggedSchedulers, discriminate(SCHEDULER_TYPES)]
"""Any scheduler: ours by MMEngine's `type`, a user's `UserScheduler` subclass by its dotted path."""
