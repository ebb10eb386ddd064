"""configs/quickstart.py with two typos, on lines 39 and 40.

Every section is an explicit, typed object; change a value here or with `--set`, and `typedseg validate` checks it
(including the rules across sections) before anything runs.
"""

from typedseg.config.data import DataLoaderConfig, DefaultSampler, InfiniteSampler
from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook
from typedseg.config.loops import IterBasedTrainLoop, TestLoop, ValLoop
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.placeholder import OpaqueSection
from typedseg.config.runtime import LogProcessor, RandomnessConfig
from typedseg.config.schedulers import LinearLR, PolyLR

MAX_ITERS = 400
NUM_CLASSES = 4

# The model and dataset sections are kept as written until typedseg types them (the segmentation stage).
dataset = OpaqueSection(
    type="BaseSegDataset",
    data_root="data/synthetic",
    data_prefix={"img_path": "images", "seg_map_path": "labels"},
    metainfo={"classes": ["background", "square", "disc", "stripe"]},
)

config = Experiment(
    model=OpaqueSection(type="EncoderDecoder", num_classes=NUM_CLASSES),
    work_dir="work_dirs/quickstart",
    train_dataloader=DataLoaderConfig(
        batch_size=8,
        num_workers=2,
        persistent_workers=True,
        sampler=InfiniteSampler(shuffle=True),
        dataset=dataset,
    ),
    train_cfg=IterBasedTrainLoop(max_iter=MAX_ITERS, val_interval=100),
    optim_wrapper=OptimWrapper(optimizer=SGD(lr=0.05, momentum=0.9, weight_decy=0.0005)),
    param_scheduler=[
        LinearLR(start_factor=0.1, begin=0, end=20, by_epoch=False),
        PolyLR(eta_min=1e-4, power=0.9, begin=20, end=MAX_ITERS, by_epoch=False),
    ],
    val_dataloader=DataLoaderConfig(batch_size=1, sampler=DefaultSampler(shuffle=False), dataset=dataset),
    val_cfg=ValLoop(),
    val_evaluator=IoUMetric(iou_metrics=["mIoU"]),
    test_dataloader=DataLoaderConfig(batch_size=1, sampler=DefaultSampler(shuffle=False), dataset=dataset),
    test_cfg=TestLoop(),
    test_evaluator=IoUMetric(iou_metrics=["mIoU"]),
    default_hooks=DefaultHooks(
        logger=LoggerHook(interval=20, log_metric_by_epoch=False),
        checkpoint=CheckpointHook(by_epoch=False, interval=100, max_keep_ckpts=2, save_best="mIoU"),
    ),
    log_processor=LogProcessor(by_epoch=False),
    randomness=RandomnessConfig(seed=0),
)
