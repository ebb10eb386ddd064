# expect: index-out-of-range param_scheduler[5]
# set: param_scheduler[5].end=10
from typedseg.config.data import DataLoaderConfig, DefaultSampler, InfiniteSampler
from typedseg.config.datasets import BaseSegDataset, DatasetMetainfo
from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook
from typedseg.config.loops import IterBasedTrainLoop, ValLoop
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.runtime import LogProcessor
from typedseg.config.schedulers import LinearLR, PolyLR
from typedseg.config.transforms import LoadAnnotations, LoadImageFromFile, PackSegInputs
from typedseg.presets import fcn_unet_s5_d16

dataset = BaseSegDataset(
    data_root="data/synthetic",
    metainfo=DatasetMetainfo(classes=["background", "square", "disc", "stripe"]),
    pipeline=[LoadImageFromFile(), LoadAnnotations(), PackSegInputs()],
)

config = Experiment(
    model=fcn_unet_s5_d16(num_classes=4, crop_size=(256, 256)),
    train_dataloader=DataLoaderConfig(batch_size=8, num_workers=2, sampler=InfiniteSampler(), dataset=dataset),
    train_cfg=IterBasedTrainLoop(max_iters=400, val_interval=100),
    optim_wrapper=OptimWrapper(optimizer=SGD(lr=0.05, momentum=0.9, weight_decay=0.0005)),
    param_scheduler=[
        LinearLR(start_factor=0.1, begin=0, end=20, by_epoch=False),
        PolyLR(eta_min=1e-4, power=0.9, begin=20, end=400, by_epoch=False),
    ],
    val_dataloader=DataLoaderConfig(batch_size=1, sampler=DefaultSampler(shuffle=False), dataset=dataset),
    val_cfg=ValLoop(),
    val_evaluator=IoUMetric(iou_metrics=["mIoU"]),
    default_hooks=DefaultHooks(
        logger=LoggerHook(interval=20, log_metric_by_epoch=False),
        checkpoint=CheckpointHook(by_epoch=False, interval=100, save_best="mIoU"),
    ),
    log_processor=LogProcessor(by_epoch=False),
)
