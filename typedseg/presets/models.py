"""MMSegmentation's `_base_/models/*.py`, as functions that return a typed `EncoderDecoder`.

Each function's defaults reproduce its MMSeg base file value for value (tests/migrate/test_presets_match_mmseg.py
compares them field by field); its parameters are what MMSeg's configs change in those files: the class count,
the norm layer, the pretrained weights, the crop size the data pre-processor pads to, and the inference mode.
Anything else is changed with `typedseg.config.replace.replace(model, {"decode_head.dropout_ratio": 0.0})`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from typedseg.config.models.common import NormConfig, PretrainedInit, ReLU, SyncBN, default
from typedseg.config.models.heads import HeadConfig
from typedseg.config.models.losses import CrossEntropyLoss
from typedseg.config.models.segmentor import (
    EncoderDecoder,
    ModelTestCfg,
    ModelTrainCfg,
    SegDataPreProcessor,
)

if TYPE_CHECKING:  # each preset imports the families it builds, so a config loads only those
    from typedseg.config.models.heads import (
        FCNHead,
    )

__all__ = [
    "CONVNEXT_CHECKPOINTS",
    "MIT_CHECKPOINTS",
    "deeplabv3_r50_d8",
    "deeplabv3plus_r50_d8",
    "fcn_r50_d8",
    "fcn_unet_s5_d16",
    "segformer_mit",
    "segformer_mit_b0",
    "segformer_mit_b1",
    "segformer_mit_b2",
    "upernet_convnext",
]
"""What `typedseg.presets` exports from here (the rest are building blocks of these presets)."""


IMAGENET_MEAN = (123.675, 116.28, 103.53)
"""ImageNet's per-channel mean (RGB, 0-255), what every MMSeg model base normalizes with."""
IMAGENET_STD = (58.395, 57.12, 57.375)
"""ImageNet's per-channel standard deviation (RGB, 0-255)."""

SYNC_BN: NormConfig = default(SyncBN, requires_grad=True)
"""`norm_cfg = dict(type='SyncBN', requires_grad=True)`, the norm of every MMSeg model base."""
WHOLE: ModelTestCfg = default(ModelTestCfg, mode="whole")
"""`test_cfg = dict(mode='whole')`: inference on the whole image at once."""
UNET_SLIDE: ModelTestCfg = default(ModelTestCfg, mode="slide", crop_size=256, stride=170)
"""`_base_/models/fcn_unet_s5-d16.py`'s inference: 256x256 windows every 170 pixels."""

RESNET50_V1C = "open-mmlab://resnet50_v1c"
"""The ImageNet ResNet-50-V1c weights MMSeg's r50-d8 bases load (an MMCV alias of a download URL)."""

_CONVNEXT_URL = "https://download.openmmlab.com/mmclassification/v0/convnext/downstream/"
ConvNeXtSize = Literal["tiny", "small", "base", "large", "xlarge"]
"""The ConvNeXt archs MMSeg's upernet configs use."""
CONVNEXT_CHECKPOINTS: dict[ConvNeXtSize, str] = {
    "tiny": _CONVNEXT_URL + "convnext-tiny_3rdparty_32xb128-noema_in1k_20220301-795e9634.pth",
    "small": _CONVNEXT_URL + "convnext-small_3rdparty_32xb128-noema_in1k_20220301-303e75e3.pth",
    "base": _CONVNEXT_URL + "convnext-base_3rdparty_32xb128-noema_in1k_20220301-2a0ee547.pth",
    "large": _CONVNEXT_URL + "convnext-large_3rdparty_in21k_20220301-e6e0ea0a.pth",
    "xlarge": _CONVNEXT_URL + "convnext-xlarge_3rdparty_in21k_20220301-08aa5ddc.pth",
}
"""The MMPretrain ConvNeXt weights MMSeg's upernet configs load, by arch (ImageNet-1k for tiny/small/base,
ImageNet-21k for large/xlarge)."""

