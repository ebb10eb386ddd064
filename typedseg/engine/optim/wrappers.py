"""Optimizer wrappers with MMEngine's semantics: gradient accumulation, clipping, mixed precision.

`OptimWrapper.update_params(loss)` divides the loss by the accumulation factor, runs backward, and every
`accumulative_counts` calls (or at the last iteration of training) clips and steps. The factor is
`accumulative_counts`, except over the last `max_iters % accumulative_counts` iterations, where it is that
remainder (so every step averages over the micro-batches it really saw); `initialize_count_status` tells the
wrapper where training starts and ends. The norm found while clipping stays a tensor (`last_grad_norm`) so
that nothing forces a device sync unless a logger reads it.

`AmpOptimWrapper` adds `torch.autocast` in `optim_context` and, for float16, a gradient scaler whose state is
part of `state_dict()`. Unlike MMEngine it runs bfloat16 on CPU; float16 on CPU is refused when it is built.
"""

import logging
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, assert_never

import torch
from torch import Tensor, nn
from torch.optim import Optimizer

from typedseg.config.optim import AmpOptimWrapper as AmpOptimWrapperConfig
from typedseg.config.optim import ClipGradNorm, ClipGradValue, LossScaleConfig
from typedseg.config.optim import OptimWrapper as OptimWrapperConfig
from typedseg.config.rules.optim import check_optim_runtime
from typedseg.engine.optim.constructors import build_param_groups
from typedseg.engine.optim.optimizers import build_optimizer
from typedseg.engine.protocols import NO_CONTEXT
from typedseg.problems import ConfigError

log = logging.getLogger("typedseg")


