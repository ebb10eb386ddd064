"""IoUMetric: MMSegmentation's confusion-matrix metrics (aAcc, mIoU, mAcc, mDice, mFscore, ...), with its numbers.

Counts accumulate on the predictions' device as one (C+1) x (C+1) confusion matrix built with `bincount`
(label rows, prediction columns; row and column C collect values outside [0, C), which MMSeg's `histc` leaves out
of the per-class areas: a label pixel is still counted when its prediction is out of range, and the reverse).
From the totals, the formulas, the NaN handling and the rounding are MMSeg's: per-class values in percent rounded
to 2 decimals, summaries as `round(nanmean(values) * 100, 2)` computed in float32 as MMSeg computes them.
"""

import logging
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, assert_never

import numpy as np
import torch

from typedseg.config.evaluation import IoUMetric as IoUMetricConfig
from typedseg.config.evaluation import UserMetric
from typedseg.structures import SegDataSample


def confusion_matrix(
    pred: torch.Tensor, label: torch.Tensor, num_classes: int, ignore_index: int
) -> torch.Tensor:
    """(C+1, C+1) int64 counts of (label, prediction) pairs over pixels whose label is not `ignore_index`;
    values outside [0, C) are counted in row/column C."""
    keep = label != ignore_index
    lab = label[keep].long()
    prd = pred[keep].long()
    lab = torch.where((lab >= 0) & (lab < num_classes), lab, num_classes)
    prd = torch.where((prd >= 0) & (prd < num_classes), prd, num_classes)
    size = num_classes + 1
    return torch.bincount(lab * size + prd, minlength=size * size).reshape(size, size)


@dataclass(frozen=True)
class Areas:
    """MMSeg's four per-class areas (intersection, union, prediction, label), as float32 like its histc totals."""

    intersect: torch.Tensor
    union: torch.Tensor
    pred: torch.Tensor
    label: torch.Tensor

    @staticmethod
    def of(matrix: torch.Tensor) -> "Areas":
        c = matrix.shape[0] - 1
        m = matrix.double().cpu()
        intersect = torch.diagonal(m)[:c]
        label = m[:c, :].sum(1)
        pred = m[:, :c].sum(0)
        return Areas(intersect.float(), (pred + label - intersect).float(), pred.float(), label.float())


def area_metrics(
    areas: Areas, metrics: Sequence[str], nan_to_num: float | None = None, beta: int = 1
) -> dict[str, np.ndarray]:
    """MMSeg's `total_area_to_metrics`: 'aAcc' and per-class 'IoU', 'Acc', 'Dice', 'Fscore', 'Precision',
    'Recall' (fractions, float32)."""
    out: dict[str, torch.Tensor] = {"aAcc": areas.intersect.sum() / areas.label.sum()}
    for metric in metrics:
        if metric == "mIoU":
            out["IoU"] = areas.intersect / areas.union
            out["Acc"] = areas.intersect / areas.label
        elif metric == "mDice":
            out["Dice"] = 2 * areas.intersect / (areas.pred + areas.label)
            out["Acc"] = areas.intersect / areas.label
        elif metric == "mFscore":
            precision = areas.intersect / areas.pred
            recall = areas.intersect / areas.label
            out["Fscore"] = torch.tensor(
                [
                    (1 + beta**2) * (p * r) / ((beta**2 * p) + r)
                    for p, r in zip(precision, recall, strict=True)
                ]
            )
            out["Precision"] = precision
            out["Recall"] = recall
        else:
            raise ValueError(f"unknown metric {metric!r}; IoUMetric computes mIoU, mDice and mFscore")
    values = {key: value.numpy() for key, value in out.items()}
    if nan_to_num is not None:
        values = {key: np.nan_to_num(value, nan=nan_to_num) for key, value in values.items()}
    return values


def summarize(values: dict[str, np.ndarray]) -> dict[str, float]:
    """MMSeg's summary: aAcc, and 'm' + each per-class key, as nanmean * 100 rounded to 2 decimals (a class list
    of NaNs only gives NaN, as in MMSeg)."""
    summary: dict[str, float] = {}
    for key, value in values.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy's 'Mean of empty slice'
            rounded = np.round(np.nanmean(value) * 100, 2)
        summary[key if key == "aAcc" else "m" + key] = round(float(rounded), 2)
    return summary


def per_class(values: dict[str, np.ndarray]) -> dict[str, list[float]]:
    """The per-class columns (every key but aAcc), in percent rounded to 2 decimals as MMSeg prints them."""
    return {
        key: [round(float(v), 2) for v in np.round(value * 100, 2)]
        for key, value in values.items()
        if key != "aAcc"
    }


