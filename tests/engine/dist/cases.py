"""Configs for the distributed tests: the engine's tiny data with a model whose gradients do not depend on how a
batch is split (no BatchNorm, no dropout), SGD with lr=1 (so one step's weight change is the gradient), gloo."""

from __future__ import annotations

import os
import signal
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from tests.engine.tiny import CLASSES, experiment
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, UserHook
from typedseg.config.models.segmentor import SegDataPreProcessor as PreprocessorConfig
from typedseg.config.models.segmentor import UserModel
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.replace import replace
from typedseg.config.runtime import DistConfig, EnvConfig, RandomnessConfig
from typedseg.models.preprocessor import SegDataPreProcessor
from typedseg.structures import SegDataSample


class PlainNet(nn.Module):
    """conv-ReLU-conv: per-sample gradients, so a batch split over processes gives the same mean gradient."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.data_preprocessor = SegDataPreProcessor(PreprocessorConfig(size_divisor=8))
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.head = nn.Conv2d(8, classes, 1)

    def forward(
        self, inputs: torch.Tensor, data_samples: list[SegDataSample] | None = None, mode: str = "tensor"
    ) -> Any:
        logits = self.head(self.body(inputs / 255.0))
        if mode == "tensor":
            return logits
        assert data_samples is not None
        if mode == "loss":
            labels = torch.cat([s.gt_sem_seg for s in data_samples if s.gt_sem_seg is not None])
            return {"decode.loss_ce": F.cross_entropy(logits, labels)}
        for sample, logit in zip(data_samples, logits, strict=True):
            sample.seg_logits = logit
            sample.pred_sem_seg = logit.argmax(0, keepdim=True)
        return data_samples


class PlainModel(UserModel):
    classes: int = len(CLASSES)

    def build(self, *args: Any, **kwargs: Any) -> PlainNet:
        return PlainNet(self.classes)


class BranchedNet(PlainNet):
    """PlainNet with a second head that the forward never calls: its parameters get no gradient, so
    DistributedDataParallel needs find_unused_parameters=True (MMSeg's models with a head skipped in training)."""

    def __init__(self, classes: int) -> None:
        super().__init__(classes)
        self.spare = nn.Conv2d(8, classes, 1)


class BranchedModel(UserModel):
    classes: int = len(CLASSES)

    def build(self, *args: Any, **kwargs: Any) -> BranchedNet:
        return BranchedNet(self.classes)


def branched(*, max_iters: int = 2, **fields: Any) -> Experiment:
    """`plain` with the unused head, no validation, a checkpoint at the end: `max_iters` steps, batch 2 per process;
    `fields` set the experiment's own (find_unused_parameters, model_wrapper_cfg)."""
    exp = plain(batch_size=2, max_iters=max_iters)
    return replace(
        exp,
        {"default_hooks.checkpoint.interval": max_iters},
        model=BranchedModel(),
        val_dataloader=None,
        val_cfg=None,
        val_evaluator=None,
        **fields,
    )


def plain(*, batch_size: int, max_iters: int = 1, val_size: int = 5) -> Experiment:
    """`max_iters` SGD(lr=1) steps of the plain model, a checkpoint each iteration, validation at the end on
    `val_size` images (odd: the two processes get different counts)."""
    exp = experiment(
        max_iters=max_iters,
        batch_size=batch_size,
        val_interval=max_iters,
        checkpoint=CheckpointHook(by_epoch=False, interval=1),
        logger_interval=1,
    )
    return replace(
        exp,
        {"val_dataloader.dataset.size": val_size, "val_dataloader.dataset.hw": 16},  # images that differ
        model=PlainModel(),
        optim_wrapper=OptimWrapper(optimizer=SGD(lr=1.0)),
        param_scheduler=[],
        env_cfg=EnvConfig(dist_cfg=DistConfig(backend="gloo")),
    )


def resumable(*, max_iters: int = 8) -> Experiment:
    """The engine's tiny model (BatchNorm, dropout) and data, SGD with momentum and PolyLR, 2 per process, a
    checkpoint every 2 iterations, validation every 4, diff_rank_seed (each rank its own dropout): what exact
    resume must reproduce, on gloo."""
    exp = experiment(
        max_iters=max_iters,
        val_interval=4,
        checkpoint=CheckpointHook(by_epoch=False, interval=2),
        logger_interval=2,
    )
    return replace(
        exp,
        env_cfg=EnvConfig(dist_cfg=DistConfig(backend="gloo")),
        randomness=RandomnessConfig(seed=7, deterministic=True, diff_rank_seed=True),  # per-rank RNG streams
    )


class NanOnRank(UserHook):
    """Test hook: makes the loss NaN on rank `rank` only, at iteration `at` (before the optimizer step)."""

    rank: int = 1
    at: int = 3

    def build(self, *args: Any, **kwargs: Any) -> Any:
        return _NanOnRank(self.rank, self.at)


class _NanOnRank:
    priority = 10

    def __init__(self, rank: int, at: int) -> None:
        self.rank, self.at = rank, at

    def before_train_iter(self, state: Any) -> None:
        if state.iter + 1 == self.at and int(os.environ.get("RANK", "0")) == self.rank:
            head: Any = state.model.head
            with torch.no_grad():
                head.bias.fill_(float("nan"))


class SignalLauncherAt(UserHook):
    """Test hook: rank 0 sends `signum` to its launcher (its parent process) after iteration `at`."""

    at: int = 5
    signum: int = int(signal.SIGKILL)

    def build(self, *args: Any, **kwargs: Any) -> Any:
        return _SignalLauncher(self.at, self.signum)


class _SignalLauncher:
    priority = 100

    def __init__(self, at: int, signum: int) -> None:
        self.at, self.signum = at, signum

    def after_train_iter(self, state: Any) -> None:
        if state.iter + 1 == self.at and int(os.environ.get("RANK", "0")) == 0:
            os.kill(os.getppid(), self.signum)


class ExitOnRank(UserHook):
    """Test hook: the worker of global rank `rank` dies (exit code 1, no cleanup) after iteration `at`."""

    rank: int = 1
    at: int = 2

    def build(self, *args: Any, **kwargs: Any) -> Any:
        return _ExitOnRank(self.rank, self.at)


class _ExitOnRank:
    priority = 100

    def __init__(self, rank: int, at: int) -> None:
        self.rank, self.at = rank, at

    def after_train_iter(self, state: Any) -> None:
        if state.iter + 1 == self.at and int(os.environ.get("RANK", "0")) == self.rank:
            os._exit(1)
