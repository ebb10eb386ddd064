"""Dataset models: MMSeg's defaults and METAINFO per class, the `_base_/datasets` configs, metainfo rules,
wrappers and the user branch."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from typedseg.config.base import dotted_name
from typedseg.config.datasets import (
    ADE20K_CLASSES,
    ADE20K_PALETTE,
    CITYSCAPES_CLASSES,
    CITYSCAPES_PALETTE,
    DATASET_TYPES,
    PASCAL_VOC_CLASSES,
    PASCAL_VOC_PALETTE,
    ADE20KDataset,
    BaseSegDataset,
    CityscapesDataset,
    ConcatDataset,
    DataPrefix,
    DatasetConfig,
    DatasetMeta,
    DatasetMetainfo,
    PascalVOCDataset,
    RepeatDataset,
    UserDataset,
    dataset_meta,
)
from typedseg.config.transforms import (
    LoadAnnotations,
    PackSegInputs,
    Pad,
    RandomCrop,
    RandomResize,
    Resize,
    TestTimeAug,
)
from typedseg.problems import ConfigError, Path

DATASET = TypeAdapter(DatasetConfig)

# --- MMSegmentation 1.2.2's configs/_base_/datasets, as written there (crop_size etc. substituted) ------------


def _pipelines(
    scale: tuple[int, int], crop_size: tuple[int, int], **load: Any
) -> tuple[list[Any], list[Any]]:
    """The train and test pipelines every one of the five files writes (ade20k: with reduce_zero_label)."""
    train = [
        dict(type="LoadImageFromFile"),
        dict(type="LoadAnnotations", **load),
        dict(type="RandomResize", scale=scale, ratio_range=(0.5, 2.0), keep_ratio=True),
        dict(type="RandomCrop", crop_size=crop_size, cat_max_ratio=0.75),
        dict(type="RandomFlip", prob=0.5),
        dict(type="PhotoMetricDistortion"),
        dict(type="PackSegInputs"),
    ]
    test = [
        dict(type="LoadImageFromFile"),
        dict(type="Resize", scale=scale, keep_ratio=True),
        dict(type="LoadAnnotations", **load),
        dict(type="PackSegInputs"),
    ]
    return train, test


IMG_RATIOS = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
TTA_PIPELINE = [
    dict(type="LoadImageFromFile", backend_args=None),
    dict(
        type="TestTimeAug",
        transforms=[
            [dict(type="Resize", scale_factor=r, keep_ratio=True) for r in IMG_RATIOS],
            [
                dict(type="RandomFlip", prob=0.0, direction="horizontal"),
                dict(type="RandomFlip", prob=1.0, direction="horizontal"),
            ],
            [dict(type="LoadAnnotations")],
            [dict(type="PackSegInputs")],
        ],
    ),
]
"""The `tta_pipeline` of ade20k.py, cityscapes.py, pascal_voc12.py and pascal_voc12_aug.py."""


def _ade20k() -> dict[str, dict[str, Any]]:
    data_root = "data/ade/ADEChallengeData2016"
    train, test = _pipelines((2048, 512), (512, 512), reduce_zero_label=True)
    return {
        "train": dict(
            type="ADE20KDataset",
            data_root=data_root,
            data_prefix=dict(img_path="images/training", seg_map_path="annotations/training"),
            pipeline=train,
        ),
        "val": dict(
            type="ADE20KDataset",
            data_root=data_root,
            data_prefix=dict(img_path="images/validation", seg_map_path="annotations/validation"),
            pipeline=test,
        ),
    }


def _cityscapes(
    scale: tuple[int, int] = (2048, 1024), crop_size: tuple[int, int] = (512, 1024)
) -> dict[str, Any]:
    data_root = "data/cityscapes/"
    train, test = _pipelines(scale, crop_size)
    return {
        "train": dict(
            type="CityscapesDataset",
            data_root=data_root,
            data_prefix=dict(img_path="leftImg8bit/train", seg_map_path="gtFine/train"),
            pipeline=train,
        ),
        "val": dict(
            type="CityscapesDataset",
            data_root=data_root,
            data_prefix=dict(img_path="leftImg8bit/val", seg_map_path="gtFine/val"),
            pipeline=test,
        ),
    }


def _pascal_voc12() -> dict[str, Any]:
    data_root = "data/VOCdevkit/VOC2012"
    train, test = _pipelines((2048, 512), (512, 512))
    return {
        "train": dict(
            type="PascalVOCDataset",
            data_root=data_root,
            data_prefix=dict(img_path="JPEGImages", seg_map_path="SegmentationClass"),
            ann_file="ImageSets/Segmentation/train.txt",
            pipeline=train,
        ),
        "val": dict(
            type="PascalVOCDataset",
            data_root=data_root,
            data_prefix=dict(img_path="JPEGImages", seg_map_path="SegmentationClass"),
            ann_file="ImageSets/Segmentation/val.txt",
            pipeline=test,
        ),
    }


def _pascal_voc12_aug() -> dict[str, Any]:
    data_root = "data/VOCdevkit/VOC2012"
    crop_size = (512, 512)
    train, _ = _pipelines((2048, 512), crop_size)
    train.insert(-1, dict(type="Pad", size=crop_size))
    dataset_train = dict(
        type="PascalVOCDataset",
        data_root=data_root,
        data_prefix=dict(img_path="JPEGImages", seg_map_path="SegmentationClass"),
        ann_file="ImageSets/Segmentation/train.txt",
        pipeline=train,
    )
    dataset_aug = dict(
        type="PascalVOCDataset",
        data_root=data_root,
        data_prefix=dict(img_path="JPEGImages", seg_map_path="SegmentationClassAug"),
        ann_file="ImageSets/Segmentation/aug.txt",
        pipeline=train,
    )
    return {
        "train": dict(type="ConcatDataset", datasets=[dataset_train, dataset_aug]),
        "val": _pascal_voc12()["val"],
    }


BASE_DATASETS: dict[str, dict[str, Any]] = {
    "ade20k": _ade20k(),
    "cityscapes": _cityscapes(),
    # `_base_ = './cityscapes.py'`, with its own pipelines merged into cityscapes.py's dataset dicts
    "cityscapes_769x769": _cityscapes(scale=(2049, 1025), crop_size=(769, 769)),
    "pascal_voc12": _pascal_voc12(),
    "pascal_voc12_aug": _pascal_voc12_aug(),
}
"""Each file's train_dataloader and val_dataloader `dataset=` dicts (test_dataloader = val_dataloader)."""

