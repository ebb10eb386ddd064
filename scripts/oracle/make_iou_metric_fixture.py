"""Reference results of MMSegmentation 1.2.2's IoUMetric, for tests/evaluation/test_iou_metric.py.

Run in the oracle venv (never imported by the package or the tests):

    /work/oracle-venv/bin/python scripts/oracle/make_iou_metric_fixture.py

It makes a few small prediction/label pairs (with ignored pixels, a class absent from both, out-of-range values),
runs MMSeg's IoUMetric over them with several settings, and writes the inputs (.npz) and the metric dicts and
per-class values (.json) under tests/fixtures/evaluation/.
"""

import json
from pathlib import Path
from typing import Any

import mmseg_stub  # noqa: F401  (before any mmseg import)
import numpy as np
import torch
from mmseg.evaluation import IoUMetric

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "evaluation"
CLASSES = ("a", "b", "c", "d", "e", "absent")


def make_pairs() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(3)
    pairs = []
    for index in range(5):
        label = rng.integers(0, 5, size=(13, 17))
        pred = np.where(rng.random((13, 17)) < 0.7, label, rng.integers(0, 5, size=(13, 17)))
        label[rng.random((13, 17)) < 0.1] = 255
        if index == 1:
            label[0, :5] = 7  # a label value beyond the classes (not ignore_index)
            pred[1, :3] = 9  # a prediction beyond the classes
        pairs.append((pred.astype(np.int64), label.astype(np.int64)))
    return pairs


def run(pairs: list[tuple[np.ndarray, np.ndarray]], **kwargs: Any) -> dict[str, Any]:
    metric = IoUMetric(**kwargs)
    metric.dataset_meta = {"classes": CLASSES}
    samples = [
        {
            "pred_sem_seg": {"data": torch.from_numpy(pred)[None]},
            "gt_sem_seg": {"data": torch.from_numpy(label)[None]},
        }
        for pred, label in pairs
    ]
    metric.process({}, samples)
    summary = metric.compute_metrics(metric.results)
    results = tuple(zip(*metric.results, strict=True))
    areas = [sum(r) for r in results]
    per_class = IoUMetric.total_area_to_metrics(
        *areas, kwargs.get("iou_metrics", ["mIoU"]), kwargs.get("nan_to_num"), kwargs.get("beta", 1)
    )
    per_class.pop("aAcc")
    return {
        "kwargs": kwargs,
        "summary": {k: float(v) for k, v in summary.items()},
        "per_class": {k: [float(x) for x in np.round(v * 100, 2)] for k, v in per_class.items()},
        "areas": [a.tolist() for a in areas],
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    pairs = make_pairs()
    np.savez_compressed(
        OUT / "iou_inputs.npz",
        **{f"pred{i}": p for i, (p, _) in enumerate(pairs)},
        **{f"label{i}": lab for i, (_, lab) in enumerate(pairs)},
    )
    cases = {
        "miou": run(pairs, iou_metrics=["mIoU"]),
        "all": run(pairs, iou_metrics=["mIoU", "mDice", "mFscore"]),
        "all_nan_to_num": run(pairs, iou_metrics=["mIoU", "mDice", "mFscore"], nan_to_num=0),
        "fscore_beta2": run(pairs, iou_metrics=["mFscore"], beta=2),
        "ignore_0": run(pairs, iou_metrics=["mIoU"], ignore_index=0),
    }
    text = json.dumps({"classes": CLASSES, "cases": cases}, indent=1, sort_keys=True, allow_nan=True)
    (OUT / "iou_mmseg.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
