"""Dataset and pipeline rules: MMSeg's own configs are clean; each rule fires with its code, path and message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import TypeAdapter

from tests.config.test_datasets import BASE_CASES, BASE_DATASETS, TTA_PIPELINE
from typedseg.config.datasets import (
    ADE20KDataset,
    BaseSegDataset,
    CityscapesDataset,
    ConcatDataset,
    DatasetConfig,
    DatasetLike,
    DatasetMetainfo,
    PascalVOCDataset,
    RepeatDataset,
    UserDataset,
)
from typedseg.config.rules.data import check_dataset, dataset_classes, pipeline_crop_size
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    Pad,
    PadValues,
    PhotoMetricDistortion,
    RandomCrop,
    RandomFlip,
    RandomResize,
    Resize,
    TestTimeAug,
    TransformConfig,
    UserTransform,
)
from typedseg.problems import Problem

DATASET = TypeAdapter(DatasetConfig)
TRAIN = ("train_dataloader", "dataset")
VAL = ("val_dataloader", "dataset")
TEST = ("test_dataloader", "dataset")


def train_pipeline(**crop: Any) -> list[TransformConfig]:
    """MMSeg's ADE20K train pipeline, with LoadAnnotations not repeating the dataset's reduce_zero_label."""
    return [
        LoadImageFromFile(),
        LoadAnnotations(),
        RandomResize(scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
        RandomCrop(crop_size=(512, 512), cat_max_ratio=0.75, **crop),
        RandomFlip(prob=0.5),
        PhotoMetricDistortion(),
        PackSegInputs(),
    ]


def val_pipeline() -> list[TransformConfig]:
    return [
        LoadImageFromFile(),
        Resize(scale=(2048, 512), keep_ratio=True),
        LoadAnnotations(),
        PackSegInputs(),
    ]


def codes(problems: list[Problem]) -> list[tuple[str, tuple[str | int, ...], str]]:
    return [(p.code, p.path, p.severity) for p in problems]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    assert problems[0].message and problems[0].hint
    return problems[0]


# --- MMSeg's own configs ----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "stage"), BASE_CASES, ids=[f"{n}-{s}" for n, s in BASE_CASES])
def test_mmseg_base_configs_are_clean(name: str, stage: str) -> None:
    dataset = DATASET.validate_python(BASE_DATASETS[name][stage])
    paths = {"train": [TRAIN], "val": [VAL, TEST]}[stage]  # test_dataloader = val_dataloader
    for path in paths:
        assert check_dataset(path, dataset) == []


def test_mmseg_tta_pipeline_is_clean_for_val_and_test() -> None:
    dataset = DATASET.validate_python({**BASE_DATASETS["ade20k"]["val"], "pipeline": TTA_PIPELINE})
    assert check_dataset(VAL, dataset) == []
    assert check_dataset(TEST, dataset) == []


# --- pipeline shape -----------------------------------------------------------------------------------


def test_pipeline_not_starting_with_the_image_loader_warns() -> None:
    dataset = ADE20KDataset(pipeline=[Resize(scale=(512, 512)), LoadImageFromFile(), PackSegInputs()])
    problem = only(check_dataset(TEST, dataset))
    assert (problem.code, problem.path, problem.severity) == (
        "pipeline-first-not-loader",
        ("test_dataloader", "dataset", "pipeline", 0),
        "warning",
    )
    assert "Resize runs before any LoadImageFromFile" in problem.message


def test_annotations_may_be_loaded_before_the_image() -> None:
    dataset = ADE20KDataset(pipeline=[LoadAnnotations(), LoadImageFromFile(), PackSegInputs()])
    assert check_dataset(TEST, dataset) == []


def test_a_user_transform_may_load_the_image() -> None:
    class LoadTiff(UserTransform):
        """A user's loader."""

    dataset = ADE20KDataset(pipeline=[LoadTiff(), PackSegInputs()])
    assert check_dataset(TEST, dataset) == []


def test_missing_pack_is_an_error_in_every_stage() -> None:
    dataset = ADE20KDataset(pipeline=[LoadImageFromFile(), LoadAnnotations()])
    for path in (TRAIN, VAL, TEST):
        problem = only(check_dataset(path, dataset))
        assert (problem.code, problem.path, problem.severity) == (
            "pipeline-missing-pack",
            (*path, "pipeline"),
            "error",
        )
        assert "no `inputs`" in problem.message


