"""DeepLabV3-R50 on Cityscapes, 80k iterations: MMSegmentation's `_base_` files, as function calls and objects."""

from collections.abc import Sequence

from typedseg.config.data import DataLoaderConfig, DefaultSampler, InfiniteSampler
from typedseg.config.datasets import CityscapesDataset, DataPrefix
from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.models.backbones import ResNetV1c
from typedseg.config.models.common import SyncBN
from typedseg.config.models.heads import ASPPHead, FCNHead
from typedseg.config.models.losses import CrossEntropyLoss
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg, SegDataPreProcessor
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    PhotoMetricDistortion,
    RandomCrop,
    RandomFlip,
    RandomResize,
    Resize,
    TransformConfig,
)
from typedseg.presets import default_runtime, schedule_80k

CROP = (512, 1024)  # (h, w)

# _base_/models/deeplabv3_r50-d8.py
model = EncoderDecoder(
    data_preprocessor=SegDataPreProcessor(
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True, size=CROP
    ),
    pretrained="checkpoints/resnet50_v1c-2cccc1ad.pth",  # open-mmlab://resnet50_v1c, downloaded once
    backbone=ResNetV1c(
        depth=50, dilations=[1, 1, 2, 4], strides=[1, 2, 1, 1], norm_cfg=SyncBN(), contract_dilation=True
    ),
    decode_head=ASPPHead(
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=[1, 12, 24, 36],
        num_classes=19,
        norm_cfg=SyncBN(),
    ),
    auxiliary_head=FCNHead(
        in_channels=1024,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        num_classes=19,
        norm_cfg=SyncBN(),
        loss_decode=CrossEntropyLoss(loss_weight=0.4),
    ),
    test_cfg=ModelTestCfg(mode="whole"),
)


# _base_/datasets/cityscapes.py
def cityscapes(split: str, pipeline: Sequence[TransformConfig]) -> CityscapesDataset:
    prefix = DataPrefix(img_path=f"leftImg8bit/{split}", seg_map_path=f"gtFine/{split}")
    return CityscapesDataset(data_root="data/cityscapes", data_prefix=prefix, pipeline=pipeline)


train_pipeline: list[TransformConfig] = [
    LoadImageFromFile(),
    LoadAnnotations(),
    RandomResize(scale=(2048, 1024), ratio_range=(0.5, 2.0), keep_ratio=True),
    RandomCrop(crop_size=CROP, cat_max_ratio=0.75),
    RandomFlip(prob=0.5),
    PhotoMetricDistortion(),
    PackSegInputs(),
]
test_pipeline: list[TransformConfig] = [
    LoadImageFromFile(),
    Resize(scale=(2048, 1024), keep_ratio=True),
    LoadAnnotations(),  # after Resize: the metric compares with the label map at its original size
    PackSegInputs(),
]
val_dataloader = DataLoaderConfig(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=DefaultSampler(shuffle=False),
    dataset=cityscapes("val", test_pipeline),
)

config = Experiment(
    **default_runtime().as_kwargs(),
    **schedule_80k().as_kwargs(),  # SGD lr 0.01, PolyLR over [0, 80000), validate and save every 8000 iterations
    model=model,
    train_dataloader=DataLoaderConfig(
        batch_size=2,
        num_workers=2,
        persistent_workers=True,
        sampler=InfiniteSampler(),
        dataset=cityscapes("train", train_pipeline),
    ),
    val_dataloader=val_dataloader,
    val_evaluator=IoUMetric(iou_metrics=["mIoU"]),
    test_dataloader=val_dataloader,
    test_evaluator=IoUMetric(iou_metrics=["mIoU"]),
)
