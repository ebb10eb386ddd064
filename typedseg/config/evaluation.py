"""Evaluators: the metrics computed by the val and test loops (`val_evaluator`, `test_evaluator`)."""

from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias, Union

from pydantic import Discriminator, Tag

from typedseg.config.base import ConfigModel, Seq, UserConfig, discriminate
from typedseg.config.lazy import tagged_union, tags_of

IoUMetricName = Literal["mIoU", "mDice", "mFscore"]

# What MMSegmentation's IoUMetric reports for each requested metric (its summary keys), besides `aAcc`.
_IOU_SUMMARY_KEYS: dict[str, tuple[str, ...]] = {
    "mIoU": ("mIoU", "mAcc"),
    "mDice": ("mDice", "mAcc"),
    "mFscore": ("mFscore", "mPrecision", "mRecall"),
}


class IoUMetric(ConfigModel):
    """Confusion-matrix metrics for semantic segmentation (MMSegmentation's IoUMetric)."""

    type: Literal["IoUMetric"] = "IoUMetric"
    iou_metrics: Seq[IoUMetricName] = ("mIoU",)
    """Which summaries to compute."""
    ignore_index: int = 255
    """Label value excluded from every count."""
    nan_to_num: int | None = None
    """Replace NaN (a class absent from both prediction and label) by this value."""
    beta: int = 1
    """Beta of the F-score."""
    collect_device: Literal["cpu", "gpu"] = "cpu"
    """Where per-rank results are gathered."""
    output_dir: str | None = None
    """Write predictions as PNG files here."""
    format_only: bool = False
    """Only write predictions (test-server submissions); compute no metric."""
    prefix: str | None = None
    """Prefix added to metric names (`prefix/mIoU`)."""

    def metric_names(self) -> tuple[str, ...]:
        """The metric keys this metric produces, as `save_best` and EarlyStoppingHook must name them."""
        if self.format_only:
            return ()
        names = ["aAcc"]
        for metric in self.iou_metrics:
            names.extend(key for key in _IOU_SUMMARY_KEYS[metric] if key not in names)
        return tuple(f"{self.prefix}/{name}" if self.prefix else name for name in names)


class UserMetric(UserConfig):
    """Base for a user's own metric config; `metrics` declares the keys it produces (for save_best checks)."""

    metrics: Seq[str] = ()
    """The metric keys this metric reports."""

    def metric_names(self) -> tuple[str, ...]:
        return tuple(self.metrics)


_Metrics: TypeAlias = IoUMetric
if TYPE_CHECKING:  # a plain union: mypy, pyright and jedi all read it (jedi reads no Annotated)
    MetricConfig: TypeAlias = _Metrics | UserMetric
else:
    _TaggedMetrics = tagged_union(_Metrics, user=UserMetric)
    MetricConfig = Annotated[_TaggedMetrics, discriminate(tags_of(_TaggedMetrics))]

if TYPE_CHECKING:
    EvaluatorConfig: TypeAlias = MetricConfig | Seq[MetricConfig]
else:  # routed by shape, so that a mistake in one metric is not also reported as "not a list"
    EvaluatorConfig = Annotated[
        Union[Annotated[MetricConfig, Tag("one")], Annotated[Seq[MetricConfig], Tag("many")]],
        Discriminator(lambda value: "many" if isinstance(value, (list, tuple)) else "one"),
    ]
"""One metric, or several whose results are merged (MMEngine's Evaluator)."""


def evaluator_metrics(evaluator: EvaluatorConfig | None) -> tuple[str, ...]:
    """Every metric key an evaluator produces."""
    if evaluator is None:
        return ()
    metrics = evaluator if isinstance(evaluator, (tuple, list)) else (evaluator,)
    return tuple(name for metric in metrics for name in metric.metric_names())
