"""IoUMetric: against a confusion matrix computed by hand, and against MMSegmentation's IoUMetric on the same
predictions (fixtures from scripts/oracle/make_iou_metric_fixture.py)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from typedseg.config.evaluation import IoUMetric as IoUMetricConfig
from typedseg.evaluation import IoUMetric, build_metric, confusion_matrix
from typedseg.structures import SegDataSample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "evaluation"


def sample(
    pred: list[list[int]] | np.ndarray, label: list[list[int]] | np.ndarray, **meta: object
) -> SegDataSample:
    return SegDataSample(
        metainfo=dict(meta),
        pred_sem_seg=torch.as_tensor(np.asarray(pred), dtype=torch.int64)[None],
        gt_sem_seg=torch.as_tensor(np.asarray(label), dtype=torch.int64)[None],
    )


# 5 labelled pixels (one ignored): (label, pred) = (0,0) (0,1) (1,1) (1,1) (2,0)
PRED = [[0, 1, 1], [1, 0, 2]]
LABEL = [[0, 0, 1], [1, 2, 255]]


def test_confusion_matrix_by_hand() -> None:
    matrix = confusion_matrix(torch.tensor(PRED), torch.tensor(LABEL), 3, 255)
    expected = torch.zeros(4, 4, dtype=torch.int64)
    expected[0, 0], expected[0, 1], expected[1, 1], expected[2, 0] = 1, 1, 2, 1
    assert torch.equal(matrix, expected)


def test_metrics_by_hand() -> None:
    metric = IoUMetric(classes=("x", "y", "z"), metrics=("mIoU", "mDice", "mFscore"))
    metric.process([sample(PRED, LABEL)])
    result = metric.compute()
    # intersections (1, 2, 0); label areas (2, 2, 1); prediction areas (2, 3, 0); unions (3, 3, 1)
    assert result == {
        "aAcc": 60.0,  # 3 of 5
        "mIoU": 33.33,  # (1/3 + 2/3 + 0) / 3
        "mAcc": 50.0,  # (1/2 + 1 + 0) / 3
        "mDice": 43.33,  # (2/4 + 4/5 + 0) / 3
        "mFscore": 65.0,  # (0.5 + 0.8) / 2: z's precision is 0/0, NaN, left out of the mean
        "mPrecision": 58.33,  # (1/2 + 2/3) / 2
        "mRecall": 50.0,
    }
    assert metric.class_results["IoU"] == [33.33, 66.67, 0.0]
    assert math.isnan(metric.class_results["Precision"][2])
    assert "| x " in metric.table and "66.67" in metric.table and "nan" in metric.table


def test_batches_accumulate_and_reset() -> None:
    metric = IoUMetric(classes=("x", "y", "z"))
    metric.process([sample(PRED, LABEL)])
    metric.process([sample([[2]], [[2]]), sample([[0]], [[255]])])
    # z now has 1 intersection, label area 2, prediction area 1 -> IoU 1/2; aAcc 4/6
    assert metric.compute() == {
        "aAcc": 66.67,
        "mIoU": pytest.approx(round((1 / 3 + 2 / 3 + 1 / 2) / 3 * 100, 2)),
        "mAcc": pytest.approx(round((1 / 2 + 1 + 1 / 2) / 3 * 100, 2)),
    }
    metric.reset()
    with pytest.raises(ValueError, match="no samples"):
        metric.compute()


def test_nan_to_num_and_prefix() -> None:
    metric = IoUMetric(classes=("x", "y", "z", "never"), nan_to_num=0, prefix="val")
    metric.process([sample(PRED, LABEL)])
    result = metric.compute()
    assert result["val/mIoU"] == 25.0  # (1/3 + 2/3 + 0 + 0) / 4
    assert set(result) == {"val/aAcc", "val/mIoU", "val/mAcc"}


def test_format_only_writes_predictions(tmp_path: Path) -> None:
    metric = IoUMetric(classes=("x", "y", "z"), format_only=True, output_dir=str(tmp_path))
    metric.process([sample(PRED, LABEL, img_path="/data/a/img_7.jpg", reduce_zero_label=True)])
    assert metric.compute() == {}
    from PIL import Image

    written = np.asarray(Image.open(tmp_path / "img_7.png"))
    np.testing.assert_array_equal(
        written, np.asarray(PRED) + 1
    )  # reduce_zero_label: back to the file's labels


def test_build_metric_from_config() -> None:
    built = build_metric(
        IoUMetricConfig(iou_metrics=("mIoU", "mDice"), ignore_index=0), {"classes": ("x", "y", "z")}
    )
    assert isinstance(built, IoUMetric)
    assert built.metrics == ("mIoU", "mDice") and built.ignore_index == 0 and built.classes == ("x", "y", "z")
    with pytest.raises(ValueError, match="class names"):
        build_metric(IoUMetricConfig(), {})


FIXTURE = json.loads((FIXTURES / "iou_mmseg.json").read_text(encoding="utf-8"))
INPUTS = np.load(FIXTURES / "iou_inputs.npz")


@pytest.mark.parametrize("case", sorted(FIXTURE["cases"]))
def test_equals_mmseg(case: str) -> None:
    expected = FIXTURE["cases"][case]
    kwargs = expected["kwargs"]
    metric = IoUMetric(
        classes=tuple(FIXTURE["classes"]),
        metrics=tuple(kwargs.get("iou_metrics", ["mIoU"])),
        ignore_index=kwargs.get("ignore_index", 255),
        nan_to_num=kwargs.get("nan_to_num"),
        beta=kwargs.get("beta", 1),
    )
    pairs = [(INPUTS[f"pred{i}"], INPUTS[f"label{i}"]) for i in range(5)]
    metric.process([sample(pred, label) for pred, label in pairs[:2]])
    metric.process([sample(pred, label) for pred, label in pairs[2:]])
    result = metric.compute()
    assert set(result) == set(expected["summary"])
    for key, value in expected["summary"].items():
        assert result[key] == round(value, 2) or (math.isnan(value) and math.isnan(result[key])), key
    for key, values in expected["per_class"].items():
        got = metric.class_results[key]
        for g, e in zip(got, values, strict=True):
            assert (math.isnan(g) and math.isnan(e)) or g == round(e, 2), key
    assert metric.matrix is not None
    c = len(FIXTURE["classes"])
    m = metric.matrix
    intersect, label_area, pred_area = torch.diagonal(m)[:c], m[:c, :].sum(1), m[:, :c].sum(0)
    assert intersect.tolist() == expected["areas"][0]
    assert (pred_area + label_area - intersect).tolist() == expected["areas"][1]
    assert pred_area.tolist() == expected["areas"][2]
    assert label_area.tolist() == expected["areas"][3]
