# expect: ignore-index-inconsistent model.decode_head.ignore_index
from typedseg.config.data import DataLoaderConfig, DefaultSampler, InfiniteSampler
from typedseg.config.datasets import ADE20KDataset, BaseSegDataset, DataPrefix, DatasetMetainfo, PascalVOCDataset
from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook
from typedseg.config.loops import IterBasedTrainLoop, TestLoop, ValLoop
from typedseg.config.models.backbones import ConvNeXt, MixVisionTransformer, ResNetV1c, UNet
from typedseg.config.models.common import GN, BN, PretrainedInit
from typedseg.config.models.heads import FCNHead, SegformerHead
from typedseg.config.models.losses import CrossEntropyLoss
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg, SegDataPreProcessor, SegTTAModel
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.runtime import LogProcessor, RandomnessConfig
from typedseg.config.schedulers import LinearLR, PolyLR
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    RandomCrop,
    RandomFlip,
    Resize,
    TestTimeAug,
)

MAX_ITERS = 400
CROP = (64, 64)
CLASSES = ("background", "square", "disc", "stripe")
PALETTE = ((0, 0, 0), (220, 20, 60), (0, 128, 255), (255, 200, 0))


def synthetic(split, pipeline):
    return BaseSegDataset(
        data_root="data/synthetic",
        data_prefix=DataPrefix(img_path=f"images/{split}", seg_map_path=f"labels/{split}"),
        img_suffix=".png",
        seg_map_suffix=".png",
        metainfo=DatasetMetainfo(classes=CLASSES, palette=PALETTE),
        pipeline=pipeline,
    )


train_pipeline = [
    LoadImageFromFile(),
    LoadAnnotations(),
    RandomCrop(crop_size=CROP, cat_max_ratio=0.75),
    RandomFlip(prob=0.5),
    PackSegInputs(),
]
test_pipeline = [LoadImageFromFile(), LoadAnnotations(), PackSegInputs()]

config = Experiment(
    model=EncoderDecoder(
        data_preprocessor=SegDataPreProcessor(
            mean=[127.5, 127.5, 127.5], std=[64.0, 64.0, 64.0], size=CROP, bgr_to_rgb=True
        ),
        backbone=UNet(
            base_channels=16,
            num_stages=4,
            strides=[1, 1, 1, 1],
            enc_num_convs=[2, 2, 2, 2],
            dec_num_convs=[2, 2, 2],
            downsamples=[True, True, True],
            enc_dilations=[1, 1, 1, 1],
            dec_dilations=[1, 1, 1],
        ),
        decode_head=FCNHead(
            in_channels=16,
            in_index=3,
            channels=16,
            num_convs=1,
            concat_input=False,
            ignore_index=250,  # <- here
            num_classes=len(CLASSES),
            loss_decode=CrossEntropyLoss(loss_weight=1.0),
        ),
        test_cfg=ModelTestCfg(mode="whole"),
    ),
    work_dir="work_dirs/quickstart",
    train_dataloader=DataLoaderConfig(
        batch_size=8,
        num_workers=2,
        persistent_workers=True,
        sampler=InfiniteSampler(shuffle=True),
        dataset=synthetic("train", train_pipeline),
    ),
    train_cfg=IterBasedTrainLoop(max_iters=MAX_ITERS, val_interval=100),
    optim_wrapper=OptimWrapper(optimizer=SGD(lr=0.05, momentum=0.9, weight_decay=0.0005)),
    param_scheduler=[
        LinearLR(start_factor=0.1, begin=0, end=20, by_epoch=False),
        PolyLR(eta_min=1e-4, power=0.9, begin=20, end=MAX_ITERS, by_epoch=False),
    ],
    val_dataloader=DataLoaderConfig(
        batch_size=1, sampler=DefaultSampler(shuffle=False), dataset=synthetic("val", test_pipeline)
    ),
    val_cfg=ValLoop(),
    val_evaluator=IoUMetric(iou_metrics=["mIoU"]),
    default_hooks=DefaultHooks(
        logger=LoggerHook(interval=20, log_metric_by_epoch=False),
        checkpoint=CheckpointHook(by_epoch=False, interval=100, max_keep_ckpts=2, save_best="mIoU"),
    ),
    log_processor=LogProcessor(by_epoch=False),
    randomness=RandomnessConfig(seed=0),
)
