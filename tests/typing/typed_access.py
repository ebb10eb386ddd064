"""Checked by mypy --strict in the test command: attribute access on configs keeps precise types."""

from __future__ import annotations

from collections.abc import Sequence  # noqa: F401 - named in assert_type strings
from typing import Literal, assert_type  # noqa: F401

from typedseg.config.data import DataLoaderConfig
from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.models.backbones import ConvNeXt, ResNetV1c
from typedseg.config.models.heads import FCNHead
from typedseg.config.models.segmentor import (  # noqa: F401 - some named in assert_type strings
    EncoderDecoder,
    ModelTestCfg,
    SegDataPreProcessor,
)
from typedseg.config.optimizers import SGD
from typedseg.config.schedulers import PolyLR
from typedseg.config.transforms import TransformConfig  # noqa: F401 - named in assert_type strings
from typedseg.presets import DatasetSections, cityscapes, fcn_r50_d8, upernet_convnext


def typed_access(config: Experiment) -> None:
    assert_type(config.default_hooks.checkpoint.interval, int)
    assert_type(config.default_hooks.checkpoint.save_best, "str | Sequence[str] | None")
    assert_type(config.default_hooks, DefaultHooks)
    assert_type(config.default_hooks.checkpoint, CheckpointHook)
    assert_type(config.randomness.seed, "int | None")
    assert_type(config.log_processor.by_epoch, bool)


def typed_construction() -> None:
    loop = IterBasedTrainLoop(max_iters=80000, val_interval=8000)
    assert_type(loop.max_iters, int)
    assert_type(SGD(lr=0.01).lr, float)
    assert_type(PolyLR(power=0.9).eta_min, float)
    assert_type(IoUMetric().iou_metrics, "Sequence[Literal['mIoU', 'mDice', 'mFscore']]")


def typed_model(config: Experiment) -> None:
    model = config.model
    assert isinstance(model, EncoderDecoder)
    head = model.decode_head
    assert isinstance(head, FCNHead)
    assert_type(head.num_classes, int)
    assert_type(head.in_channels, "int | Sequence[int]")
    assert_type(model.test_cfg, "ModelTestCfg | None")
    assert_type(model.data_preprocessor, "SegDataPreProcessor | None")
    backbone = model.backbone
    assert isinstance(backbone, ResNetV1c)
    assert_type(backbone.depth, "Literal[18, 34, 50, 101, 152]")
    assert_type(backbone.out_channels(), "tuple[int, ...] | None")


def typed_presets() -> None:
    assert_type(fcn_r50_d8(), EncoderDecoder)
    assert_type(upernet_convnext(150, arch="tiny"), EncoderDecoder)
    convnext = upernet_convnext().backbone
    assert isinstance(convnext, ConvNeXt)
    assert_type(convnext.drop_path_rate, float)
    data = cityscapes()
    assert_type(data, DatasetSections)
    assert_type(data.train_dataloader, DataLoaderConfig)
    assert_type(data.val_evaluator, IoUMetric)
    assert_type(data.tta_pipeline, "Sequence[TransformConfig]")
