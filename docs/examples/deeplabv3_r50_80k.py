"""DeepLabV3-R50 on Cityscapes, 80k iterations: MMSegmentation's `_base_` files, as function calls."""

from typedseg.config.data import DataLoaderConfig, DefaultSampler, InfiniteSampler
from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.placeholder import OpaqueSection
from typedseg.presets import default_runtime, schedule_80k

cityscapes = OpaqueSection(type="CityscapesDataset", data_root="data/cityscapes")
schedule = schedule_80k()  # SGD lr 0.01, PolyLR over [0, 80000), validate and save every 8000 iterations

config = Experiment(
    **default_runtime().as_kwargs(),
    **schedule.as_kwargs(),
    model=OpaqueSection(type="EncoderDecoder", num_classes=19),
    train_dataloader=DataLoaderConfig(
        batch_size=2, num_workers=2, sampler=InfiniteSampler(), dataset=cityscapes
    ),
    val_dataloader=DataLoaderConfig(sampler=DefaultSampler(shuffle=False), dataset=cityscapes),
    val_evaluator=IoUMetric(iou_metrics=["mIoU"]),
    test_dataloader=DataLoaderConfig(sampler=DefaultSampler(shuffle=False), dataset=cityscapes),
    test_evaluator=IoUMetric(iou_metrics=["mIoU"]),
)
