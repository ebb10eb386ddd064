"""An evaluator is one metric or several: a mistake in either shape is reported once, in that shape's terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from typedseg.loading import load_config
from typedseg.problems import ConfigError, format_path

QUICKSTART = "configs/quickstart.py"


def _problems(tmp_path: Path, evaluator: str) -> list[tuple[str, str]]:
    config = tmp_path / "config.yaml"
    config.write_text(f"val_evaluator: {evaluator}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(config)
    return [(p.code, format_path(p.path)) for p in info.value.problems]


@pytest.mark.parametrize(
    ("evaluator", "expected"),
    [
        ("{type: IoUMetric, iou_metricz: [mIoU]}", [("unknown-key", "val_evaluator.iou_metricz")]),
        ("{type: IoUMetric, iou_metrics: [mIoUx]}", [("invalid-value", "val_evaluator.iou_metrics[0]")]),
        ("[{type: IoUMetric, iou_metricz: [mIoU]}]", [("unknown-key", "val_evaluator[0].iou_metricz")]),
        ("[{type: IoUMetric}, {iou_metrics: [mIoU]}]", [("missing-type", "val_evaluator[1]")]),
        ("{type: IoUMetrik}", [("unknown-type", "val_evaluator")]),
        ("12", [("missing-type", "val_evaluator")]),
    ],
)
def test_one_mistake_gives_one_problem(
    tmp_path: Path, evaluator: str, expected: list[tuple[str, str]]
) -> None:
    assert _problems(tmp_path, evaluator) == expected


def test_both_shapes_still_load() -> None:
    one = load_config(QUICKSTART, ["val_evaluator={type: IoUMetric, iou_metrics: [mIoU, mDice]}"]).experiment
    assert one.val_evaluator.iou_metrics == ("mIoU", "mDice")
    many = load_config(
        QUICKSTART, ["val_evaluator=[{type: IoUMetric}, {type: IoUMetric, prefix: b}]"]
    ).experiment
    assert [m.prefix for m in many.val_evaluator] == [None, "b"]
