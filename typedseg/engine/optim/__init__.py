"""The optimization side of the engine: optimizers, param-group constructors, optimizer wrappers, schedulers.

- `optimizers`: optimizer configs -> torch.optim objects;
- `constructors`: `paramwise_cfg` -> param groups (MMEngine's and MMSegmentation's constructors);
- `wrappers`: OptimWrapper / AmpOptimWrapper and `build_optim_wrapper(cfg, model)`;
- `schedulers`: `build_schedulers(cfgs, optim_wrapper, ...)`, torch-free (it only touches param-group dicts);
- `preview`: the lr/momentum curves of an experiment without torch (`typedseg schedule`).

Names are exported lazily so that the torch-free modules can be imported without importing torch.
"""

from typing import TYPE_CHECKING

from typedseg.config.lazy import lazy_exports

if TYPE_CHECKING:
    from typedseg.engine.optim.constructors import GroupRow as GroupRow
    from typedseg.engine.optim.constructors import ParamGroupPlan as ParamGroupPlan
    from typedseg.engine.optim.constructors import build_param_groups as build_param_groups
    from typedseg.engine.optim.constructors import param_group_rows as param_group_rows
    from typedseg.engine.optim.optimizers import build_optimizer as build_optimizer
    from typedseg.engine.optim.schedulers import ParamScheduler as ParamScheduler
    from typedseg.engine.optim.schedulers import build_schedulers as build_schedulers
    from typedseg.engine.optim.wrappers import AmpOptimWrapper as AmpOptimWrapper
    from typedseg.engine.optim.wrappers import OptimWrapper as OptimWrapper
    from typedseg.engine.optim.wrappers import build_optim_wrapper as build_optim_wrapper
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "constructors": ("GroupRow", "ParamGroupPlan", "build_param_groups", "param_group_rows"),
            "optimizers": ("build_optimizer",),
            "schedulers": ("ParamScheduler", "build_schedulers"),
            "wrappers": ("AmpOptimWrapper", "OptimWrapper", "build_optim_wrapper"),
        },
    )