BASE_CASES = [(name, stage) for name in BASE_DATASETS for stage in ("train", "val")]


def _jsonable(value: Any) -> Any:
    """A YAML/JSON user's spelling of a Python config: tuples become lists."""
    return json.loads(json.dumps(value))


@pytest.mark.parametrize(("name", "stage"), BASE_CASES, ids=[f"{n}-{s}" for n, s in BASE_CASES])
def test_base_dataset_configs_validate_from_python_and_json(name: str, stage: str) -> None:
    data = BASE_DATASETS[name][stage]
    from_python = DATASET.validate_python(data)
    from_json = DATASET.validate_json(json.dumps(_jsonable(data)))
    assert from_python == from_json
    assert type(from_python).__name__ == data["type"]


def test_ade20k_base_config_values() -> None:
    train = DATASET.validate_python(BASE_DATASETS["ade20k"]["train"])
    assert isinstance(train, ADE20KDataset)
    assert train.data_prefix == DataPrefix(img_path="images/training", seg_map_path="annotations/training")
    assert train.reduce_zero_label
    load, resize, crop = train.pipeline[1], train.pipeline[2], train.pipeline[3]
    assert isinstance(load, LoadAnnotations) and load.reduce_zero_label is True
    assert isinstance(resize, RandomResize)
    assert (resize.scale, resize.ratio_range, resize.keep_ratio) == ((2048, 512), (0.5, 2.0), True)
    assert isinstance(crop, RandomCrop) and (crop.crop_hw, crop.cat_max_ratio) == ((512, 512), 0.75)
    val = DATASET.validate_python(BASE_DATASETS["ade20k"]["val"])
    assert isinstance(val, ADE20KDataset) and isinstance(val.pipeline[1], Resize)
    assert [step.type for step in val.pipeline] == [
        "LoadImageFromFile",
        "Resize",
        "LoadAnnotations",
        "PackSegInputs",
    ]


