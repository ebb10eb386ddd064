"""SegFormer-B0 on ADE20K, 80k iterations; broken on purpose: the poly decay was copied from a 40k schedule."""

from typedseg.config.data import DataLoaderConfig, InfiniteSampler
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import AdamW
from typedseg.config.placeholder import OpaqueSection
from typedseg.config.runtime import LogProcessor
from typedseg.config.schedulers import LinearLR, PolyLR

ade20k = OpaqueSection(type="ADE20KDataset", data_root="data/ade/ADEChallengeData2016")

config = Experiment(
    train_dataloader=DataLoaderConfig(batch_size=2, num_workers=2, sampler=InfiniteSampler(), dataset=ade20k),
    train_cfg=IterBasedTrainLoop(max_iters=80000, val_interval=8000),
    optim_wrapper=OptimWrapper(optimizer=AdamW(lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01)),
    param_scheduler=[
        LinearLR(start_factor=1e-6, begin=0, end=1500, by_epoch=False),
        PolyLR(eta_min=0.0, power=1.0, begin=1500, end=40000, by_epoch=False),
    ],
    default_hooks=DefaultHooks(
        logger=LoggerHook(interval=50, log_metric_by_epoch=False),
        checkpoint=CheckpointHook(by_epoch=False, interval=8000),
    ),
    log_processor=LogProcessor(by_epoch=False),
)