def test_an_empty_train_pipeline_has_nothing_to_train_on() -> None:
    assert codes(check_dataset(TRAIN, ADE20KDataset())) == [
        ("pipeline-missing-pack", (*TRAIN, "pipeline"), "error"),
        ("pipeline-missing-annotations", (*TRAIN, "pipeline"), "error"),
    ]


def test_pack_not_last() -> None:
    pipeline = train_pipeline()
    pipeline.insert(3, pipeline.pop())  # PackSegInputs before RandomCrop, RandomFlip, PhotoMetricDistortion
    problem = only(check_dataset(TRAIN, ADE20KDataset(pipeline=pipeline)))
    assert (problem.code, problem.path) == ("pipeline-pack-not-last", (*TRAIN, "pipeline", 3))
    assert "RandomCrop, RandomFlip, PhotoMetricDistortion come(s) after PackSegInputs" in problem.message


def test_tta_must_end_with_pack() -> None:
    tta = TestTimeAug(transforms=[[Resize(scale_factor=0.5), Resize(scale_factor=1.0)], [LoadAnnotations()]])
    problem = only(check_dataset(VAL, ADE20KDataset(pipeline=[LoadImageFromFile(), tta])))
    assert (problem.code, problem.path) == ("pipeline-missing-pack", (*VAL, "pipeline", 1, "transforms", 1))


# --- train pipelines ----------------------------------------------------------------------------------


def test_tta_in_train() -> None:
    tta = TestTimeAug(transforms=[[RandomFlip(prob=0.0), RandomFlip(prob=1.0)], [PackSegInputs()]])
    dataset = ADE20KDataset(pipeline=[LoadImageFromFile(), LoadAnnotations(), tta])
    problem = only(check_dataset(TRAIN, dataset))
    assert (problem.code, problem.path) == ("tta-in-train", (*TRAIN, "pipeline", 2))
    assert "cannot take" in problem.message


def test_train_without_annotations() -> None:
    pipeline = [step for step in train_pipeline() if not isinstance(step, LoadAnnotations)]
    problem = only(check_dataset(TRAIN, ADE20KDataset(pipeline=pipeline)))
    assert (problem.code, problem.path) == ("pipeline-missing-annotations", (*TRAIN, "pipeline"))
    assert "no LoadAnnotations" in problem.message


def test_annotations_after_a_geometric_transform_in_train() -> None:
    dataset = ADE20KDataset(pipeline=val_pipeline())  # MMSeg's test order, used to train
    problem = only(check_dataset(TRAIN, dataset))
    assert (problem.code, problem.path) == ("annotations-after-geometric", (*TRAIN, "pipeline", 2))
    assert "after Resize" in problem.message
    assert check_dataset(VAL, dataset) == []  # the intended order for evaluation


def test_stage_can_be_given_explicitly() -> None:
    dataset = ADE20KDataset(pipeline=val_pipeline())
    assert codes(check_dataset(("data",), dataset)) == []  # unknown stage: only the shared rules
    assert [p.code for p in check_dataset(("data",), dataset, stage="train")] == [
        "annotations-after-geometric"
    ]


# --- val/test pipelines ------------------------------------------------------------------------------


def test_random_transforms_in_eval_warn() -> None:
    dataset = ADE20KDataset(pipeline=train_pipeline())
    assert codes(check_dataset(VAL, dataset)) == [
        ("random-transform-in-eval", (*VAL, "pipeline", index), "warning") for index in (2, 3, 4, 5)
    ]


@pytest.mark.parametrize(
    ("flip", "random"),
    [
        (RandomFlip(prob=0.0), False),
        (RandomFlip(prob=1.0), False),
        (RandomFlip(prob=0.5), True),
        (RandomFlip(prob=1.0, direction=["horizontal", "vertical"]), True),
        (RandomFlip(prob=[1.0, 0.0], direction=["horizontal", "vertical"]), False),
        (RandomFlip(prob=[0.3, 0.7], direction=["horizontal", "vertical"]), True),
    ],
)
def test_only_random_flips_warn_in_eval(flip: RandomFlip, random: bool) -> None:
    dataset = ADE20KDataset(pipeline=[LoadImageFromFile(), flip, LoadAnnotations(), PackSegInputs()])
    assert [p.code for p in check_dataset(TEST, dataset)] == (["random-transform-in-eval"] if random else [])