def test_cityscapes_769_and_voc_aug_values() -> None:
    city = DATASET.validate_python(BASE_DATASETS["cityscapes_769x769"]["train"])
    assert isinstance(city, CityscapesDataset)
    crop = city.pipeline[3]
    assert isinstance(crop, RandomCrop) and crop.crop_hw == (769, 769)
    aug = DATASET.validate_python(BASE_DATASETS["pascal_voc12_aug"]["train"])
    assert isinstance(aug, ConcatDataset) and len(aug.datasets) == 2
    second = aug.datasets[1]
    assert isinstance(second, PascalVOCDataset)
    assert (second.ann_file, second.data_prefix.seg_map_path) == (
        "ImageSets/Segmentation/aug.txt",
        "SegmentationClassAug",
    )
    pad = second.pipeline[-2]
    assert isinstance(pad, Pad) and pad.size == (512, 512) and isinstance(second.pipeline[-1], PackSegInputs)


def test_tta_pipeline_validates_as_a_val_pipeline() -> None:
    val = {**BASE_DATASETS["ade20k"]["val"], "pipeline": TTA_PIPELINE}
    dataset = DATASET.validate_json(json.dumps(_jsonable(val)))
    assert isinstance(dataset, ADE20KDataset)
    tta = dataset.pipeline[1]
    assert isinstance(tta, TestTimeAug)
    assert [len(step) for step in tta.transforms] == [6, 2, 1, 1]


# --- defaults and METAINFO -----------------------------------------------------------------------------------

COMMON_DEFAULTS: dict[str, Any] = {
    "ann_file": "",
    "img_suffix": ".jpg",
    "seg_map_suffix": ".png",
    "metainfo": None,
    "data_root": None,
    "data_prefix": DataPrefix(img_path="", seg_map_path=""),
    "filter_cfg": None,
    "indices": None,
    "serialize_data": True,
    "pipeline": (),
    "test_mode": False,
    "lazy_init": False,
    "max_refetch": 1000,
    "ignore_index": 255,
    "reduce_zero_label": False,
    "backend_args": None,
}

# type -> (required arguments, MMSeg's defaults where they differ from BaseSegDataset's)
DEFAULTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "BaseSegDataset": ({}, {}),
    "ADE20KDataset": ({}, {"reduce_zero_label": True}),
    "CityscapesDataset": (
        {},
        {"img_suffix": "_leftImg8bit.png", "seg_map_suffix": "_gtFine_labelTrainIds.png"},
    ),
    "PascalVOCDataset": ({"ann_file": "ImageSets/Segmentation/train.txt"}, {}),
}


@pytest.mark.parametrize("type_", sorted(DEFAULTS))
def test_datasets_have_mmseg_defaults(type_: str) -> None:
    required, overrides = DEFAULTS[type_]
    dataset = DATASET.validate_python({"type": type_, **required})
    assert type(dataset).__name__ == type_
    assert next(iter(type(dataset).model_fields)) == "type"
    assert set(type(dataset).model_fields) == {"type", *COMMON_DEFAULTS}
    for name, value in {**COMMON_DEFAULTS, **overrides, **required}.items():
        assert getattr(dataset, name) == value, name


def test_wrapper_defaults_are_mmengines() -> None:
    concat = DATASET.validate_python({"type": "ConcatDataset", "datasets": [{"type": "ADE20KDataset"}]})
    assert isinstance(concat, ConcatDataset)
    assert (concat.lazy_init, concat.ignore_keys) == (False, None)
    repeat = DATASET.validate_python(
        {"type": "RepeatDataset", "dataset": {"type": "ADE20KDataset"}, "times": 3}
    )
    assert isinstance(repeat, RepeatDataset) and (repeat.times, repeat.lazy_init) == (3, False)
    assert {*DEFAULTS, "ConcatDataset", "RepeatDataset"} == DATASET_TYPES


