"""Optimizer configs (typedseg.config.optimizers, generated from torch's signatures) -> torch.optim objects."""

from collections.abc import Iterable
from typing import Any, assert_never

import torch
from torch.optim import Optimizer

from typedseg.config.optimizers import (
    ASGD,
    LBFGS,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Muon,
    NAdam,
    OptimizerConfig,
    RAdam,
    RMSprop,
    Rprop,
    SparseAdam,
    TorchAdafactor,
    UserOptimizer,
)

Params = Iterable[torch.nn.Parameter] | Iterable[dict[str, Any]]


def optimizer_kwargs(cfg: OptimizerConfig) -> dict[str, Any]:
    """The config's fields as the optimizer's keyword arguments (field names are torch's argument names)."""
    return {name: getattr(cfg, name) for name in type(cfg).model_fields if name != "type"}


def build_optimizer(cfg: OptimizerConfig, params: Params) -> Optimizer:
    """The optimizer of `cfg` over `params` (tensors, or param-group dicts from a constructor)."""
    match cfg:
        case UserOptimizer():
            built = cfg.build(params)
            if not isinstance(built, Optimizer):
                raise TypeError(
                    f"{type(cfg).__name__}.build(params) must return a torch Optimizer, got {built!r}"
                )
            return built
        case ASGD():
            return torch.optim.ASGD(params, **optimizer_kwargs(cfg))
        case Adadelta():
            return torch.optim.Adadelta(params, **optimizer_kwargs(cfg))
        case Adagrad():
            return torch.optim.Adagrad(params, **optimizer_kwargs(cfg))
        case Adam():
            return torch.optim.Adam(params, **optimizer_kwargs(cfg))
        case AdamW():
            return torch.optim.AdamW(params, **optimizer_kwargs(cfg))
        case Adamax():
            return torch.optim.Adamax(params, **optimizer_kwargs(cfg))
        case LBFGS():
            return torch.optim.LBFGS(params, **optimizer_kwargs(cfg))
        case Muon():
            return torch.optim.Muon(params, **optimizer_kwargs(cfg))
        case NAdam():
            return torch.optim.NAdam(params, **optimizer_kwargs(cfg))
        case RAdam():
            return torch.optim.RAdam(params, **optimizer_kwargs(cfg))
        case RMSprop():
            return torch.optim.RMSprop(params, **optimizer_kwargs(cfg))
        case Rprop():
            return torch.optim.Rprop(params, **optimizer_kwargs(cfg))
        case SGD():
            return torch.optim.SGD(params, **optimizer_kwargs(cfg))
        case SparseAdam():
            return torch.optim.SparseAdam(params, **optimizer_kwargs(cfg))
        case TorchAdafactor():
            return torch.optim.Adafactor(params, **optimizer_kwargs(cfg))
        case _:
            assert_never(cfg)
