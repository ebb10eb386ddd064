"""All cross-field rules of an experiment, in one list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.config.evaluation import evaluator_metrics
from typedseg.config.rules.hooks import check_hooks
from typedseg.config.rules.optim import check_optim
from typedseg.config.rules.runtime import check_runtime
from typedseg.problems import Problem

if TYPE_CHECKING:
    from typedseg.config.experiment import Experiment


def check_experiment(exp: Experiment) -> list[Problem]:
    """Every cross-field problem (errors and warnings) of `exp`, each with its path from the root."""
    metrics = evaluator_metrics(exp.val_evaluator) if exp.val_evaluator is not None else None
    problems = check_runtime(exp)
    problems += check_optim(exp.optim_wrapper)
    if exp.param_scheduler:
        # Imported here: the scheduler and optimizer families load only for configs that use them.
        from typedseg.config.optimizers import optimizer_lr
        from typedseg.config.rules.schedules import check_schedules

        base_lr = optimizer_lr(exp.optim_wrapper.optimizer) if exp.optim_wrapper is not None else None
        problems += check_schedules(
            exp.param_scheduler, exp.train_cfg, base_lr=base_lr, metrics=metrics or ()
        )
    problems += check_hooks(exp.default_hooks, exp.custom_hooks, exp.train_cfg, metrics=metrics)
    return problems