METAINFO: list[tuple[type[Any], tuple[str, ...], tuple[Any, ...], int, tuple[str, str], tuple[Any, Any]]] = [
    (ADE20KDataset, ADE20K_CLASSES, ADE20K_PALETTE, 150, ("wall", "flag"), ((120, 120, 120), (92, 0, 255))),
    (
        CityscapesDataset,
        CITYSCAPES_CLASSES,
        CITYSCAPES_PALETTE,
        19,
        ("road", "bicycle"),
        ((128, 64, 128), (119, 11, 32)),
    ),
    (
        PascalVOCDataset,
        PASCAL_VOC_CLASSES,
        PASCAL_VOC_PALETTE,
        21,
        ("background", "tvmonitor"),
        ((0, 0, 0), (0, 64, 128)),
    ),
]


@pytest.mark.parametrize(
    ("cls", "classes", "palette", "count", "ends", "colours"), METAINFO, ids=[m[0].__name__ for m in METAINFO]
)
def test_metainfo_is_mmsegs(
    cls: type[Any],
    classes: tuple[str, ...],
    palette: tuple[Any, ...],
    count: int,
    ends: tuple[str, str],
    colours: tuple[Any, Any],
) -> None:
    assert len(classes) == len(palette) == count
    assert (classes[0], classes[-1]) == ends
    assert (palette[0], palette[-1]) == colours
    assert len(set(classes)) == count
    dataset = cls(ann_file="x.txt") if cls is PascalVOCDataset else cls()
    assert dataset.classes() == classes and dataset.num_classes() == count
    assert dataset.palette() == palette and dataset.label_map() is None


def test_ade20k_keeps_mmsegs_exact_names() -> None:
    assert ADE20K_CLASSES[7] == "bed "  # sic: a trailing space in MMSeg's METAINFO
    assert ADE20K_CLASSES[:3] == ("wall", "building", "sky")
    assert ADE20K_PALETTE[48] == ADE20K_PALETTE[6] == (140, 140, 140)  # MMSeg repeats this colour
    assert CITYSCAPES_CLASSES[6:8] == ("traffic light", "traffic sign")
    assert PASCAL_VOC_CLASSES[1] == "aeroplane" and PASCAL_VOC_PALETTE[1] == (128, 0, 0)


def test_base_seg_dataset_has_no_classes_until_given() -> None:
    assert BaseSegDataset().classes() == () and BaseSegDataset().num_classes() == 0
    mine = BaseSegDataset(metainfo=DatasetMetainfo(classes=("background", "crack")))
    assert mine.classes() == ("background", "crack") and mine.num_classes() == 2
    assert mine.palette() is None  # MMSeg draws a random palette (seed 42)
    coloured = BaseSegDataset(
        metainfo=DatasetMetainfo(classes=("a", "b"), palette=((0, 0, 0), (255, 255, 255)))
    )
    assert coloured.palette() == ((0, 0, 0), (255, 255, 255))


def test_metainfo_subset_remaps_labels_and_keeps_their_colours() -> None:
    city = CityscapesDataset(metainfo=DatasetMetainfo(classes=("car", "road", "person")))
    assert city.classes() == ("car", "road", "person") and city.num_classes() == 3
    label_map = city.label_map()
    assert label_map is not None and len(label_map) == 19
    assert (label_map[0], label_map[13], label_map[11], label_map[1]) == (1, 0, 2, 255)
    assert city.palette() == (CITYSCAPES_PALETTE[13], CITYSCAPES_PALETTE[0], CITYSCAPES_PALETTE[11])


def test_metainfo_from_json() -> None:
    data = {
        "type": "PascalVOCDataset",
        "ann_file": "a.txt",
        "metainfo": {"classes": ["background", "cat"], "palette": [[0, 0, 0], [64, 0, 0]]},
    }
    voc = DATASET.validate_json(json.dumps(data))
    assert isinstance(voc, PascalVOCDataset)
    assert voc.metainfo == DatasetMetainfo(classes=("background", "cat"), palette=((0, 0, 0), (64, 0, 0)))
    assert voc.classes() == ("background", "cat")


