"""MMSegmentation's `_base_/datasets/{ade20k,cityscapes,cityscapes_769x769,pascal_voc12}.py`, as functions.

Each returns the file's pipelines, dataloaders and evaluators as typed sections; the defaults reproduce the file
value for value (tests/migrate/test_presets_match_mmseg.py compares them field by field). Its parameters are the
file's helper variables worth changing (data_root, crop_size) and what MMSeg's configs change in its dataloaders
(the training batch size and workers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typedseg.config.data import DataLoaderConfig, DefaultSampler, InfiniteSampler
from typedseg.config.datasets import DataPrefix
from typedseg.config.evaluation import IoUMetric
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    PhotoMetricDistortion,
    RandomCrop,
    RandomFlip,
    RandomResize,
    Resize,
    TestTimeAug,
    TransformConfig,
)
from typedseg.presets.sections import section_kwargs

if TYPE_CHECKING:  # each preset imports its own dataset class, so a config loads only the one it uses
    from typedseg.config.datasets import ADE20KDataset, CityscapesDataset, PascalVOCDataset, SegDataset

__all__ = [
    "DatasetSections",
    "ade20k",
    "cityscapes",
    "cityscapes_769x769",
    "pascal_voc12",
]
"""What `typedseg.presets` exports from here (the rest are building blocks of these presets)."""


TTA_RATIOS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75)
"""`img_ratios` of the dataset bases: the scales test-time augmentation runs at."""


@dataclass(frozen=True)
class DatasetSections:
    """The data sections of an experiment; pass them on with `Experiment(**sections.as_kwargs(), ...)`.

    `as_kwargs()` includes `tta_pipeline`, as MMSeg's dataset bases do; it needs a `tta_model` beside it, which
    `default_runtime()` gives (pass `tta_pipeline=None` to leave test-time augmentation out). The sections you
    give to `as_kwargs(...)` replace the preset's. `train_pipeline` and `test_pipeline` are there to build on.
    """

    train_pipeline: Sequence[TransformConfig]
    test_pipeline: Sequence[TransformConfig]
    tta_pipeline: Sequence[TransformConfig]
    train_dataloader: DataLoaderConfig
    val_dataloader: DataLoaderConfig
    test_dataloader: DataLoaderConfig
    val_evaluator: IoUMetric
    test_evaluator: IoUMetric

    def as_kwargs(self, **yours: Any) -> dict[str, Any]:
        """The experiment's sections as keyword arguments; the sections in `yours` replace the preset's."""
        return section_kwargs(self, yours, leave_out=("train_pipeline", "test_pipeline"))


def _train_pipeline(
    scale: tuple[int, int], crop_size: tuple[int, int], reduce_zero_label: bool | None = None
) -> list[TransformConfig]:
    """The bases' training pipeline: random resize of `scale` (w, h) by 0.5-2, crop (h, w), flip, photometry."""
    return [
        LoadImageFromFile(),
        LoadAnnotations(reduce_zero_label=reduce_zero_label),
        RandomResize(scale=scale, ratio_range=(0.5, 2.0), keep_ratio=True),
        RandomCrop(crop_size=crop_size, cat_max_ratio=0.75),
        RandomFlip(prob=0.5),
        PhotoMetricDistortion(),
        PackSegInputs(),
    ]


def _test_pipeline(scale: tuple[int, int], reduce_zero_label: bool | None = None) -> list[TransformConfig]:
    """The bases' test pipeline: resize within `scale` (w, h), keeping the ratio; labels load after the resize."""
    return [
        LoadImageFromFile(),
        Resize(scale=scale, keep_ratio=True),
        LoadAnnotations(reduce_zero_label=reduce_zero_label),
        PackSegInputs(),
    ]


def _tta_pipeline(ratios: Sequence[float] = TTA_RATIOS) -> list[TransformConfig]:
    """The bases' `tta_pipeline`: every ratio in `ratios`, flipped and not, merged by `tta_model`."""
    return [
        LoadImageFromFile(backend_args=None),
        TestTimeAug(
            transforms=[
                [Resize(scale_factor=ratio, keep_ratio=True) for ratio in ratios],
                [
                    RandomFlip(prob=0.0, direction="horizontal"),
                    RandomFlip(prob=1.0, direction="horizontal"),
                ],
                [LoadAnnotations()],
                [PackSegInputs()],
            ]
        ),
    ]


def _loader(batch_size: int, num_workers: int, train: bool, dataset: SegDataset) -> DataLoaderConfig:
    return DataLoaderConfig(
        batch_size=batch_size,
        num_workers=num_workers,
        persistent_workers=True,
        sampler=InfiniteSampler(shuffle=True) if train else DefaultSampler(shuffle=False),
        dataset=dataset,
    )