class OptimWrapper:
    """An optimizer with MMEngine's accumulation and clipping. Schedulers drive `param_groups`."""

    def __init__(
        self,
        optimizer: Optimizer,
        *,
        accumulative_counts: int = 1,
        clip_grad: ClipGradNorm | ClipGradValue | None = None,
        param_names: list[list[str]] | None = None,
    ) -> None:
        if accumulative_counts < 1:
            raise ValueError(f"accumulative_counts must be at least 1, got {accumulative_counts}")
        self.optimizer = optimizer
        self.accumulative_counts = accumulative_counts
        self.clip_grad = clip_grad
        self.param_names = param_names
        """The parameter names of each group, as the constructor made them (for tables)."""
        self.last_grad_norm: Tensor | None = None
        """The total gradient norm found by the last norm clipping (a tensor: read it only when logging)."""
        self._plain = type(self) is OptimWrapper
        """No subclass changes backward or step: `update_params` may take its one-frame path."""
        self._inner_count = 0
        self._max_counts = -1
        self._remainder_counts = -1
        # MMEngine's record of the optimizer's own settings when there are several groups: schedulers scale
        # it too, and get_lr() reports it as `base_lr`.
        self.base_param_settings: dict[str, Any] | None = (
            dict(optimizer.defaults) if len(optimizer.param_groups) > 1 else None
        )

    # --- what schedulers and loggers read ----------------------------------------------------------------
    @property
    def param_groups(self) -> list[dict[str, Any]]:
        groups = self.optimizer.param_groups
        return groups if self.base_param_settings is None else [*groups, self.base_param_settings]

    @property
    def defaults(self) -> dict[str, Any]:
        return self.optimizer.defaults

    def get_lr(self) -> dict[str, list[float]]:
        """{'lr': per group}, plus {'base_lr': [the optimizer's own]} when there are several groups."""
        result: dict[str, list[float]] = {}
        if self.base_param_settings is not None:
            result["base_lr"] = [float(self.base_param_settings["lr"])]
        result["lr"] = [float(group["lr"]) for group in self.optimizer.param_groups]
        return result

    def get_momentum(self) -> dict[str, list[float]]:
        """{'momentum': per group}: `momentum`, or `betas[0]` for Adam-like optimizers, else 0."""
        values = []
        for group in self.optimizer.param_groups:
            if "momentum" in group:
                values.append(float(group["momentum"]))
            elif "betas" in group:
                values.append(float(group["betas"][0]))
            else:
                values.append(0.0)
        return {"momentum": values}

    # --- accumulation -------------------------------------------------------------------------------------
    @property
    def inner_count(self) -> int:
        return self._inner_count

    def initialize_count_status(self, model: nn.Module, cur_iter: int, max_iters: int) -> None:
        """Where training starts (the resumed iteration) and ends: the last micro-batches step with a remainder."""
        self._inner_count = cur_iter
        self._max_counts = max_iters
        if cur_iter % self.accumulative_counts != 0:
            log.warning(
                "resumed at iteration %d, which is not a multiple of accumulative_counts=%d: the gradients "
                "accumulated before the interruption are lost",
                cur_iter,
                self.accumulative_counts,
            )
        if self.accumulative_counts > 1 and any(
            isinstance(module, nn.modules.batchnorm._BatchNorm) for module in model.modules()
        ):
            log.warning(
                "gradient accumulation with BatchNorm: the statistics still see one micro-batch at a time"
            )
        self._remainder_counts = max_iters % self.accumulative_counts

    def should_update(self) -> bool:
        """After backward: whether this iteration steps (every `accumulative_counts`, and the last one)."""
        return self._inner_count % self.accumulative_counts == 0 or self._inner_count == self._max_counts

    def should_sync(self) -> bool:
        """Before backward: whether gradients must be synchronised (DDP) in this iteration."""
        following = self._inner_count + 1
        return following % self.accumulative_counts == 0 or following == self._max_counts

    def scale_loss(self, loss: Tensor) -> Tensor:
        """The loss divided by the number of micro-batches its step averages over."""
        if self.accumulative_counts == 1:
            return loss
        if self._max_counts == -1 or self._inner_count < self._max_counts - self._remainder_counts:
            factor = self.accumulative_counts
        else:
            factor = self._remainder_counts
        if factor <= 0:
            raise ValueError(
                f"no iterations left to accumulate (iteration {self._inner_count} of {self._max_counts}): "
                "initialize_count_status was given a wrong start or end"
            )
        return loss / factor

    # --- one iteration ------------------------------------------------------------------------------------
    def update_params(self, loss: Tensor) -> None:
        """Scale, backward, and (when due) clip, step and zero the gradients (the norm: `last_grad_norm`)."""
        if self._plain and self.accumulative_counts == 1 and self.clip_grad is None:
            # The usual step, in one frame: it runs every iteration, and each call costs microseconds.
            torch.autograd.backward(loss)
            self._inner_count += 1
            self.optimizer.step()
            self.optimizer.zero_grad()
            return
        self.backward(self.scale_loss(loss))
        if self.should_update():
            self.step()
            self.zero_grad()

    def backward(self, loss: Tensor) -> None:
        torch.autograd.backward(loss)
        self._inner_count += 1

    def zero_grad(self) -> None:
        self.optimizer.zero_grad()

    def step(self) -> None:
        """Clip (if configured; the norm goes to `last_grad_norm`) and step the optimizer."""
        if self.clip_grad is not None:
            self._clip()
        self.optimizer.step()

    def _clip(self) -> None:
        params = [
            param
            for group in self.optimizer.param_groups
            for param in group["params"]
            if param.requires_grad and param.grad is not None
        ]
        if not params:
            return
        match self.clip_grad:
            case ClipGradNorm() as cfg:
                self.last_grad_norm = nn.utils.clip_grad_norm_(
                    params, cfg.max_norm, norm_type=cfg.norm_type, error_if_nonfinite=cfg.error_if_nonfinite
                )
            case ClipGradValue() as cfg:
                nn.utils.clip_grad_value_(params, cfg.clip_value)
            case None:
                pass
            case _:
                assert_never(self.clip_grad)

    def optim_context(self, model: nn.Module) -> AbstractContextManager[Any]:
        """Around forward and backward: skip DDP's gradient sync on iterations that do not step."""
        if self.accumulative_counts == 1 or self.should_sync():  # the usual case: no attribute lookup on
            return NO_CONTEXT  # the model (nn.Module's __getattr__ for a missing name costs microseconds)
        no_sync = getattr(model, "no_sync", None)
        return no_sync() if callable(no_sync) else NO_CONTEXT

    # --- checkpoints --------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state dict (groups with their scheduled values), and the base-lr record."""
        state = self.optimizer.state_dict()
        if self.base_param_settings is not None:
            state["base_param_settings"] = dict(self.base_param_settings)
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        state = dict(state)
        base = state.pop("base_param_settings", None)
        if base is not None:
            self.base_param_settings = dict(base)
        self.optimizer.load_state_dict(state)


