"""Presets return MMSegmentation's `_base_` values, as typed objects that compose into a valid experiment."""

from __future__ import annotations

import pytest

from typedseg.config.data import DataLoaderConfig, InfiniteSampler
from typedseg.config.datasets import ADE20KDataset
from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import SegVisualizationHook
from typedseg.config.optimizers import SGD
from typedseg.config.runtime import LocalVisBackend, SegLocalVisualizer
from typedseg.config.schedulers import PolyLR
from typedseg.config.transforms import LoadAnnotations, LoadImageFromFile, PackSegInputs
from typedseg.presets import (
    default_runtime,
    iter_schedule,
    schedule_20k,
    schedule_80k,
    schedule_160k,
    schedule_320k,
    segformer_mit_b0,
)


@pytest.mark.parametrize(
    ("preset", "max_iters", "interval"),
    [
        (schedule_20k, 20000, 2000),
        (schedule_80k, 80000, 8000),
        (schedule_160k, 160000, 16000),
        (schedule_320k, 320000, 32000),
    ],
)
def test_schedules_match_mmseg_base_files(preset, max_iters: int, interval: int) -> None:  # type: ignore[no-untyped-def]
    sections = preset()
    assert sections.train_cfg.max_iters == max_iters
    assert sections.train_cfg.val_interval == interval
    assert sections.optim_wrapper.optimizer == SGD(lr=0.01, momentum=0.9, weight_decay=0.0005)
    assert sections.optim_wrapper.clip_grad is None
    assert list(sections.param_scheduler) == [
        PolyLR(eta_min=1e-4, power=0.9, begin=0, end=max_iters, by_epoch=False)
    ]
    hooks = sections.default_hooks
    assert (hooks.logger.interval, hooks.logger.log_metric_by_epoch) == (50, False)
    assert (hooks.checkpoint.by_epoch, hooks.checkpoint.interval) == (False, interval)
    assert hooks.visualization == SegVisualizationHook()


def test_default_runtime_matches_mmseg() -> None:
    runtime = default_runtime()
    assert runtime.default_scope == "mmseg"
    assert runtime.env_cfg.cudnn_benchmark is True
    assert (runtime.env_cfg.mp_cfg.mp_start_method, runtime.env_cfg.mp_cfg.opencv_num_threads) == ("fork", 0)
    assert runtime.env_cfg.dist_cfg.backend == "nccl"
    assert runtime.visualizer == SegLocalVisualizer(name="visualizer", vis_backends=[LocalVisBackend()])
    assert runtime.log_processor.by_epoch is False
    assert (runtime.log_level, runtime.load_from, runtime.resume) == ("INFO", None, False)


def test_presets_compose_into_a_valid_experiment() -> None:
    dataset = ADE20KDataset(pipeline=[LoadImageFromFile(), LoadAnnotations(), PackSegInputs()])
    experiment = Experiment(
        **default_runtime().as_kwargs(),
        **iter_schedule(1000).as_kwargs(),
        train_dataloader=DataLoaderConfig(batch_size=2, sampler=InfiniteSampler(), dataset=dataset),
        val_dataloader=DataLoaderConfig(dataset=dataset),
        val_evaluator=IoUMetric(),
        test_dataloader=DataLoaderConfig(dataset=dataset),
        test_evaluator=IoUMetric(),
        model=segformer_mit_b0(150),
    )
    assert experiment.train_cfg is not None and experiment.train_cfg.length == 1000
    assert experiment.default_scope == "mmseg"


def test_each_call_is_a_fresh_equal_value() -> None:
    assert schedule_80k() == schedule_80k()
    assert schedule_80k() is not schedule_80k()


def test_a_schedule_composes_with_your_own_optimizer_wrapper() -> None:
    from typedseg.config.experiment import Experiment
    from typedseg.config.optim import OptimWrapper
    from typedseg.config.optimizers import AdamW
    from typedseg.presets import ade20k, segformer_mit_b0

    mine = OptimWrapper(optimizer=AdamW(lr=0.001, weight_decay=0.01))
    experiment = Experiment(
        **default_runtime().as_kwargs(),
        **schedule_80k().as_kwargs(optim_wrapper=mine),
        **ade20k().as_kwargs(),
        model=segformer_mit_b0(150, crop_size=(512, 512)),
    )
    assert experiment.optim_wrapper == mine
    assert experiment.train_cfg == schedule_80k().train_cfg  # the rest is the schedule's
    assert experiment.param_scheduler == tuple(schedule_80k().param_scheduler)


def test_as_kwargs_replaces_only_the_bundles_own_sections() -> None:
    with pytest.raises(
        TypeError, match=r"got 'model', which is not one of its sections .* Experiment\(\.\.\.\)"
    ):
        schedule_80k().as_kwargs(model=None)
    assert default_runtime().as_kwargs(log_level="DEBUG")["log_level"] == "DEBUG"


def test_the_runtime_and_a_dataset_bring_mmsegs_test_time_augmentation() -> None:
    from typedseg.config.experiment import Experiment
    from typedseg.config.models.segmentor import SegTTAModel
    from typedseg.config.transforms import TestTimeAug
    from typedseg.presets import ade20k

    data = ade20k()
    model = segformer_mit_b0(150, crop_size=(512, 512))
    experiment = Experiment(
        **default_runtime().as_kwargs(), **schedule_80k().as_kwargs(), **data.as_kwargs(), model=model
    )
    assert (
        experiment.tta_model == SegTTAModel()
    )  # MMSeg's default_runtime: tta_model = dict(type='SegTTAModel')
    assert experiment.tta_pipeline == tuple(data.tta_pipeline)  # its dataset bases: tta_pipeline
    assert isinstance(experiment.tta_pipeline[1], TestTimeAug)
    without = Experiment(
        **default_runtime().as_kwargs(),
        **schedule_80k().as_kwargs(),
        **data.as_kwargs(tta_pipeline=None),
        model=model,
    )
    assert without.tta_pipeline is None


def test_the_docs_list_every_preset_and_every_recipe() -> None:
    from pathlib import Path

    import typedseg.presets

    root = Path(__file__).resolve().parents[2]
    page = (root / "docs" / "configs.md").read_text(encoding="utf-8")
    functions = [name for name in typedseg.presets.__all__ if name[0].islower()]
    assert [name for name in functions if f"`{name}(" not in page] == []
    recipes = sorted(path.name for path in (root / "configs").glob("*.py"))
    assert [name for name in recipes if f"| `configs/{name}` |" not in page] == []
