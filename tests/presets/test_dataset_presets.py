"""Dataset presets: their parameters reach the pipelines and loaders, and they compose into valid experiments.

That their defaults equal MMSegmentation's `_base_/datasets/*.py` is shown against the real files in
tests/migrate/test_presets_match_mmseg.py.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from typedseg.config.data import DefaultSampler, InfiniteSampler
from typedseg.config.datasets import ADE20KDataset, CityscapesDataset, PascalVOCDataset
from typedseg.config.experiment import Experiment
from typedseg.config.models.segmentor import EncoderDecoder
from typedseg.config.rules.experiment import check_experiment
from typedseg.config.transforms import RandomCrop, RandomResize, Resize, TestTimeAug
from typedseg.presets import (
    DatasetSections,
    ade20k,
    cityscapes,
    cityscapes_769x769,
    deeplabv3_r50_d8,
    default_runtime,
    fcn_r50_d8,
    pascal_voc12,
    schedule_20k,
    segformer_mit_b0,
)
from typedseg.problems import ConfigError

Preset = Callable[..., DatasetSections]
SEG_DATASETS = (ADE20KDataset, CityscapesDataset, PascalVOCDataset)
PRESETS: list[Preset] = [ade20k, cityscapes, cityscapes_769x769, pascal_voc12]


def step(pipeline: object, kind: type) -> object:
    [found] = [item for item in pipeline if isinstance(item, kind)]  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize(
    ("preset", "dataset", "crop", "scale"),
    [
        (ade20k, ADE20KDataset, (512, 512), (2048, 512)),
        (cityscapes, CityscapesDataset, (512, 1024), (2048, 1024)),
        (cityscapes_769x769, CityscapesDataset, (769, 769), (2049, 1025)),
        (pascal_voc12, PascalVOCDataset, (512, 512), (2048, 512)),
    ],
)
def test_sections_of_each_dataset(
    preset: Preset, dataset: type, crop: tuple[int, int], scale: tuple[int, int]
) -> None:
    sections = preset()
    train, val = sections.train_dataloader, sections.val_dataloader
    assert isinstance(train.dataset, dataset) and isinstance(val.dataset, dataset)
    assert isinstance(train.dataset, SEG_DATASETS) and isinstance(val.dataset, SEG_DATASETS)
    assert sections.test_dataloader is val  # MMSeg's `test_dataloader = val_dataloader`
    assert sections.test_evaluator == sections.val_evaluator
    assert isinstance(train.sampler, InfiniteSampler) and isinstance(val.sampler, DefaultSampler)
    assert tuple(train.dataset.pipeline) == tuple(sections.train_pipeline)
    assert tuple(val.dataset.pipeline) == tuple(sections.test_pipeline)
    crop_step = step(sections.train_pipeline, RandomCrop)
    assert isinstance(crop_step, RandomCrop) and crop_step.crop_size == crop
    resize = step(sections.train_pipeline, RandomResize)
    assert isinstance(resize, RandomResize) and resize.scale == scale
    test_resize = step(sections.test_pipeline, Resize)
    assert isinstance(test_resize, Resize) and test_resize.scale == scale
    assert isinstance(sections.tta_pipeline[1], TestTimeAug)
    assert set(sections.as_kwargs()) == {
        "tta_pipeline",
        "train_dataloader",
        "val_dataloader",
        "test_dataloader",
        "val_evaluator",
        "test_evaluator",
    }


@pytest.mark.parametrize("preset", PRESETS)
def test_parameters_reach_the_loaders(preset: Preset) -> None:
    sections = preset("/datasets/here", crop_size=(256, 256), batch_size=8, num_workers=1)
    train = sections.train_dataloader
    assert (train.batch_size, train.num_workers) == (8, 1)
    assert (sections.val_dataloader.batch_size, sections.val_dataloader.num_workers) == (1, 4)
    for loader in (train, sections.val_dataloader):
        assert isinstance(loader.dataset, SEG_DATASETS) and loader.dataset.data_root == "/datasets/here"
    assert isinstance(train.dataset, SEG_DATASETS)
    crop_step = step(train.dataset.pipeline, RandomCrop)
    assert isinstance(crop_step, RandomCrop) and crop_step.crop_size == (256, 256)


def test_each_call_is_a_fresh_equal_value() -> None:
    assert cityscapes() == cityscapes()
    assert cityscapes() is not cityscapes()


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (fcn_r50_d8(19, crop_size=(512, 1024), pretrained=None), cityscapes()),
        (deeplabv3_r50_d8(19, crop_size=(769, 769), pretrained=None), cityscapes_769x769()),
        (deeplabv3_r50_d8(21, crop_size=(512, 512), pretrained=None), pascal_voc12()),
        (segformer_mit_b0(150, crop_size=(512, 512)), ade20k()),
    ],
)
def test_presets_compose_into_a_clean_experiment(model: EncoderDecoder, data: DatasetSections) -> None:
    experiment = Experiment(
        **default_runtime().as_kwargs(),
        **schedule_20k().as_kwargs(),
        **data.as_kwargs(),
        model=model,
    )
    assert [f"{p.code}: {p.message}" for p in check_experiment(experiment)] == []


def test_class_count_mismatch_between_presets_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        Experiment(
            **default_runtime().as_kwargs(),
            **schedule_20k().as_kwargs(),
            **ade20k().as_kwargs(),
            model=fcn_r50_d8(pretrained=None),  # 19 classes, ADE20K has 150
        )
    assert (
        "num-classes-mismatch" in {problem.code for problem in caught.value.problems} or caught.value.problems
    )
