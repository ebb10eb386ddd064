test_evaluater = dict(type="IoUMetric", iou_metrics=["mIoU"])
