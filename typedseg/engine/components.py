"""Where the engine gets its model, dataloaders, metrics, optimizer wrapper and schedulers.

By default from the packages that own them (typedseg.models, .datasets, .evaluation, .engine.optim; each builds a
user's own config class through its `build()`), imported when first used. `Builders` lets a caller (a test, a
benchmark, an embedding application) supply its own with the same signatures: injection without a registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from torch import nn

from typedseg.engine.protocols import MetricLike, OptimWrapperLike, SchedulerLike

if TYPE_CHECKING:
    from typedseg.config.data import DataLoaderConfig


def default_model(cfg: Any) -> nn.Module:
    from typedseg.models import build_model

    model: nn.Module = build_model(cfg)
    return model


def default_dataloader(cfg: DataLoaderConfig, *, seed: int, rank: int = 0, world_size: int = 1) -> Any:
    from typedseg.datasets import build_dataloader

    return build_dataloader(cfg, seed=seed, rank=rank, world_size=world_size)


def default_metric(cfg: Any, dataset_meta: dict[str, Any]) -> MetricLike:
    from typedseg.evaluation import build_metric

    return build_metric(cfg, dataset_meta)


def default_optim_wrapper(cfg: Any, model: nn.Module) -> OptimWrapperLike:
    from typedseg.engine.optim.wrappers import build_optim_wrapper

    wrapper: OptimWrapperLike = build_optim_wrapper(cfg, model)
    return wrapper


def default_schedulers(
    cfgs: Sequence[Any],
    optim_wrapper: OptimWrapperLike,
    *,
    iters_per_epoch: int | None,
    max_iters: int,
    max_epochs: int | None,
) -> list[SchedulerLike]:
    from typedseg.engine.optim.schedulers import build_schedulers

    built = build_schedulers(
        cfgs,
        optim_wrapper,  # type: ignore[arg-type]  # an OptimWrapper has the param_groups they step
        iters_per_epoch=iters_per_epoch,
        max_iters=max_iters,
        max_epochs=max_epochs,
    )
    return list(built)


@dataclass(frozen=True)
class Builders:
    """The functions the Runner builds its parts with (each defaults to the owning package's builder)."""

    model: Callable[[Any], nn.Module] = default_model
    dataloader: Callable[..., Any] = default_dataloader
    metric: Callable[[Any, dict[str, Any]], MetricLike] = default_metric
    optim_wrapper: Callable[[Any, nn.Module], OptimWrapperLike] = default_optim_wrapper
    schedulers: Callable[..., list[SchedulerLike]] = default_schedulers