MiTVariant = Literal["b0", "b1", "b2", "b3", "b4", "b5"]
"""SegFormer's MiT variants."""
_MIT_URL = "https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/segformer/"
MIT_CHECKPOINTS: dict[MiTVariant, str] = {
    "b0": _MIT_URL + "mit_b0_20220624-7e0fe6dd.pth",
    "b1": _MIT_URL + "mit_b1_20220624-02e5a6a1.pth",
    "b2": _MIT_URL + "mit_b2_20220624-66e8bf70.pth",
    "b3": _MIT_URL + "mit_b3_20220624-13b1141c.pth",
    "b4": _MIT_URL + "mit_b4_20220624-d588d980.pth",
    "b5": _MIT_URL + "mit_b5_20220624-658746d9.pth",
}
"""The ImageNet MiT weights MMSeg's segformer configs load, by variant."""


def seg_data_preprocessor(crop_size: tuple[int, int] | None = None) -> SegDataPreProcessor:
    """The bases' `data_preprocessor`: ImageNet mean/std, BGR to RGB, pad images with 0 and labels with 255."""
    return SegDataPreProcessor(
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        bgr_to_rgb=True,
        pad_val=0.0,
        seg_pad_val=255.0,
        size=crop_size,
    )


def _fcn_auxiliary(in_channels: int, num_classes: int, norm_cfg: NormConfig, channels: int = 256) -> FCNHead:
    """The auxiliary FCN head of the bases: one conv on backbone output 2, loss weight 0.4."""

    from typedseg.config.models.heads import FCNHead

    return FCNHead(
        in_channels=in_channels,
        in_index=2,
        channels=channels,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=CrossEntropyLoss(use_sigmoid=False, loss_weight=0.4),
    )


def _loss() -> CrossEntropyLoss:
    return CrossEntropyLoss(use_sigmoid=False, loss_weight=1.0)


def _r50_d8(
    decode_head: HeadConfig,
    num_classes: int,
    norm_cfg: NormConfig,
    pretrained: str | None,
    crop_size: tuple[int, int] | None,
    test_cfg: ModelTestCfg,
) -> EncoderDecoder:
    """A dilated ResNet-50-V1c (output stride 8) with `decode_head` and the auxiliary FCN head."""

    from typedseg.config.models.backbones import ResNetV1c

    return EncoderDecoder(
        data_preprocessor=seg_data_preprocessor(crop_size),
        pretrained=pretrained,
        backbone=ResNetV1c(
            depth=50,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            dilations=(1, 1, 2, 4),
            strides=(1, 2, 1, 1),
            norm_cfg=norm_cfg,
            norm_eval=False,
            style="pytorch",
            contract_dilation=True,
        ),
        decode_head=decode_head,
        auxiliary_head=_fcn_auxiliary(1024, num_classes, norm_cfg),
        train_cfg=ModelTrainCfg(),
        test_cfg=test_cfg,
    )


def fcn_r50_d8(
    num_classes: int = 19,
    *,
    norm_cfg: NormConfig = SYNC_BN,
    pretrained: str | None = RESNET50_V1C,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = WHOLE,
) -> EncoderDecoder:
    """Replaces `_base_/models/fcn_r50-d8.py`: FCN on a dilated ResNet-50-V1c, with an auxiliary FCN head."""

    from typedseg.config.models.heads import FCNHead

    head = FCNHead(
        in_channels=2048,
        in_index=3,
        channels=512,
        num_convs=2,
        concat_input=True,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=_loss(),
    )
    return _r50_d8(head, num_classes, norm_cfg, pretrained, crop_size, test_cfg)


def deeplabv3_r50_d8(
    num_classes: int = 19,
    *,
    norm_cfg: NormConfig = SYNC_BN,
    pretrained: str | None = RESNET50_V1C,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = WHOLE,
) -> EncoderDecoder:
    """Replaces `_base_/models/deeplabv3_r50-d8.py`: ASPP on a dilated ResNet-50-V1c, auxiliary FCN head."""

    from typedseg.config.models.heads import ASPPHead

    head = ASPPHead(
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=(1, 12, 24, 36),
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=_loss(),
    )
    return _r50_d8(head, num_classes, norm_cfg, pretrained, crop_size, test_cfg)