def test_val_without_annotations_warns_but_test_may_format_only() -> None:
    dataset = ADE20KDataset(pipeline=[LoadImageFromFile(), Resize(scale=(2048, 512)), PackSegInputs()])
    problem = only(check_dataset(VAL, dataset))
    assert (problem.code, problem.path, problem.severity) == (
        "pipeline-missing-annotations",
        (*VAL, "pipeline"),
        "warning",
    )
    assert "IoUMetric" in problem.message
    assert check_dataset(TEST, dataset) == []


# --- pipeline against the dataset ------------------------------------------------------------------------


def test_reduce_zero_label_conflict() -> None:
    pipeline = train_pipeline()
    pipeline[1] = LoadAnnotations(reduce_zero_label=True)
    dataset = CityscapesDataset(pipeline=pipeline)  # reduce_zero_label=False, MMSeg's default for Cityscapes
    problem = only(check_dataset(TRAIN, dataset))
    assert (problem.code, problem.path) == (
        "reduce-zero-label-conflict",
        (*TRAIN, "pipeline", 1, "reduce_zero_label"),
    )
    assert "The dataset's value is the one MMSeg applies" in problem.message
    assert "asserts the two are equal" in problem.message
    assert "set reduce_zero_label=True on the dataset" in problem.hint
    # agreeing values (MMSeg's ADE20K config) are fine
    assert check_dataset(TRAIN, ADE20KDataset(pipeline=pipeline)) == []


def test_reduce_zero_label_conflict_inside_tta() -> None:
    tta = TestTimeAug(
        transforms=[[Resize(scale_factor=1.0)], [LoadAnnotations(reduce_zero_label=False)], [PackSegInputs()]]
    )
    problem = only(check_dataset(VAL, ADE20KDataset(pipeline=[LoadImageFromFile(), tta])))
    assert problem.path == (*VAL, "pipeline", 1, "transforms", 1, 0, "reduce_zero_label")


def test_crop_ignore_index_mismatch() -> None:
    dataset = ADE20KDataset(ignore_index=0, reduce_zero_label=False, pipeline=train_pipeline())
    problem = only(check_dataset(TRAIN, dataset))
    assert (problem.code, problem.path, problem.severity) == (
        "crop-ignore-index-mismatch",
        (*TRAIN, "pipeline", 3, "ignore_index"),
        "warning",
    )
    assert "RandomCrop.ignore_index=255 differs from the dataset's ignore_index=0" in problem.message
    assert problem.hint == "Set RandomCrop(ignore_index=0)."
    # the crop's ignore_index only matters when cat_max_ratio rejects crops
    pipeline = [
        step if not isinstance(step, RandomCrop) else RandomCrop(crop_size=512) for step in train_pipeline()
    ]
    assert (
        check_dataset(TRAIN, ADE20KDataset(ignore_index=0, reduce_zero_label=False, pipeline=pipeline)) == []
    )


def test_reduce_zero_label_with_another_ignore_index() -> None:
    dataset = ADE20KDataset(ignore_index=254, pipeline=train_pipeline(ignore_index=254))
    problem = only(check_dataset(TRAIN, dataset))
    assert (problem.code, problem.path, problem.severity) == (
        "reduce-zero-label-ignore-index",
        (*TRAIN, "ignore_index"),
        "warning",
    )
    assert "turns label 0 into 255" in problem.message


def test_pad_label_value_against_ignore_index() -> None:
    pipeline = train_pipeline()
    pipeline.insert(-1, Pad(size=(512, 512), pad_val=PadValues(seg=0)))
    problem = only(check_dataset(TRAIN, ADE20KDataset(pipeline=pipeline)))
    assert (problem.code, problem.path, problem.severity) == (
        "pad-seg-not-ignored",
        (*TRAIN, "pipeline", 6, "pad_val"),
        "warning",
    )
    assert problem.hint == "Set pad_val=dict(img=0, seg=255)."
    pipeline[-2] = Pad(size=(512, 512), pad_val=PadValues(seg=0), padding_mode="reflect")
    assert check_dataset(TRAIN, ADE20KDataset(pipeline=pipeline)) == []


def test_pad_size_copied_from_a_non_square_crop() -> None:
    pipeline = train_pipeline()
    pipeline[3] = RandomCrop(crop_size=(512, 1024), cat_max_ratio=0.75)
    pipeline.insert(-1, Pad(size=(512, 1024)))
    problem = only(check_dataset(TRAIN, CityscapesDataset(pipeline=pipeline)))
    assert (problem.code, problem.path) == ("pad-size-transposed", (*TRAIN, "pipeline", 6, "size"))
    assert problem.hint == "Use size=(1024, 512)."
    pipeline[-2] = Pad(size=(1024, 512))
    assert check_dataset(TRAIN, CityscapesDataset(pipeline=pipeline)) == []


