"""Evaluation: MMSegmentation's IoUMetric (aAcc, mIoU, mAcc, mDice, mFscore) from a confusion matrix kept on the
device, and its per-class table for the log."""

from typedseg.evaluation.iou_metric import IoUMetric, Metric, build_metric, confusion_matrix, format_table

__all__ = ["IoUMetric", "Metric", "build_metric", "confusion_matrix", "format_table"]
