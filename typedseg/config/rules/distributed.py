"""Rules on how several processes wrap the model: the top-level `find_unused_parameters` against
`model_wrapper_cfg`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.problems import Problem

if TYPE_CHECKING:
    from typedseg.config.experiment import Experiment


def check_distributed(exp: Experiment) -> list[Problem]:
    """MMEngine reads the top-level `find_unused_parameters` only when there is no `model_wrapper_cfg`: with one,
    a True there is silently dropped, and a model with unused parameters fails on several processes."""
    wrapper = exp.model_wrapper_cfg
    if wrapper is None or not exp.find_unused_parameters:
        return []
    effect = (
        "DistributedDataParallel runs with model_wrapper_cfg.find_unused_parameters=False"
        if not wrapper.find_unused_parameters
        else "only model_wrapper_cfg.find_unused_parameters counts"
    )
    return [
        Problem(
            "find-unused-parameters-ignored",
            ("find_unused_parameters",),
            "find_unused_parameters=True is not read when model_wrapper_cfg is set (MMEngine passes "
            f"model_wrapper_cfg to DistributedDataParallel as it is): {effect}.",
            "Set model_wrapper_cfg.find_unused_parameters=True and delete the top-level find_unused_parameters.",
        )
    ]
