"""What the engine needs from the pieces other packages build (optimizer wrapper, schedulers, metric, model).

Structural types (Protocols): the engine depends on these shapes, not on the classes that provide them, so the
builders in typedseg.engine.optim, typedseg.models, typedseg.datasets and typedseg.evaluation (or a test's own)
plug in without the engine importing their internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol, runtime_checkable

import torch
from torch import nn

from typedseg.structures import SegDataSample

NO_CONTEXT = nullcontext()
"""What `optim_context` returns for a step that needs no context (reusable: nullcontext keeps no state); the
train step skips the `with` when it gets this one."""


class OptimWrapperLike(Protocol):
    """MMEngine's OptimWrapper surface (typedseg.engine.optim.build_optim_wrapper returns one)."""

    @property
    def optimizer(self) -> torch.optim.Optimizer: ...

    def update_params(self, loss: torch.Tensor) -> None: ...

    def zero_grad(self) -> None: ...

    def step(self) -> None: ...

    def backward(self, loss: torch.Tensor) -> None: ...

    def should_update(self) -> bool: ...

    def optim_context(self, model: nn.Module) -> AbstractContextManager[Any]: ...

    def get_lr(self) -> dict[str, list[float]]: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...

    def initialize_count_status(self, model: nn.Module, cur_iter: int, max_iters: int) -> None: ...


class SchedulerLike(Protocol):
    """A parameter scheduler (typedseg.engine.optim.build_schedulers returns a list of them)."""

    by_epoch: bool

    def step(self) -> None: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


@runtime_checkable
class MetricSteppedScheduler(Protocol):
    """ReduceOnPlateau: stepped with the validation metrics instead of once per step."""

    by_epoch: bool
    need_val_args: bool

    def step(self, metrics: Mapping[str, float] | None = None) -> None: ...


class MetricLike(Protocol):
    """An evaluator metric (typedseg.evaluation.build_metric returns one)."""

    def process(self, data_samples: Sequence[SegDataSample]) -> None: ...

    def compute(self) -> dict[str, float]: ...

    def reset(self) -> None: ...


class SamplerLike(Protocol):
    """A sampler that resumes mid-epoch: the engine saves and restores its position."""

    def set_epoch(self, epoch: int) -> None: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...
