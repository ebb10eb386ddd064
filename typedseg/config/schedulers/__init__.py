"""Parameter schedulers: MMEngine's `param_scheduler` list, one model per scheduler class.

Every MMEngine scheduler family X exists as `XLR` (the lr), `XMomentum` (the momentum, or `betas[0]` for
Adam-like optimizers) and `XParamScheduler` (any param-group value, named by `param_name`); OneCycle has no
momentum variant, and MMSegmentation adds `PolyLRRatio`. Names, argument names and defaults are MMEngine's. A
family's fields live in one private base; the three variants only add their `type` (and `param_name`).

MMEngine semantics worth knowing when reading these models (see docs and `rules/schedules.py`):
- each scheduler changes its value only inside its window `[begin, end)`, counted in epochs when `by_epoch` is
  true and in iterations otherwise; outside the window the value is held;
- the update is chainable: it multiplies the *current* value, so back-to-back windows hand the value over, and
  overlapping windows compound;
- step-indexed arguments (`milestones`, `step_size`, `T_max`, `periods`, `total_steps`) count from `begin`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.config.lazy import lazy_exports

if TYPE_CHECKING:
    from typedseg.config.schedulers._base import SchedulerLike as SchedulerLike
    from typedseg.config.schedulers._base import UnitInterval as UnitInterval
    from typedseg.config.schedulers._base import UserScheduler as UserScheduler
    from typedseg.config.schedulers._base import _check_eta_min_pair as _check_eta_min_pair
    from typedseg.config.schedulers._base import _check_window as _check_window
    from typedseg.config.schedulers._base import _Momentum as _Momentum
    from typedseg.config.schedulers._base import _Named as _Named
    from typedseg.config.schedulers._base import _Scheduler as _Scheduler
    from typedseg.config.schedulers._tagged import SCHEDULER_TYPES as SCHEDULER_TYPES
    from typedseg.config.schedulers._tagged import LRSchedulerConfig as LRSchedulerConfig
    from typedseg.config.schedulers._tagged import MomentumSchedulerConfig as MomentumSchedulerConfig
    from typedseg.config.schedulers._tagged import ParamSchedulerConfig as ParamSchedulerConfig
    from typedseg.config.schedulers._tagged import SchedulerConfig as SchedulerConfig
    from typedseg.config.schedulers._tagged import _TaggedSchedulers as _TaggedSchedulers
    from typedseg.config.schedulers.constant import ConstantLR as ConstantLR
    from typedseg.config.schedulers.constant import ConstantMomentum as ConstantMomentum
    from typedseg.config.schedulers.constant import ConstantParamScheduler as ConstantParamScheduler
    from typedseg.config.schedulers.constant import _Constant as _Constant
    from typedseg.config.schedulers.cosine_annealing import CosineAnnealingLR as CosineAnnealingLR
    from typedseg.config.schedulers.cosine_annealing import CosineAnnealingMomentum as CosineAnnealingMomentum
    from typedseg.config.schedulers.cosine_annealing import (
        CosineAnnealingParamScheduler as CosineAnnealingParamScheduler,
    )
    from typedseg.config.schedulers.cosine_annealing import _CosineAnnealing as _CosineAnnealing
    from typedseg.config.schedulers.cosine_restart import CosineRestartLR as CosineRestartLR
    from typedseg.config.schedulers.cosine_restart import CosineRestartMomentum as CosineRestartMomentum
    from typedseg.config.schedulers.cosine_restart import (
        CosineRestartParamScheduler as CosineRestartParamScheduler,
    )
    from typedseg.config.schedulers.cosine_restart import _CosineRestart as _CosineRestart
    from typedseg.config.schedulers.exponential import ExponentialLR as ExponentialLR
    from typedseg.config.schedulers.exponential import ExponentialMomentum as ExponentialMomentum
    from typedseg.config.schedulers.exponential import ExponentialParamScheduler as ExponentialParamScheduler
    from typedseg.config.schedulers.exponential import _Exponential as _Exponential
    from typedseg.config.schedulers.linear import LinearLR as LinearLR
    from typedseg.config.schedulers.linear import LinearMomentum as LinearMomentum
    from typedseg.config.schedulers.linear import LinearParamScheduler as LinearParamScheduler
    from typedseg.config.schedulers.linear import _Linear as _Linear
    from typedseg.config.schedulers.multi_step import MultiStepLR as MultiStepLR
    from typedseg.config.schedulers.multi_step import MultiStepMomentum as MultiStepMomentum
    from typedseg.config.schedulers.multi_step import MultiStepParamScheduler as MultiStepParamScheduler
    from typedseg.config.schedulers.multi_step import _MultiStep as _MultiStep
    from typedseg.config.schedulers.one_cycle import OneCycleLR as OneCycleLR
    from typedseg.config.schedulers.one_cycle import OneCycleParamScheduler as OneCycleParamScheduler
    from typedseg.config.schedulers.one_cycle import _OneCycle as _OneCycle
    from typedseg.config.schedulers.poly import PolyLR as PolyLR
    from typedseg.config.schedulers.poly import PolyLRRatio as PolyLRRatio
    from typedseg.config.schedulers.poly import PolyMomentum as PolyMomentum
    from typedseg.config.schedulers.poly import PolyParamScheduler as PolyParamScheduler
    from typedseg.config.schedulers.poly import _Poly as _Poly
    from typedseg.config.schedulers.reduce_on_plateau import ReduceOnPlateauLR as ReduceOnPlateauLR
    from typedseg.config.schedulers.reduce_on_plateau import (
        ReduceOnPlateauMomentum as ReduceOnPlateauMomentum,
    )
    from typedseg.config.schedulers.reduce_on_plateau import (
        ReduceOnPlateauParamScheduler as ReduceOnPlateauParamScheduler,
    )
    from typedseg.config.schedulers.reduce_on_plateau import _ReduceOnPlateau as _ReduceOnPlateau
    from typedseg.config.schedulers.step import StepLR as StepLR
    from typedseg.config.schedulers.step import StepMomentum as StepMomentum
    from typedseg.config.schedulers.step import StepParamScheduler as StepParamScheduler
    from typedseg.config.schedulers.step import _Step as _Step
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_base": (
                "UnitInterval",
                "_check_window",
                "_Scheduler",
                "_Momentum",
                "_Named",
                "_check_eta_min_pair",
                "UserScheduler",
                "SchedulerLike",
            ),
            "constant": (
                "_Constant",
                "ConstantLR",
                "ConstantMomentum",
                "ConstantParamScheduler",
            ),
            "linear": (
                "_Linear",
                "LinearLR",
                "LinearMomentum",
                "LinearParamScheduler",
            ),
            "exponential": (
                "_Exponential",
                "ExponentialLR",
                "ExponentialMomentum",
                "ExponentialParamScheduler",
            ),
            "step": (
                "_Step",
                "StepLR",
                "StepMomentum",
                "StepParamScheduler",
            ),
            "multi_step": (
                "_MultiStep",
                "MultiStepLR",
                "MultiStepMomentum",
                "MultiStepParamScheduler",
            ),
            "poly": (
                "_Poly",
                "PolyLR",
                "PolyLRRatio",
                "PolyMomentum",
                "PolyParamScheduler",
            ),
            "cosine_annealing": (
                "_CosineAnnealing",
                "CosineAnnealingLR",
                "CosineAnnealingMomentum",
                "CosineAnnealingParamScheduler",
            ),
            "cosine_restart": (
                "_CosineRestart",
                "CosineRestartLR",
                "CosineRestartMomentum",
                "CosineRestartParamScheduler",
            ),
            "reduce_on_plateau": (
                "_ReduceOnPlateau",
                "ReduceOnPlateauLR",
                "ReduceOnPlateauMomentum",
                "ReduceOnPlateauParamScheduler",
            ),
            "one_cycle": (
                "_OneCycle",
                "OneCycleLR",
                "OneCycleParamScheduler",
            ),
            "_tagged": (
                "LRSchedulerConfig",
                "MomentumSchedulerConfig",
                "ParamSchedulerConfig",
                "_TaggedSchedulers",
                "SCHEDULER_TYPES",
            ),
            "typedseg.config.unions": ("SchedulerConfig",),
        },
    )
