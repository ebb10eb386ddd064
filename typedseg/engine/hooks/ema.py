"""EMAHook: MMEngine's averaged models (ExponentialMovingAverage, MomentumAnnealingEMA, StochasticWeightAverage),
swapped in for validation and testing and saved as the checkpoint's weights (`ema_state_dict` keeps the rest)."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from typedseg.config.hooks import EMAHook as EMAConfig
from typedseg.engine.hooks.base import Hook
from typedseg.engine.state import RunState


class AveragedModel(nn.Module):
    """A copy of the model whose floating-point parameters (and buffers, with update_buffers) are averaged.

    MMEngine's formulas: the first update copies; later updates every `interval` steps apply
    EMA `avg.lerp_(src, m)`, annealed `m = max(momentum, gamma / (gamma + steps))`, or SWA
    `avg += (src - avg) / (steps // interval + 1)`.
    """

    def __init__(self, model: nn.Module, cfg: EMAConfig) -> None:
        super().__init__()
        self.module: nn.Module = copy.deepcopy(model).requires_grad_(False)
        self.cfg = cfg
        self.steps: torch.Tensor
        self.register_buffer("steps", torch.tensor(0, dtype=torch.long))
        self.averaged: dict[str, torch.Tensor] = (
            self.module.state_dict() if cfg.update_buffers else dict(self.module.named_parameters())
        )

    def _average(self, avg: torch.Tensor, src: torch.Tensor, steps: int) -> None:
        kind = self.cfg.ema_type
        if kind == "StochasticWeightAverage":
            avg.add_(src - avg, alpha=1 / float(steps // self.cfg.interval + 1))
        elif kind == "MomentumAnnealingEMA":
            gamma = self.cfg.resolved_gamma or 100
            avg.lerp_(src, max(self.cfg.momentum, gamma / (gamma + steps)))
        else:
            avg.lerp_(src, self.cfg.momentum)

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        source = model.state_dict() if self.cfg.update_buffers else dict(model.named_parameters())
        steps = int(self.steps)
        if steps == 0:
            for name, avg in self.averaged.items():
                avg.copy_(source[name])
        elif steps % self.cfg.interval == 0:
            for name, avg in self.averaged.items():
                if avg.dtype.is_floating_point:
                    self._average(avg, source[name].to(avg.device), steps)
        if not self.cfg.update_buffers:
            for b_avg, b_src in zip(self.module.buffers(), model.buffers(), strict=True):
                b_avg.copy_(b_src)
        self.steps += 1


class EMAHook(Hook):
    """Keeps an averaged copy of the weights; validation, testing and saved checkpoints use it."""

    def __init__(self, cfg: EMAConfig) -> None:
        self.cfg = cfg
        self.priority = 50
        self.ema: AveragedModel | None = None

    def before_run(self, state: RunState) -> None:
        self.ema = AveragedModel(state.model, self.cfg)

    def _started(self, state: RunState) -> bool:
        return state.iter + 1 >= self.cfg.begin_iter and state.epoch + 1 >= self.cfg.begin_epoch

    def after_train_iter(self, state: RunState) -> None:
        assert self.ema is not None
        if self._started(state):
            self.ema.update_parameters(state.model)
        else:
            with torch.no_grad():
                own = state.model.state_dict()
                for name, value in self.ema.module.state_dict().items():
                    value.copy_(own[name])

    def _pairs(self, model: nn.Module) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        assert self.ema is not None
        averaged: Iterator[torch.Tensor] = iter(self.ema.module.parameters())
        source: Iterator[torch.Tensor] = iter(model.parameters())
        if self.cfg.update_buffers:
            averaged = itertools.chain(averaged, self.ema.module.buffers())
            source = itertools.chain(source, model.buffers())
        return zip(averaged, source, strict=True)

    def swap(self, model: nn.Module) -> None:
        """Exchange the model's weights with the averaged ones (twice restores them)."""
        with torch.no_grad():
            for avg, src in self._pairs(model):
                held = avg.detach().clone()
                avg.copy_(src)
                src.copy_(held)

    def _swap(self, state: RunState) -> None:
        self.swap(state.model)

    before_val_epoch = after_val_epoch = before_test_epoch = after_test_epoch = _swap

    def before_save_checkpoint(self, state: RunState) -> None:
        assert self.ema is not None and state.checkpoint is not None
        checkpoint = state.checkpoint
        checkpoint["ema_state_dict"] = {k: v.detach().clone() for k, v in self.ema.state_dict().items()}
        self._swap_in_checkpoint(checkpoint)

    def after_load_checkpoint(self, state: RunState) -> None:
        assert self.ema is not None and state.checkpoint is not None
        checkpoint = state.checkpoint
        if "ema_state_dict" in checkpoint and state.resumed:
            self._swap_in_checkpoint(checkpoint)
            self.ema.load_state_dict(checkpoint["ema_state_dict"], strict=self.cfg.strict_load)
        else:  # weights only (load_from): the average starts from them
            self.ema.module.load_state_dict(checkpoint["state_dict"], strict=self.cfg.strict_load)

    def _swap_in_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Exchange `state_dict` entries with the EMA's (`module.<name>`), as MMEngine stores them."""
        weights, averaged = checkpoint["state_dict"], checkpoint["ema_state_dict"]
        for name in list(weights):
            key = f"module.{name}"
            if key in averaged and (self.cfg.update_buffers or name in dict(self._param_names())):
                weights[name], averaged[key] = averaged[key], weights[name]

    def _param_names(self) -> Iterator[tuple[str, None]]:
        assert self.ema is not None
        return ((name, None) for name, _ in self.ema.module.named_parameters())
