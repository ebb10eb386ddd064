"""Rules across a dataset and its pipeline: what MMSeg would fail on at the first sample, or silently get wrong.

`check_dataset` takes the dataset's path from the experiment root (`("train_dataloader", "dataset")`); the stage
(train, val, test) is read from that path unless given. It walks wrappers (ConcatDataset, RepeatDataset) and the
alternatives of a TestTimeAug. `dataset_classes` and `pipeline_crop_size` serve the rules that compare a dataset
with other sections (the model's num_classes, the data preprocessor's size).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from typedseg.config.base import ConfigModel
from typedseg.config.datasets._base import _Dataset, _SegDataset
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    Pad,
    PhotoMetricDistortion,
    RandomCrop,
    RandomFlip,
    RandomResize,
    Resize,
    TestTimeAug,
    TransformLike,
    UserTransform,
)
from typedseg.problems import Path, Problem

if TYPE_CHECKING:
    from typedseg.config.datasets._tagged import DatasetLike

Stage = Literal["train", "val", "test"]

_GEOMETRIC = (Resize, RandomResize, RandomCrop, RandomFlip, Pad)
"""Transforms that move pixels: a label map loaded after them no longer lines up with the image."""


def _stage_of(path: Path) -> Stage | None:
    head = next((part for part in path if isinstance(part, str)), "")
    if head.startswith("train"):
        return "train"
    if head.startswith("val"):
        return "val"
    if head.startswith("test"):
        return "test"
    return None


def _wrapped(dataset: DatasetLike) -> tuple[tuple[Path, DatasetLike], ...]:
    """The datasets a wrapper wraps, with their paths below it; () for a leaf or a user's dataset.

    Asked of the dataset itself, so that checking a config never imports a wrapper it does not use.
    """
    return dataset.wrapped() if isinstance(dataset, _Dataset) else ()


def _pipeline_of(dataset: object) -> tuple[TransformLike, ...] | None:
    """A dataset's pipeline: ours, or a user dataset's `pipeline` field when it declares one."""
    pipeline = getattr(dataset, "pipeline", None)
    if isinstance(pipeline, tuple) and all(isinstance(step, ConfigModel) for step in pipeline):
        return pipeline
    return None


def check_dataset(path: Path, dataset: DatasetLike, *, stage: Stage | None = None) -> list[Problem]:
    """Problems of one dataloader's dataset and its pipelines; `path` is where the dataset is written.

    `stage` decides the stage-specific rules (a train pipeline must load and augment labels, a val/test one
    should not be random); None reads it from the path (`train_dataloader` -> train), and an unknown stage
    gets only the rules every stage shares.
    """
    stage = stage if stage is not None else _stage_of(path)
    problems: list[Problem] = []
    wrapped = _wrapped(dataset)
    if wrapped:
        for below, child in wrapped:
            problems += check_dataset((*path, *below), child, stage=stage)
        return problems
    if isinstance(dataset, _SegDataset):
        problems += _check_dataset_fields(path, dataset)
    pipeline = _pipeline_of(dataset)
    if pipeline is not None:
        seg = dataset if isinstance(dataset, _SegDataset) else None
        problems += _check_pipeline((*path, "pipeline"), pipeline, seg, stage)
    return problems


def _check_dataset_fields(path: Path, dataset: _SegDataset) -> list[Problem]:
    problems = []
    if dataset.filter_cfg is not None:
        problems.append(
            Problem(
                "unused-setting",
                (*path, "filter_cfg"),
                f"filter_cfg has no effect: {dataset.type} does not filter samples (MMEngine's default "
                "filter_data keeps them all).",
                "Remove filter_cfg; to use only some samples, list them in ann_file or set indices.",
                severity="warning",
            )
        )
    if dataset.reduce_zero_label and dataset.ignore_index != 255:
        problems.append(
            Problem(
                "reduce-zero-label-ignore-index",
                (*path, "ignore_index"),
                f"reduce_zero_label turns label 0 into 255, whatever ignore_index is; with ignore_index="
                f"{dataset.ignore_index}, those pixels are not ignored but trained as label 255.",
                "Keep ignore_index=255 with reduce_zero_label (and the same in the model's decode head and "
                "the evaluator).",
                severity="warning",
            )
        )
    return problems


def _flatten(pipeline: Sequence[TransformLike], path: Path) -> list[tuple[Path, TransformLike]]:
    """Every transform with its path, including each TestTimeAug alternative (after the TestTimeAug itself)."""
    found: list[tuple[Path, TransformLike]] = []
    for index, step in enumerate(pipeline):
        found.append(((*path, index), step))
        if isinstance(step, TestTimeAug):
            for position, alternatives in enumerate(step.transforms):
                found += _flatten(alternatives, (*path, index, "transforms", position))
    return found


def _check_pipeline(
    path: Path, pipeline: tuple[TransformLike, ...], dataset: _SegDataset | None, stage: Stage | None
) -> list[Problem]:
    problems: list[Problem] = []
    everything = _flatten(pipeline, path)
    problems += _check_ends(path, pipeline)
    if stage == "train":
        problems += _check_train(path, pipeline)
    elif stage in ("val", "test"):
        problems += _check_eval(path, pipeline, stage)
    if dataset is not None:
        problems += _check_against_dataset(everything, pipeline, dataset)
    return problems


def _check_ends(path: Path, pipeline: tuple[TransformLike, ...]) -> list[Problem]:
    """The first step loads the image; PackSegInputs is last (or ends every TestTimeAug combination)."""
    problems = []
    # LoadAnnotations only needs the label map's path, so it may come first; anything else needs the image.
    first = next((i for i, step in enumerate(pipeline) if not isinstance(step, LoadAnnotations)), None)
    if first is not None and not isinstance(pipeline[first], (LoadImageFromFile, UserTransform)):
        problems.append(
            Problem(
                "pipeline-first-not-loader",
                (*path, first),
                f"{pipeline[first].type} runs before any LoadImageFromFile, but a sample holds only file "
                "paths until LoadImageFromFile reads the image: it finds no `img` (KeyError).",
                "Start the pipeline with dict(type='LoadImageFromFile').",
                severity="warning",
            )
        )
    packs = [index for index, step in enumerate(pipeline) if isinstance(step, PackSegInputs)]
    last = pipeline[-1] if pipeline else None
    if isinstance(last, TestTimeAug):
        final = last.transforms[-1] if last.transforms else ()
        if not final or not all(isinstance(step, PackSegInputs) for step in final):
            where = len(last.transforms) - 1
            problems.append(
                Problem(
                    "pipeline-missing-pack",
                    (*path, len(pipeline) - 1, "transforms", where)
                    if where >= 0
                    else (*path, len(pipeline) - 1),
                    "the last step of TestTimeAug must be [PackSegInputs]: every combination has to end "
                    "packed, or the model gets no `inputs`.",
                    "End TestTimeAug's transforms with [dict(type='PackSegInputs')].",
                )
            )
    elif not packs and not isinstance(last, UserTransform):
        problems.append(
            Problem(
                "pipeline-missing-pack",
                path,
                "the pipeline has no PackSegInputs, so the model gets no `inputs` and no data samples.",
                "End the pipeline with dict(type='PackSegInputs').",
            )
        )
    for index in packs:
        after = [step for step in pipeline[index + 1 :] if not isinstance(step, UserTransform)]
        if after:
            problems.append(
                Problem(
                    "pipeline-pack-not-last",
                    (*path, index),
                    f"{', '.join(step.type for step in after)} come(s) after PackSegInputs, which leaves only "
                    "`inputs` and `data_samples`: they find no `img` and fail with KeyError.",
                    "Move PackSegInputs to the end of the pipeline.",
                )
            )
    return problems


def _check_train(path: Path, pipeline: tuple[TransformLike, ...]) -> list[Problem]:
    problems = []
    for index, step in enumerate(pipeline):
        if isinstance(step, TestTimeAug):
            problems.append(
                Problem(
                    "tta-in-train",
                    (*path, index),
                    "TestTimeAug turns each sample into lists of augmented copies, which the training step "
                    "cannot take (it is for val/test pipelines with a TTA model).",
                    "Remove TestTimeAug from the train pipeline; use random augmentations instead.",
                )
            )
    loads = [index for index, step in enumerate(pipeline) if isinstance(step, LoadAnnotations)]
    if not loads:
        problems.append(
            Problem(
                "pipeline-missing-annotations",
                path,
                "the train pipeline has no LoadAnnotations, so samples carry no label map and the loss has "
                "nothing to compare with (MMSeg fails on the missing gt_sem_seg).",
                "Add dict(type='LoadAnnotations') right after LoadImageFromFile.",
            )
        )
        return problems
    first = loads[0]
    moved = [step.type for step in pipeline[:first] if isinstance(step, _GEOMETRIC)]
    if moved:
        problems.append(
            Problem(
                "annotations-after-geometric",
                (*path, first),
                f"LoadAnnotations comes after {', '.join(moved)}, so the label map is not resized, cropped "
                "or flipped with the image and no longer lines up with it.",
                "Load the annotations before any geometric transform (right after LoadImageFromFile), as "
                "MMSeg's train pipelines do.",
            )
        )
    return problems


def _check_eval(path: Path, pipeline: tuple[TransformLike, ...], stage: Stage) -> list[Problem]:
    problems = []
    for index, step in enumerate(pipeline):
        random = isinstance(step, (RandomResize, RandomCrop, PhotoMetricDistortion)) or (
            isinstance(step, RandomFlip) and _flip_is_random(step)
        )
        if random:
            problems.append(
                Problem(
                    "random-transform-in-eval",
                    (*path, index),
                    f"{step.type} in a {stage} pipeline makes every evaluation see different inputs, so "
                    "results are not reproducible.",
                    "Use a fixed Resize in val/test pipelines (or RandomFlip with prob 0 or 1 inside "
                    "TestTimeAug).",
                    severity="warning",
                )
            )
    if stage == "val" and not any(isinstance(step, LoadAnnotations) for _, step in _flatten(pipeline, path)):
        problems.append(
            Problem(
                "pipeline-missing-annotations",
                path,
                "the val pipeline has no LoadAnnotations, so samples carry no label map; IoUMetric fails "
                "with KeyError on the missing gt_sem_seg.",
                "Add dict(type='LoadAnnotations') (after Resize: MMSeg evaluates at the original size).",
                severity="warning",
            )
        )
    return problems


def _flip_is_random(flip: RandomFlip) -> bool:
    """Whether the flip has more than one possible outcome (no flip, or one of the directions)."""
    if not isinstance(flip.prob, float):
        outcomes = [*flip.prob, 1.0 - sum(flip.prob)]
    else:
        directions = 1 if isinstance(flip.direction, str) else max(len(flip.direction), 1)
        outcomes = [flip.prob / directions] * directions + [1.0 - flip.prob]
    return sum(1 for p in outcomes if p > 1e-9) > 1


def _check_against_dataset(
    everything: list[tuple[Path, TransformLike]], pipeline: tuple[TransformLike, ...], dataset: _SegDataset
) -> list[Problem]:
    problems = []
    crops: list[tuple[Path, RandomCrop]] = []
    for step_path, step in everything:
        if (
            isinstance(step, LoadAnnotations)
            and step.reduce_zero_label is not None
            and step.reduce_zero_label != dataset.reduce_zero_label
        ):
            problems.append(
                Problem(
                    "reduce-zero-label-conflict",
                    (*step_path, "reduce_zero_label"),
                    f"LoadAnnotations.reduce_zero_label={step.reduce_zero_label} contradicts the "
                    f"dataset's reduce_zero_label={dataset.reduce_zero_label}. The dataset's value is the "
                    "one MMSeg applies (the transform's is deprecated), and MMSeg asserts the two are equal "
                    "at the first sample.",
                    f"Remove reduce_zero_label from LoadAnnotations; set reduce_zero_label="
                    f"{step.reduce_zero_label} on the dataset if that is what you meant.",
                )
            )
        if isinstance(step, RandomCrop):
            crops.append((step_path, step))
            if step.cat_max_ratio < 1.0 and step.ignore_index != dataset.ignore_index:
                problems.append(
                    Problem(
                        "crop-ignore-index-mismatch",
                        (*step_path, "ignore_index"),
                        f"RandomCrop.ignore_index={step.ignore_index} differs from the dataset's ignore_index="
                        f"{dataset.ignore_index}: cat_max_ratio={step.cat_max_ratio} then counts ignored "
                        "pixels as a class when it rejects crops.",
                        f"Set RandomCrop(ignore_index={dataset.ignore_index}).",
                        severity="warning",
                    )
                )
        if (
            isinstance(step, Pad)
            and step.padding_mode == "constant"
            and step.seg_pad_value != dataset.ignore_index
        ):
            problems.append(
                Problem(
                    "pad-seg-not-ignored",
                    (*step_path, "pad_val"),
                    f"Pad fills padded label pixels with {step.seg_pad_value}, not the dataset's "
                    f"ignore_index={dataset.ignore_index}, so padding is trained as a class.",
                    f"Set pad_val=dict(img=0, seg={dataset.ignore_index}).",
                    severity="warning",
                )
            )
    problems += _check_pad_orientation(pipeline, everything, crops)
    return problems


def _check_pad_orientation(
    pipeline: tuple[TransformLike, ...],
    everything: list[tuple[Path, TransformLike]],
    crops: list[tuple[Path, RandomCrop]],
) -> list[Problem]:
    """Pad's size is (w, h) and RandomCrop's crop_size is (h, w): copying one into the other transposes it."""
    if not crops:
        return []
    height, width = crops[-1][1].crop_hw
    if height == width:
        return []
    problems = []
    for step_path, step in everything:
        if isinstance(step, Pad) and step.size == (height, width):
            problems.append(
                Problem(
                    "pad-size-transposed",
                    (*step_path, "size"),
                    f"Pad.size is (w, h) but RandomCrop.crop_size is (h, w): size={step.size} pads to "
                    f"{height} wide and {width} high, not to the {height}x{width} (h x w) crops.",
                    f"Use size={(width, height)}.",
                )
            )
    return problems


# ----------------------------------------------------------------------------------------------------
# Helpers for the cross-section rules
# ----------------------------------------------------------------------------------------------------


def dataset_classes(dataset: DatasetLike) -> tuple[str, ...] | None:
    """The class names a dataset config gives MMSeg (a wrapper: its first dataset's, as MMEngine does).

    `()` means the dataset names none (a BaseSegDataset without metainfo.classes); None means typedseg cannot
    tell (a user's dataset).
    """
    if isinstance(dataset, _SegDataset):
        return dataset.classes()
    wrapped = _wrapped(dataset)
    return dataset_classes(wrapped[0][1]) if wrapped else None


def pipeline_crop_size(dataset: DatasetLike) -> tuple[int, int] | None:
    """The (h, w) of the last RandomCrop of the dataset's pipeline; None without one.

    For a ConcatDataset: the crop size its datasets share (None when they differ or one has none).
    """
    wrapped = _wrapped(dataset)
    if wrapped:
        sizes = {pipeline_crop_size(child) for _, child in wrapped}
        return sizes.pop() if len(sizes) == 1 else None
    pipeline = _pipeline_of(dataset) or ()
    crops = [step for step in pipeline if isinstance(step, RandomCrop)]
    return crops[-1].crop_hw if crops else None
