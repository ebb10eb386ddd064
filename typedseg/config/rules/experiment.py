"""All cross-field rules of an experiment, in one list."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from typedseg.config.data import DATALOADERS
from typedseg.config.evaluation import evaluator_metrics
from typedseg.config.rules.distributed import check_distributed
from typedseg.config.rules.hooks import check_hooks
from typedseg.config.rules.optim import check_optim
from typedseg.config.rules.runtime import check_runtime
from typedseg.config.rules.stages import check_stages_have_a_model
from typedseg.problems import Problem

if TYPE_CHECKING:
    from typedseg.config.experiment import Experiment


_DEFERRED: ContextVar[bool] = ContextVar("typedseg_rules_deferred", default=False)


@contextmanager
def rules_deferred() -> Iterator[None]:
    """While active, constructing an Experiment skips its cross-field rules (each field is still validated).

    The loader reads a config and applies its `--set` overrides inside this, then checks the rules once on the
    result: an override can fix what the file alone breaks, and every problem (with the warnings) is reported
    together.
    """
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def check_experiment(exp: Experiment) -> list[Problem]:
    """Every cross-field problem (errors and warnings) of `exp`, each with its path from the root.

    Inside `rules_deferred()`, nothing: the caller checks the finished experiment itself.
    """
    if _DEFERRED.get():
        return []
    metrics = evaluator_metrics(exp.val_evaluator) if exp.val_evaluator is not None else None
    problems = check_runtime(exp)
    problems += check_distributed(exp)
    problems += check_stages_have_a_model(exp)
    problems += check_optim(exp.optim_wrapper)
    problems += _check_sections(exp)
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


def _check_sections(exp: Experiment) -> list[Problem]:
    """The model and data rules, loaded only for configs that have those sections."""
    problems: list[Problem] = []
    if exp.model is not None:
        from typedseg.config.models.segmentor import EncoderDecoder
        from typedseg.config.rules.model import check_model

        if isinstance(exp.model, EncoderDecoder):
            problems += check_model(exp.model)
    loaders = [(name, loader) for name in DATALOADERS if (loader := getattr(exp, name)) is not None]
    if loaders:
        from typedseg.config.rules.data import check_dataset

        for name, loader in loaders:
            problems += check_dataset((name, "dataset"), loader.dataset)
    if exp.model is not None or loaders or exp.tta_pipeline is not None:
        from typedseg.config.rules.segmentation import check_segmentation

        problems += check_segmentation(exp)
    return problems
