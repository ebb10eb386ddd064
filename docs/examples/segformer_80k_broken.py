"""SegFormer-B0 on ADE20K, 80k iterations; broken on purpose: the poly decay was copied from a 40k schedule."""

from typedseg.config.data import DataLoaderConfig, InfiniteSampler
from typedseg.config.datasets import ADE20KDataset, DataPrefix
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.models.backbones import MixVisionTransformer
from typedseg.config.models.common import PretrainedInit, SyncBN
from typedseg.config.models.heads import SegformerHead
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg, SegDataPreProcessor
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import AdamW
from typedseg.config.runtime import LogProcessor
from typedseg.config.schedulers import LinearLR, PolyLR
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    PhotoMetricDistortion,
    RandomCrop,
    RandomFlip,
    RandomResize,
)

CROP = (512, 512)

config = Experiment(
    model=EncoderDecoder(
        data_preprocessor=SegDataPreProcessor(
            mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True, size=CROP
        ),
        backbone=MixVisionTransformer(  # MiT-b0
            embed_dims=32,
            num_layers=[2, 2, 2, 2],
            num_heads=[1, 2, 5, 8],
            drop_path_rate=0.1,
            init_cfg=PretrainedInit(checkpoint="checkpoints/mit_b0_20220624-7e0fe0c0.pth"),
        ),
        decode_head=SegformerHead(
            in_channels=[32, 64, 160, 256],
            in_index=[0, 1, 2, 3],
            channels=256,
            num_classes=150,
            norm_cfg=SyncBN(),
        ),
        test_cfg=ModelTestCfg(mode="whole"),
    ),
    train_dataloader=DataLoaderConfig(
        batch_size=2,
        num_workers=2,
        sampler=InfiniteSampler(),
        dataset=ADE20KDataset(
            data_root="data/ade/ADEChallengeData2016",
            data_prefix=DataPrefix(img_path="images/training", seg_map_path="annotations/training"),
            pipeline=[
                LoadImageFromFile(),
                LoadAnnotations(),
                RandomResize(scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
                RandomCrop(crop_size=CROP, cat_max_ratio=0.75),
                RandomFlip(prob=0.5),
                PhotoMetricDistortion(),
                PackSegInputs(),
            ],
        ),
    ),
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
