"""Rules across the model, the data and the evaluator: the settings that must agree for a run to mean anything.

Each section is checked on its own elsewhere (rules/model.py, rules/data.py); here are the facts two sections
state about each other: how many classes there are, which label is ignored, how large a training crop is, and
whether test-time augmentation has its wrapper.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from typedseg.config.data import DATALOADERS
from typedseg.problems import Path, Problem, format_path

if TYPE_CHECKING:
    from typedseg.config.experiment import Experiment
    from typedseg.config.models.segmentor import EncoderDecoder


def _loaders(exp: Experiment) -> list[tuple[str, Any]]:
    return [(name, loader) for name in DATALOADERS if (loader := getattr(exp, name)) is not None]


def _head_classes(head: Any) -> int | None:
    """The number of classes a head predicts (binary heads with out_channels=1 predict 2)."""
    classes = getattr(head, "num_classes", None)
    return classes if isinstance(classes, int) else None


def check_segmentation(exp: Experiment) -> list[Problem]:
    """Every cross-section problem of a segmentation experiment, with paths from the root."""
    problems: list[Problem] = []
    if exp.model is not None:  # the model family loads only for configs that have a model
        from typedseg.config.models.segmentor import EncoderDecoder

        if isinstance(exp.model, EncoderDecoder):
            problems += _classes(exp, exp.model)
            problems += _ignore_index(exp, exp.model)
            problems += _crop_size(exp, exp.model)
    problems += _evaluated_classes(exp)
    problems += _tta(exp)
    return problems


def _evaluated_classes(exp: Experiment) -> list[Problem]:
    """IoUMetric names its per-class results by the dataset's classes: a dataset that names none fails there."""
    from typedseg.config.rules.data import dataset_classes

    problems = []
    for stage in ("val", "test"):
        loader, evaluator = getattr(exp, f"{stage}_dataloader"), getattr(exp, f"{stage}_evaluator")
        if loader is None or evaluator is None or dataset_classes(loader.dataset) != ():
            continue
        problems.append(
            Problem(
                "evaluated-dataset-without-classes",
                (f"{stage}_dataloader", "dataset", "metainfo"),
                f"{stage}_evaluator scores per class, but the {type(loader.dataset).__name__} of "
                f"{stage}_dataloader names no classes; MMSegmentation's IoUMetric fails at the first evaluation "
                "(KeyError 'classes').",
                "Give the dataset metainfo=DatasetMetainfo(classes=[...]) (with a palette for visualization).",
            )
        )
    return problems


def _classes(exp: Experiment, model: EncoderDecoder) -> list[Problem]:
    from typedseg.config.rules.data import dataset_classes

    predicted = _head_classes(model.decode_head)
    if predicted is None:
        return []
    problems = []
    for name, loader in _loaders(exp):
        classes = dataset_classes(loader.dataset)
        if not classes or len(classes) == predicted:
            continue
        problems.append(
            Problem(
                "num-classes-dataset-mismatch",
                ("model", "decode_head", "num_classes"),
                f"decode_head.num_classes is {predicted} but {name}'s {type(loader.dataset).__name__} has "
                f"{len(classes)} classes ({', '.join(classes[:4])}{', ...' if len(classes) > 4 else ''}); the "
                "logits and the labels would not line up.",
                f"Set num_classes={len(classes)} on every head, or give the dataset metainfo.classes for the "
                f"{predicted} classes the model predicts.",
            )
        )
        break  # one report: every loader that disagrees has the same fix
    return problems


def _ignore_index(exp: Experiment, model: EncoderDecoder) -> list[Problem]:
    """The label excluded from the loss must be the one the data and the metric exclude, and padding's value."""
    head_value = getattr(model.decode_head, "ignore_index", None)
    if not isinstance(head_value, int):
        return []
    others: list[tuple[Path, int]] = []
    for name, loader in _loaders(exp):
        value = getattr(loader.dataset, "ignore_index", None)
        if isinstance(value, int):
            others.append(((name, "dataset", "ignore_index"), value))
    for name in ("val_evaluator", "test_evaluator"):
        evaluator = getattr(exp, name)
        metrics = evaluator if isinstance(evaluator, tuple) else (evaluator,) if evaluator is not None else ()
        for index, metric in enumerate(metrics):
            value = getattr(metric, "ignore_index", None)
            if isinstance(value, int):
                path: Path = (
                    (name, index, "ignore_index") if isinstance(evaluator, tuple) else (name, "ignore_index")
                )
                others.append((path, value))
    values = [(("model", "decode_head", "ignore_index"), head_value), *others]
    counts = Counter(value for _, value in values)
    # The value most sections agree on is the intended one (the head's on a tie): report the others.
    agreed = max(counts, key=lambda value: (counts[value], value == head_value))
    return [
        Problem(
            "ignore-index-inconsistent",
            path,
            f"{format_path(path)} is {value} but {_agreeing(values, agreed)} use {agreed}: pixels labelled "
            f"{agreed} and {value} would be treated differently by the loss, the data and the metric.",
            f"Set {format_path(path)}={agreed}: one ignore_index for the heads, the datasets and the metrics"
            + (" (255 is MMSegmentation's convention)." if agreed == 255 else "."),
        )
        for path, value in values
        if value != agreed
    ]


def _agreeing(values: list[tuple[Path, int]], agreed: int) -> str:
    names = [format_path(path) for path, value in values if value == agreed]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _crop_size(exp: Experiment, model: EncoderDecoder) -> list[Problem]:
    from typedseg.config.models.segmentor import as_hw
    from typedseg.config.rules.data import pipeline_crop_size

    preprocessor = model.data_preprocessor
    if preprocessor is None or preprocessor.size is None or exp.train_dataloader is None:
        return []
    crop = pipeline_crop_size(exp.train_dataloader.dataset)
    size = as_hw(preprocessor.size)
    if crop is None or crop == size:
        return []
    larger = crop[0] > size[0] or crop[1] > size[1]
    return [
        Problem(
            "crop-size-mismatch",
            ("model", "data_preprocessor", "size"),
            f"the training pipeline crops {crop[0]}x{crop[1]} (h x w) but data_preprocessor.size pads batches to "
            f"{size[0]}x{size[1]}"
            + (
                "; a crop larger than the padded size cannot be stacked (MMSegmentation fails at the first batch)."
                if larger
                else "; every batch would carry padding the crop never fills."
            ),
            f"Set data_preprocessor size={crop} (MMSegmentation's configs use the crop size).",
        )
    ]


def _tta(exp: Experiment) -> list[Problem]:
    if exp.tta_pipeline is not None and exp.tta_model is None:
        return [
            Problem(
                "tta-pipeline-without-model",
                ("tta_pipeline",),
                "tta_pipeline is set but tta_model is not: nothing would merge the augmented predictions.",
                "Set tta_model=SegTTAModel(), or remove tta_pipeline.",
            )
        ]
    return []