def test_dataset_meta_of_wrappers_is_the_first_datasets() -> None:
    ade = ADE20KDataset()
    meta = dataset_meta(ade)
    assert meta == DatasetMeta(
        classes=ADE20K_CLASSES, palette=ADE20K_PALETTE, label_map=None, reduce_zero_label=True
    )
    assert dataset_meta(RepeatDataset(dataset=ade, times=2)) == meta
    assert dataset_meta(ConcatDataset(datasets=[ade, ade])) == meta
    base = dataset_meta(BaseSegDataset())
    assert base is not None and base.classes is None


# --- model rules -------------------------------------------------------------------------------------------


def _problems(build: Callable[[], BaseModel]) -> list[tuple[str, Path]]:
    with pytest.raises(ConfigError) as caught:
        build()
    for problem in caught.value.problems:
        assert problem.message and problem.hint
    return [(p.code, p.path) for p in caught.value.problems]


RULES: list[tuple[str, Callable[[], BaseModel], list[tuple[str, Path]]]] = [
    (
        "unknown-class",
        lambda: ADE20KDataset(metainfo=DatasetMetainfo(classes=("wall", "bed"))),
        [("metainfo-unknown-class", ("metainfo", "classes", 1))],
    ),
    (
        "duplicate-class",
        lambda: BaseSegDataset(metainfo=DatasetMetainfo(classes=("a", "b", "a"))),
        [("metainfo-duplicate-class", ("metainfo", "classes"))],
    ),
    (
        "no-classes",
        lambda: BaseSegDataset(metainfo=DatasetMetainfo(classes=())),
        [("metainfo-no-classes", ("metainfo", "classes"))],
    ),
    (
        "palette-length",
        lambda: BaseSegDataset(metainfo=DatasetMetainfo(classes=("a", "b"), palette=((0, 0, 0),))),
        [("metainfo-palette-length", ("metainfo", "palette"))],
    ),
    (
        "palette-without-classes",
        lambda: BaseSegDataset(metainfo=DatasetMetainfo(palette=((0, 0, 0),))),
        [("metainfo-palette-length", ("metainfo", "palette"))],
    ),
    (
        "palette-too-short-for-subset",
        lambda: CityscapesDataset(
            metainfo=DatasetMetainfo(classes=("road", "bicycle"), palette=((0, 0, 0),) * 3)
        ),
        [("metainfo-palette-length", ("metainfo", "palette"))],
    ),
    (
        "palette-short-of-own-classes",
        lambda: CityscapesDataset(metainfo=DatasetMetainfo(palette=((0, 0, 0),) * 18)),
        [("metainfo-palette-length", ("metainfo", "palette"))],
    ),
    (
        "test-mode",
        lambda: BaseSegDataset(test_mode=True),
        [("test-mode-without-classes", ("test_mode",))],
    ),
    (
        "concat-classes",
        lambda: ConcatDataset(
            datasets=[
                CityscapesDataset(),
                CityscapesDataset(metainfo=DatasetMetainfo(classes=("road", "car"))),
            ]
        ),
        [("concat-metainfo-mismatch", ("datasets", 1))],
    ),
    (
        "concat-reduce-zero-label",
        lambda: ConcatDataset(
            datasets=[ADE20KDataset(), ADE20KDataset(), ADE20KDataset(reduce_zero_label=False)]
        ),
        [("concat-metainfo-mismatch", ("datasets", 2))],
    ),
    (
        "concat-missing-classes",
        lambda: ConcatDataset(datasets=[PascalVOCDataset(ann_file="a.txt"), BaseSegDataset()]),
        [("concat-metainfo-mismatch", ("datasets", 1))],
    ),
]