def test_filter_cfg_is_ignored_by_mmseg() -> None:
    dataset = ADE20KDataset(filter_cfg={"filter_empty_gt": True}, pipeline=train_pipeline())
    problem = only(check_dataset(TRAIN, dataset))
    assert (problem.code, problem.path, problem.severity) == (
        "unused-setting",
        (*TRAIN, "filter_cfg"),
        "warning",
    )


# --- wrappers and user datasets -----------------------------------------------------------------------


def test_wrapped_datasets_are_checked_at_their_paths() -> None:
    bad = ADE20KDataset(pipeline=[LoadImageFromFile(), LoadAnnotations()])
    good = ADE20KDataset(pipeline=train_pipeline())
    concat = ConcatDataset(datasets=[good, bad])
    assert codes(check_dataset(TRAIN, RepeatDataset(dataset=concat, times=2))) == [
        ("pipeline-missing-pack", (*TRAIN, "dataset", "datasets", 1, "pipeline"), "error")
    ]


class FolderDataset(UserDataset):
    """A user's dataset with a pipeline."""

    pipeline: tuple[TransformConfig, ...] = ()
    """The transforms."""


class PlainDataset(UserDataset):
    """A user's dataset without a pipeline."""


def test_user_datasets() -> None:
    with_pipeline = FolderDataset(pipeline=(LoadImageFromFile(), LoadAnnotations()))
    assert [p.code for p in check_dataset(TRAIN, with_pipeline)] == ["pipeline-missing-pack"]
    assert check_dataset(TRAIN, PlainDataset()) == []
    assert dataset_classes(PlainDataset()) is None
    assert pipeline_crop_size(PlainDataset()) is None


# --- helpers for the cross-section rules ----------------------------------------------------------------


def test_dataset_classes() -> None:
    assert dataset_classes(ADE20KDataset()) is not None
    assert len(dataset_classes(ADE20KDataset()) or ()) == 150
    assert len(dataset_classes(CityscapesDataset()) or ()) == 19
    assert len(dataset_classes(PascalVOCDataset(ann_file="a.txt")) or ()) == 21
    assert dataset_classes(BaseSegDataset()) == ()
    subset = CityscapesDataset(metainfo=DatasetMetainfo(classes=("road", "car")))
    assert dataset_classes(subset) == ("road", "car")
    assert dataset_classes(RepeatDataset(dataset=ConcatDataset(datasets=[subset, subset]), times=2)) == (
        "road",
        "car",
    )


def _with_crop(crop: Any) -> DatasetLike:
    pipeline: list[TransformConfig] = [
        LoadImageFromFile(),
        LoadAnnotations(),
        RandomCrop(crop_size=crop),
        PackSegInputs(),
    ]
    return CityscapesDataset(pipeline=pipeline)


def test_pipeline_crop_size() -> None:
    for name in ("ade20k", "pascal_voc12_aug"):
        assert pipeline_crop_size(DATASET.validate_python(BASE_DATASETS[name]["train"])) == (512, 512)
    assert pipeline_crop_size(DATASET.validate_python(BASE_DATASETS["cityscapes"]["train"])) == (512, 1024)
    assert pipeline_crop_size(DATASET.validate_python(BASE_DATASETS["cityscapes_769x769"]["train"])) == (
        769,
        769,
    )
    assert pipeline_crop_size(DATASET.validate_python(BASE_DATASETS["ade20k"]["val"])) is None
    assert pipeline_crop_size(_with_crop(640)) == (640, 640)
    assert pipeline_crop_size(RepeatDataset(dataset=_with_crop((512, 1024)), times=2)) == (512, 1024)
    differ = ConcatDataset(datasets=[_with_crop(512), _with_crop(640)])
    assert pipeline_crop_size(differ) is None


def test_rules_accept_yaml_style_input() -> None:
    data = json.loads(json.dumps(BASE_DATASETS["pascal_voc12_aug"]["train"]))
    data["datasets"][1]["pipeline"][3]["ignore_index"] = 0  # RandomCrop
    dataset = DATASET.validate_json(json.dumps(data))
    problem = only(check_dataset(TRAIN, dataset))
    assert problem.path == (*TRAIN, "datasets", 1, "pipeline", 3, "ignore_index")