class AmpOptimWrapper(OptimWrapper):
    """Mixed precision: autocast to `dtype` around forward/backward; float16 adds a (checkpointed) GradScaler."""

    def __init__(
        self,
        optimizer: Optimizer,
        *,
        device_type: str,
        dtype: torch.dtype,
        loss_scale: str | float | LossScaleConfig = "dynamic",
        use_fsdp: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(optimizer, **kwargs)
        self.device_type = device_type
        self.dtype = dtype
        self._static_scale: float | None = None
        self.loss_scaler: torch.amp.GradScaler | None = None
        if dtype == torch.float16:
            self.loss_scaler = _grad_scaler(device_type, loss_scale, use_fsdp)
            if isinstance(loss_scale, float):
                self._static_scale = loss_scale

    def backward(self, loss: Tensor) -> None:
        if self.loss_scaler is None:
            torch.autograd.backward(loss)
        else:
            torch.autograd.backward(self.loss_scaler.scale(loss))
        self._inner_count += 1

    def step(self) -> None:
        if self.loss_scaler is None:
            super().step()
            return
        if self.clip_grad is not None:
            self.loss_scaler.unscale_(self.optimizer)  # clip the true gradients, not the scaled ones
            self._clip()
        self.loss_scaler.step(self.optimizer)
        self.loss_scaler.update(self._static_scale)

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        autocast = (
            torch.autocast(device_type=self.device_type, dtype=self.dtype)
            if self.dtype in (torch.float16, torch.bfloat16)
            else nullcontext()
        )
        with super().optim_context(model), autocast:
            yield

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        if self.loss_scaler is not None:
            state["loss_scaler"] = self.loss_scaler.state_dict()
        return state

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        state = dict(state)
        scaler = state.pop("loss_scaler", None)
        if scaler is not None and self.loss_scaler is not None:
            self.loss_scaler.load_state_dict(scaler)
        super().load_state_dict(state)


def _grad_scaler(
    device_type: str, loss_scale: str | float | LossScaleConfig, use_fsdp: bool
) -> torch.amp.GradScaler:
    if isinstance(loss_scale, LossScaleConfig):
        kwargs: dict[str, Any] = loss_scale.model_dump()
    elif isinstance(loss_scale, float):
        kwargs = {"init_scale": loss_scale}
    else:
        kwargs = {}
    if use_fsdp:
        from torch.distributed.fsdp.sharded_grad_scaler import ShardedGradScaler

        return ShardedGradScaler(device_type, **kwargs)
    return torch.amp.GradScaler(device_type, **kwargs)


AMP_DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
}


def build_optim_wrapper(cfg: OptimWrapperConfig | AmpOptimWrapperConfig, model: nn.Module) -> OptimWrapper:
    """The wrapper of `cfg` over `model`'s parameters, grouped by `cfg.constructor`.

    Build it after moving the model to its device: AmpOptimWrapper reads the device from the parameters
    (float16 needs CUDA: refused on CPU with the `amp-float16-needs-cuda` problem, before iteration 0).
    """
    plan = build_param_groups(cfg, model)
    optimizer = build_optimizer(cfg.optimizer, plan.groups)
    common: dict[str, Any] = {
        "accumulative_counts": cfg.accumulative_counts,
        "clip_grad": cfg.clip_grad,
        "param_names": plan.names,
    }
    match cfg:
        case AmpOptimWrapperConfig():
            first = next(model.parameters(), None)
            device_type = first.device.type if first is not None else "cpu"
            problems = check_optim_runtime(cfg, cuda_available=device_type == "cuda")
            if problems:
                raise ConfigError(problems)
            return AmpOptimWrapper(
                optimizer,
                device_type=device_type,
                dtype=AMP_DTYPES[cfg.dtype or "float16"],
                loss_scale=cfg.loss_scale,
                use_fsdp=cfg.use_fsdp,
                **common,
            )
        case OptimWrapperConfig():
            return OptimWrapper(optimizer, **common)
        case _:
            assert_never(cfg)
