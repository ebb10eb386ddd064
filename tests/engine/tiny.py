"""A tiny segmentation model, an in-memory dataset and an experiment around them, for the engine's tests.

They plug in through the user-extension configs (UserModel, UserDataset), so the runner builds them through
the real typedseg.models / typedseg.datasets / typedseg.evaluation builders and the real samplers.
"""

from __future__ import annotations

import os
import signal
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from typedseg.config.data import DataLoaderConfig, DefaultSampler, InfiniteSampler
from typedseg.config.datasets import UserDataset
from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook, UserHook
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop, TestLoop, ValLoop
from typedseg.config.models.segmentor import SegDataPreProcessor as PreprocessorConfig
from typedseg.config.models.segmentor import UserModel
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.runtime import LogProcessor, RandomnessConfig
from typedseg.config.schedulers import PolyLR
from typedseg.models.preprocessor import SegDataPreProcessor
from typedseg.structures import SegDataSample

CLASSES = ("background", "square", "disc")


class TinyNet(nn.Module):
    """conv-BN-ReLU-Dropout-conv: BatchNorm buffers and dropout make resume exactness testable."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.data_preprocessor = SegDataPreProcessor(PreprocessorConfig(size_divisor=8))
        self.body = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Dropout2d(0.2)
        )
        self.head = nn.Conv2d(8, classes, 1)
        self.nan_at = int(os.environ.get("TINY_NAN_AT", "-1"))
        self.calls = 0

    def forward(
        self, inputs: torch.Tensor, data_samples: list[SegDataSample] | None = None, mode: str = "tensor"
    ) -> Any:
        logits = self.head(self.body(inputs / 255.0))
        if mode == "tensor":
            return logits
        if mode == "loss":
            assert data_samples is not None
            labels = torch.cat([s.gt_sem_seg for s in data_samples if s.gt_sem_seg is not None])
            loss = F.cross_entropy(logits, labels)
            self.calls += 1
            if self.calls == self.nan_at:
                loss = loss * float("nan")
            acc = (logits.argmax(1) == labels).float().mean() * 100
            return {"decode.loss_ce": loss, "decode.acc_seg": acc}
        assert data_samples is not None
        for sample, logit in zip(data_samples, logits, strict=True):
            sample.seg_logits = logit
            sample.pred_sem_seg = logit.argmax(0, keepdim=True)
        return data_samples


class TinyModel(UserModel):
    classes: int = len(CLASSES)

    def build(self, *args: Any, **kwargs: Any) -> TinyNet:
        return TinyNet(self.classes)


class TinySegData(torch.utils.data.Dataset[dict[str, Any]]):
    """`size` images of `hw`x`hw`: a bright square (class 1) and a dim disc (class 2) at seeded places."""

    def __init__(self, size: int, hw: int, seed: int) -> None:
        self.size, self.hw, self.seed = size, hw, seed
        self.metainfo = {"classes": CLASSES, "palette": [[0, 0, 0], [255, 0, 0], [0, 255, 0]]}

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> dict[str, Any]:
        rng = np.random.default_rng([self.seed, index])
        label = np.zeros((self.hw, self.hw), dtype=np.int64)
        y, x = rng.integers(0, self.hw // 2, size=2)
        label[y : y + self.hw // 3, x : x + self.hw // 3] = 1
        yy, xx = np.mgrid[: self.hw, : self.hw]
        cy, cx = rng.integers(self.hw // 4, self.hw, size=2)
        label[(yy - cy) ** 2 + (xx - cx) ** 2 < (self.hw // 5) ** 2] = 2
        image = rng.integers(0, 60, size=(3, self.hw, self.hw)).astype(np.uint8)
        image[:, label == 1] += 150
        image[1, label == 2] += 90
        sample = SegDataSample(
            metainfo={
                "img_path": f"{index}.png",
                "ori_shape": (self.hw, self.hw),
                "img_shape": (self.hw, self.hw),
            },
            gt_sem_seg=torch.from_numpy(label)[None],
        )
        return {"inputs": torch.from_numpy(image), "data_samples": sample}


class TinyData(UserDataset):
    size: int = 12
    hw: int = 8
    seed: int = 0

    def build(self, *args: Any, **kwargs: Any) -> TinySegData:
        return TinySegData(self.size, self.hw, self.seed)


def experiment(
    *,
    max_iters: int = 12,
    max_epochs: int | None = None,
    interval: int = 4,
    val_interval: int = 6,
    with_val: bool = True,
    batch_size: int = 2,
    infinite: bool = False,
    custom_hooks: tuple[Any, ...] = (),
    checkpoint: CheckpointHook | None = None,
    logger_interval: int = 2,
    **extra: Any,
) -> Experiment:
    """An experiment over the tiny model and data: SGD + PolyLR, validation with IoUMetric, deterministic."""
    by_epoch = max_epochs is not None
    train_cfg: Any = (
        EpochBasedTrainLoop(max_epochs=max_epochs, val_interval=1)
        if max_epochs is not None
        else IterBasedTrainLoop(max_iters=max_iters, val_interval=val_interval)
    )
    data = DataLoaderConfig(
        batch_size=batch_size,
        sampler=InfiniteSampler() if infinite else DefaultSampler(shuffle=True),
        dataset=TinyData(),
    )
    val = DataLoaderConfig(
        batch_size=2, sampler=DefaultSampler(shuffle=False), dataset=TinyData(size=4, seed=1)
    )
    return Experiment(
        model=TinyModel(),
        train_dataloader=data,
        train_cfg=train_cfg,
        optim_wrapper=OptimWrapper(optimizer=SGD(lr=0.05, momentum=0.9, weight_decay=1e-4)),
        param_scheduler=[PolyLR(eta_min=1e-4, power=0.9, by_epoch=by_epoch)],
        val_dataloader=val if with_val else None,
        val_cfg=ValLoop() if with_val else None,
        val_evaluator=IoUMetric() if with_val else None,
        test_dataloader=val if with_val else None,
        test_cfg=TestLoop() if with_val else None,
        test_evaluator=IoUMetric() if with_val else None,
        default_hooks=DefaultHooks(
            logger=LoggerHook(interval=logger_interval, log_metric_by_epoch=by_epoch),
            checkpoint=checkpoint
            or CheckpointHook(by_epoch=by_epoch, interval=interval if not by_epoch else 1),
        ),
        custom_hooks=custom_hooks,
        randomness=RandomnessConfig(seed=7, deterministic=True),
        log_processor=LogProcessor(by_epoch=by_epoch, window_size=2),
        **extra,
    )


class KillAt(UserHook):
    """Test hook: SIGKILLs its own process after iteration `at` (after every other hook ran)."""

    at: int = 0

    def build(self, *args: Any, **kwargs: Any) -> Any:
        return _Killer(self.at)


class _Killer:
    priority = 100

    def __init__(self, at: int) -> None:
        self.at = at

    def after_train_iter(self, state: Any) -> None:
        if state.iter + 1 == self.at:
            os.kill(os.getpid(), signal.SIGKILL)


class SigtermAt(UserHook):
    """Test hook: sends SIGTERM to its own process during iteration `at` (as a scheduler would, at any time)."""

    at: int = 0

    def build(self, *args: Any, **kwargs: Any) -> Any:
        return _Terminator(self.at)


class _Terminator:
    priority = 30

    def __init__(self, at: int) -> None:
        self.at = at

    def before_train_iter(self, state: Any) -> None:
        if state.iter + 1 == self.at:
            os.kill(os.getpid(), signal.SIGTERM)


class LimitFileSize(UserHook):
    """Test hook: after iteration `after`, files may grow to `limit` bytes only (RLIMIT_FSIZE; SIGXFSZ ignored),
    so the next checkpoint write fails as on a full disk. `restore()` lifts the limit again."""

    after: int = 0
    limit: int = 0

    def build(self, *args: Any, **kwargs: Any) -> Any:
        return _FileSizeLimiter(self.after, self.limit)


class _FileSizeLimiter:
    priority = 95

    def __init__(self, after: int, limit: int) -> None:
        self.after, self.limit = after, limit

    def after_train_iter(self, state: Any) -> None:
        import resource

        if state.iter + 1 == self.after:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(
                resource.RLIMIT_FSIZE, (self.limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1])
            )


def restore_file_size_limit() -> None:
    import resource

    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