def deeplabv3plus_r50_d8(
    num_classes: int = 19,
    *,
    norm_cfg: NormConfig = SYNC_BN,
    pretrained: str | None = RESNET50_V1C,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = WHOLE,
) -> EncoderDecoder:
    """Replaces `_base_/models/deeplabv3plus_r50-d8.py`: separable ASPP and a low-level decoder, auxiliary FCN."""

    from typedseg.config.models.heads import DepthwiseSeparableASPPHead

    head = DepthwiseSeparableASPPHead(
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=(1, 12, 24, 36),
        c1_in_channels=256,
        c1_channels=48,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=_loss(),
    )
    return _r50_d8(head, num_classes, norm_cfg, pretrained, crop_size, test_cfg)


def _mit_arch(variant: MiTVariant) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """(embed_dims, num_layers, num_heads) of a MiT variant."""

    from typedseg.config.models.backbones import MIT_ARCHS

    arch = MIT_ARCHS[variant]
    embed_dims, num_layers, num_heads = arch["embed_dims"], arch["num_layers"], arch["num_heads"]
    assert isinstance(embed_dims, int) and isinstance(num_layers, tuple) and isinstance(num_heads, tuple)
    return embed_dims, num_layers, num_heads


def segformer_mit(
    variant: MiTVariant,
    num_classes: int = 19,
    *,
    norm_cfg: NormConfig = SYNC_BN,
    checkpoint: str | None = None,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = WHOLE,
) -> EncoderDecoder:
    """SegFormer on MiT-`variant`: `_base_/models/segformer_mit-b0.py` with the variant's widths and depths."""

    from typedseg.config.models.backbones import MixVisionTransformer
    from typedseg.config.models.heads import SegformerHead

    embed_dims, num_layers, num_heads = _mit_arch(variant)
    return EncoderDecoder(
        data_preprocessor=seg_data_preprocessor(crop_size),
        pretrained=None,
        backbone=MixVisionTransformer(
            in_channels=3,
            embed_dims=embed_dims,
            num_stages=4,
            num_layers=num_layers,
            num_heads=num_heads,
            patch_sizes=(7, 3, 3, 3),
            sr_ratios=(8, 4, 2, 1),
            out_indices=(0, 1, 2, 3),
            mlp_ratio=4,
            qkv_bias=True,
            drop_rate=0.0,
            attn_drop_rate=0.0,
            drop_path_rate=0.1,
            init_cfg=None if checkpoint is None else PretrainedInit(checkpoint=checkpoint),
        ),
        decode_head=SegformerHead(
            in_channels=tuple(embed_dims * heads for heads in num_heads),
            in_index=(0, 1, 2, 3),
            channels=256,
            dropout_ratio=0.1,
            num_classes=num_classes,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=_loss(),
        ),
        train_cfg=ModelTrainCfg(),
        test_cfg=test_cfg,
    )


def segformer_mit_b0(
    num_classes: int = 19,
    *,
    norm_cfg: NormConfig = SYNC_BN,
    checkpoint: str | None = None,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = WHOLE,
) -> EncoderDecoder:
    """Replaces `_base_/models/segformer_mit-b0.py`: SegFormer's all-MLP head on MiT-b0."""
    return segformer_mit(
        "b0", num_classes, norm_cfg=norm_cfg, checkpoint=checkpoint, crop_size=crop_size, test_cfg=test_cfg
    )


def segformer_mit_b1(
    num_classes: int = 19,
    *,
    norm_cfg: NormConfig = SYNC_BN,
    checkpoint: str | None = None,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = WHOLE,
) -> EncoderDecoder:
    """Replaces the model of `segformer/segformer_mit-b1_*.py` (the b0 base widened to 64 channels)."""
    return segformer_mit(
        "b1", num_classes, norm_cfg=norm_cfg, checkpoint=checkpoint, crop_size=crop_size, test_cfg=test_cfg
    )


def segformer_mit_b2(
    num_classes: int = 19,
    *,
    norm_cfg: NormConfig = SYNC_BN,
    checkpoint: str | None = None,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = WHOLE,
) -> EncoderDecoder:
    """Replaces the model of `segformer/segformer_mit-b2_*.py` (the b0 base, 64 channels, (3, 4, 6, 3) layers)."""
    return segformer_mit(
        "b2", num_classes, norm_cfg=norm_cfg, checkpoint=checkpoint, crop_size=crop_size, test_cfg=test_cfg
    )