def format_table(classes: Sequence[str], columns: dict[str, list[float]]) -> str:
    """A plain-text per-class table (MMSeg prints the same columns with PrettyTable)."""
    header = ["Class", *columns]
    rows = [[name, *(f"{columns[key][i]:.2f}" for key in columns)] for i, name in enumerate(classes)]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: Sequence[str]) -> str:
        return (
            "|"
            + "|".join(
                f" {cell:>{w}} " if i else f" {cell:<{w}} "
                for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
            )
            + "|"
        )

    return "\n".join([rule, line(header), rule, *(line(row) for row in rows), rule])


@dataclass
class IoUMetric:
    """Accumulates a confusion matrix over `process` calls; `compute` returns MMSeg's metric dict."""

    classes: tuple[str, ...]
    metrics: tuple[str, ...] = ("mIoU",)
    ignore_index: int = 255
    nan_to_num: float | None = None
    beta: int = 1
    prefix: str | None = None
    format_only: bool = False
    output_dir: str | None = None
    matrix: torch.Tensor | None = None
    table: str = ""
    """The per-class table of the last `compute`, for the log."""
    class_results: dict[str, list[float]] = field(default_factory=dict)
    """The per-class values (percent) of the last `compute`."""

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def reset(self) -> None:
        self.matrix = None

    def process(self, data_samples: Sequence[SegDataSample]) -> None:
        """Add each sample's prediction against its ground truth (and write its PNG when output_dir is set)."""
        for sample in data_samples:
            if sample.pred_sem_seg is None:
                raise ValueError(
                    "IoUMetric.process: a data sample has no pred_sem_seg (run the model in predict mode)"
                )
            pred = sample.pred_sem_seg.squeeze()
            if self.output_dir is not None:
                self._write_prediction(sample, pred)
            if self.format_only:
                continue
            if sample.gt_sem_seg is None:
                raise ValueError(
                    "IoUMetric.process: a data sample has no gt_sem_seg; use format_only=True to skip metrics"
                )
            label = sample.gt_sem_seg.squeeze().to(pred.device)
            counts = confusion_matrix(pred, label, self.num_classes, self.ignore_index)
            self.matrix = counts if self.matrix is None else self.matrix + counts

    def _write_prediction(self, sample: SegDataSample, pred: torch.Tensor) -> None:
        from typedseg.datasets.image_io import write_png

        assert self.output_dir is not None
        name = os.path.splitext(os.path.basename(str(sample.metainfo.get("img_path", "prediction"))))[0]
        mask = pred.cpu().numpy()
        if sample.metainfo.get("reduce_zero_label", False):
            mask = mask + 1
        write_png(os.path.join(self.output_dir, f"{name}.png"), mask.astype(np.uint8))

    def compute(self) -> dict[str, float]:
        """aAcc and the requested summaries (percent, 2 decimals); sets `table` and `class_results`."""
        if self.format_only:
            return {}
        if self.matrix is None:
            raise ValueError("IoUMetric.compute: no samples were processed")
        values = area_metrics(Areas.of(self.matrix), self.metrics, self.nan_to_num, self.beta)
        summary = summarize(values)
        self.class_results = per_class(values)
        self.table = format_table(self.classes, self.class_results)
        logging.getLogger("typedseg").info("per class results:\n%s", self.table)  # MMSeg logs it here too
        if self.prefix:
            return {f"{self.prefix}/{key}": value for key, value in summary.items()}
        return summary


class Metric(Protocol):
    """What the val and test loops call: MMEngine's BaseMetric, with the data samples only."""

    def process(self, data_samples: Sequence[SegDataSample]) -> None: ...

    def compute(self) -> dict[str, float]: ...

    def reset(self) -> None: ...


def build_metric(cfg: IoUMetricConfig | UserMetric, dataset_meta: dict[str, Any]) -> Metric:
    """The runtime metric of an IoUMetric config, or of a user's metric config (its `build(dataset_meta=...)`)."""
    match cfg:
        case IoUMetricConfig():
            classes = dataset_meta.get("classes")
            if not classes:
                raise ValueError("IoUMetric needs the dataset's class names (metainfo classes)")
            return IoUMetric(
                classes=tuple(classes),
                metrics=tuple(cfg.iou_metrics),
                ignore_index=cfg.ignore_index,
                nan_to_num=cfg.nan_to_num,
                beta=cfg.beta,
                prefix=cfg.prefix,
                format_only=cfg.format_only,
                output_dir=cfg.output_dir,
            )
        case UserMetric():
            built: Metric = cfg.build(dataset_meta=dataset_meta)
            return built
        case _:
            assert_never(cfg)