def _sections(
    train: list[TransformConfig],
    test: list[TransformConfig],
    train_dataloader: DataLoaderConfig,
    val_dataloader: DataLoaderConfig,
) -> DatasetSections:
    metric = IoUMetric(iou_metrics=["mIoU"])
    return DatasetSections(
        train_pipeline=train,
        test_pipeline=test,
        tta_pipeline=_tta_pipeline(),
        train_dataloader=train_dataloader,
        val_dataloader=val_dataloader,
        test_dataloader=val_dataloader,
        val_evaluator=metric,
        test_evaluator=metric,
    )


def ade20k(
    data_root: str = "data/ade/ADEChallengeData2016",
    *,
    crop_size: tuple[int, int] = (512, 512),
    batch_size: int = 4,
    num_workers: int = 4,
) -> DatasetSections:
    """Replaces `_base_/datasets/ade20k.py`: ADE20K (150 classes, label 0 ignored), 512x512 crops."""
    train = _train_pipeline((2048, 512), crop_size, reduce_zero_label=True)
    test = _test_pipeline((2048, 512), reduce_zero_label=True)

    def dataset(split: str, pipeline: list[TransformConfig]) -> ADE20KDataset:
        from typedseg.config.datasets import ADE20KDataset

        prefix = DataPrefix(img_path=f"images/{split}", seg_map_path=f"annotations/{split}")
        return ADE20KDataset(data_root=data_root, data_prefix=prefix, pipeline=pipeline)

    return _sections(
        train,
        test,
        _loader(batch_size, num_workers, True, dataset("training", train)),
        _loader(1, 4, False, dataset("validation", test)),
    )


def _cityscapes(
    data_root: str, scale: tuple[int, int], crop_size: tuple[int, int], batch_size: int, num_workers: int
) -> DatasetSections:
    train = _train_pipeline(scale, crop_size)
    test = _test_pipeline(scale)

    def dataset(split: str, pipeline: list[TransformConfig]) -> CityscapesDataset:
        from typedseg.config.datasets import CityscapesDataset

        prefix = DataPrefix(img_path=f"leftImg8bit/{split}", seg_map_path=f"gtFine/{split}")
        return CityscapesDataset(data_root=data_root, data_prefix=prefix, pipeline=pipeline)

    return _sections(
        train,
        test,
        _loader(batch_size, num_workers, True, dataset("train", train)),
        _loader(1, 4, False, dataset("val", test)),
    )


def cityscapes(
    data_root: str = "data/cityscapes/",
    *,
    crop_size: tuple[int, int] = (512, 1024),
    batch_size: int = 2,
    num_workers: int = 2,
) -> DatasetSections:
    """Replaces `_base_/datasets/cityscapes.py`: Cityscapes (19 classes) at 2048x1024, 512x1024 crops."""
    return _cityscapes(data_root, (2048, 1024), crop_size, batch_size, num_workers)


def cityscapes_769x769(
    data_root: str = "data/cityscapes/",
    *,
    crop_size: tuple[int, int] = (769, 769),
    batch_size: int = 2,
    num_workers: int = 2,
) -> DatasetSections:
    """Replaces `_base_/datasets/cityscapes_769x769.py`: Cityscapes at 2049x1025, 769x769 crops."""
    return _cityscapes(data_root, (2049, 1025), crop_size, batch_size, num_workers)


def pascal_voc12(
    data_root: str = "data/VOCdevkit/VOC2012",
    *,
    crop_size: tuple[int, int] = (512, 512),
    batch_size: int = 4,
    num_workers: int = 4,
) -> DatasetSections:
    """Replaces `_base_/datasets/pascal_voc12.py`: Pascal VOC 2012 (21 classes), train/val split files."""
    train = _train_pipeline((2048, 512), crop_size)
    test = _test_pipeline((2048, 512))

    def dataset(split: str, pipeline: list[TransformConfig]) -> PascalVOCDataset:
        from typedseg.config.datasets import PascalVOCDataset

        return PascalVOCDataset(
            data_root=data_root,
            data_prefix=DataPrefix(img_path="JPEGImages", seg_map_path="SegmentationClass"),
            ann_file=f"ImageSets/Segmentation/{split}.txt",
            pipeline=pipeline,
        )

    return _sections(
        train,
        test,
        _loader(batch_size, num_workers, True, dataset("train", train)),
        _loader(1, 4, False, dataset("val", test)),
    )