def upernet_convnext(
    num_classes: int = 19,
    *,
    arch: ConvNeXtSize = "base",
    norm_cfg: NormConfig = SYNC_BN,
    checkpoint: str | None = None,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = WHOLE,
) -> EncoderDecoder:
    """Replaces `_base_/models/upernet_convnext.py`: UPerNet on ConvNeXt-`arch`, pretrained (`checkpoint`)."""

    from typedseg.config.models.backbones import CONVNEXT_ARCHS, ConvNeXt
    from typedseg.config.models.heads import UPerHead

    # checkpoint=None loads the weights MMSeg's configs use for `arch` (CONVNEXT_CHECKPOINTS), as the base file
    # does for base; pass a local path for your own download. The heads' in_channels follow `arch`: MMSeg's base
    # file writes ConvNeXt-base's for the decode head but 384 (ConvNeXt-tiny's third stage) for the auxiliary
    # head, where base has 512. Every MMSeg leaf overrides it, and typedseg refuses the mismatch
    # (in-channels-mismatch), so here it is 512 for base.
    channels = CONVNEXT_ARCHS[arch][1]
    return EncoderDecoder(
        data_preprocessor=seg_data_preprocessor(crop_size),
        pretrained=None,
        backbone=ConvNeXt(
            arch=arch,
            out_indices=(0, 1, 2, 3),
            drop_path_rate=0.4,
            layer_scale_init_value=1.0,
            gap_before_final_norm=False,
            init_cfg=PretrainedInit(checkpoint=checkpoint or CONVNEXT_CHECKPOINTS[arch], prefix="backbone."),
        ),
        decode_head=UPerHead(
            in_channels=channels,
            in_index=(0, 1, 2, 3),
            pool_scales=(1, 2, 3, 6),
            channels=512,
            dropout_ratio=0.1,
            num_classes=num_classes,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=_loss(),
        ),
        auxiliary_head=_fcn_auxiliary(channels[2], num_classes, norm_cfg),
        train_cfg=ModelTrainCfg(),
        test_cfg=test_cfg,
    )


def fcn_unet_s5_d16(
    num_classes: int = 2,
    *,
    norm_cfg: NormConfig = SYNC_BN,
    crop_size: tuple[int, int] | None = None,
    test_cfg: ModelTestCfg = UNET_SLIDE,
) -> EncoderDecoder:
    """Replaces `_base_/models/fcn_unet_s5-d16.py`: a 5-stage UNet (output stride 16 inside) with FCN heads."""

    from typedseg.config.models.backbones import InterpConv, UNet
    from typedseg.config.models.heads import FCNHead

    return EncoderDecoder(
        data_preprocessor=seg_data_preprocessor(crop_size),
        pretrained=None,
        backbone=UNet(
            in_channels=3,
            base_channels=64,
            num_stages=5,
            strides=(1, 1, 1, 1, 1),
            enc_num_convs=(2, 2, 2, 2, 2),
            dec_num_convs=(2, 2, 2, 2),
            downsamples=(True, True, True, True),
            enc_dilations=(1, 1, 1, 1, 1),
            dec_dilations=(1, 1, 1, 1),
            with_cp=False,
            conv_cfg=None,
            norm_cfg=norm_cfg,
            act_cfg=ReLU(),
            upsample_cfg=InterpConv(),
            norm_eval=False,
        ),
        decode_head=FCNHead(
            in_channels=64,
            in_index=4,
            channels=64,
            num_convs=1,
            concat_input=False,
            dropout_ratio=0.1,
            num_classes=num_classes,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=_loss(),
        ),
        auxiliary_head=FCNHead(
            in_channels=128,
            in_index=3,
            channels=64,
            num_convs=1,
            concat_input=False,
            dropout_ratio=0.1,
            num_classes=num_classes,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=CrossEntropyLoss(use_sigmoid=False, loss_weight=0.4),
        ),
        train_cfg=ModelTrainCfg(),
        test_cfg=test_cfg,
    )