@pytest.mark.parametrize(("build", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_model_rule_fires(build: Callable[[], BaseModel], expected: list[tuple[str, Path]]) -> None:
    assert _problems(build) == expected


def test_unknown_class_suggests_mmsegs_spelling() -> None:
    with pytest.raises(ConfigError) as caught:
        ADE20KDataset(metainfo=DatasetMetainfo(classes=("bed",)))
    problem = caught.value.problems[0]
    assert "'bed' is not a class of ADE20KDataset" in problem.message
    assert "ValueError" in problem.message
    assert problem.hint == "Did you mean 'bed '?"


def test_concat_mismatch_names_the_keys_and_ignore_keys_allows_them() -> None:
    datasets = [ADE20KDataset(), ADE20KDataset(reduce_zero_label=False)]
    with pytest.raises(ConfigError) as caught:
        ConcatDataset(datasets=datasets)
    problem = caught.value.problems[0]
    assert "reduce_zero_label of dataset 1" in problem.message
    assert "ignore_keys=['reduce_zero_label']" in problem.hint
    assert (
        ConcatDataset(datasets=datasets, ignore_keys="reduce_zero_label").ignore_keys == "reduce_zero_label"
    )
    assert ConcatDataset(datasets=datasets, ignore_keys=["reduce_zero_label"]).ignore_keys == (
        "reduce_zero_label",
    )


def test_concat_of_equal_metainfo_is_fine() -> None:
    subset = DatasetMetainfo(classes=("road", "car"))
    same = ConcatDataset(
        datasets=[CityscapesDataset(metainfo=subset), CityscapesDataset(metainfo=subset, data_root="b")]
    )
    assert len(same.datasets) == 2
    two_bases = ConcatDataset(datasets=[BaseSegDataset(), BaseSegDataset(data_root="x")])
    assert len(two_bases.datasets) == 2


def test_type_level_refusals() -> None:
    for bad in (
        {"type": "PascalVOCDataset"},  # MMSeg: ann_file is required
        {"type": "PascalVOCDataset", "ann_file": ""},  # and must be a file
        {"type": "ConcatDataset", "datasets": []},
        {"type": "RepeatDataset", "dataset": {"type": "ADE20KDataset"}, "times": 0},
        {"type": "ADE20KDataset", "metainfo": {"palette": [[0, 0, 256]]}},
        {"type": "ADE20KDataset", "data_prefix": {"img_dir": "images"}},
        {"type": "ADE20KDataset", "max_refetch": -1},
        {"type": "ADE20KDatset"},
    ):
        with pytest.raises(ValidationError):
            DATASET.validate_json(json.dumps(bad))


def test_wrappers_nest() -> None:
    data = {
        "type": "RepeatDataset",
        "times": 2,
        "dataset": {
            "type": "ConcatDataset",
            "datasets": [{"type": "ADE20KDataset"}, {"type": "ADE20KDataset"}],
        },
    }
    repeat = DATASET.validate_json(json.dumps(data))
    assert isinstance(repeat, RepeatDataset) and isinstance(repeat.dataset, ConcatDataset)
    with pytest.raises(ValidationError) as caught:
        DATASET.validate_json(
            json.dumps(
                {
                    **data,
                    "dataset": {
                        "type": "ConcatDataset",
                        "datasets": [
                            {"type": "ADE20KDataset"},
                            {"type": "ADE20KDataset", "reduce_zero_label": False},
                        ],
                    },
                }
            )
        )
    assert "concat-metainfo-mismatch" in str(caught.value.errors()[0]["ctx"]["problems"][0].code)


# --- the user branch -------------------------------------------------------------------------------


class CrackDataset(UserDataset):
    """A user's dataset of crack images."""

    data_root: str = "data/cracks"
    """Where the images are."""


def test_user_dataset_validates_from_its_dotted_type() -> None:
    dataset = DATASET.validate_python({"type": dotted_name(CrackDataset), "data_root": "/data"})
    assert isinstance(dataset, CrackDataset) and dataset.data_root == "/data"
    assert dataset_meta(dataset) is None
    concat = ConcatDataset(
        datasets=[ADE20KDataset(), CrackDataset()]
    )  # a user's metainfo is not known: no rule
    assert len(concat.datasets) == 2


def test_user_branch_refuses_a_class_that_is_not_a_user_dataset() -> None:
    with pytest.raises(ValidationError) as caught:
        DATASET.validate_python({"type": dotted_name(ADE20KDataset)})
    assert caught.value.errors()[0]["type"] == "user-type-base"


def test_every_class_docstring_is_one_line() -> None:
    for cls in (
        BaseSegDataset,
        ADE20KDataset,
        CityscapesDataset,
        PascalVOCDataset,
        ConcatDataset,
        RepeatDataset,
    ):
        assert cls.__doc__ and "\n" not in cls.__doc__.strip(), cls.__name__
