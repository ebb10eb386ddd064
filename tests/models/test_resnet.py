"""ResNet / ResNetV1c / ResNetV1d with FCN, ASPP and DepthwiseSeparableASPP heads against MMSegmentation 1.2.2:
small seeded models for logits and losses, every variant and depth at real size for keys and shapes."""

import json
from typing import Any

import pytest
import torch

from tests.models.oracle import FIXTURES, check_model, load_fixture, signature
from typedseg.config.models.backbones import ResNet, ResNetV1c, ResNetV1d
from typedseg.config.models.common import BN
from typedseg.config.models.heads import ASPPHead, DepthwiseSeparableASPPHead, FCNHead
from typedseg.config.models.losses import CrossEntropyLoss, DiceLoss
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg, ModelTrainCfg
from typedseg.models import build_model
from typedseg.models.backbones import build_backbone
from typedseg.presets.models import deeplabv3_r50_d8, deeplabv3plus_r50_d8, fcn_r50_d8

REAL = json.loads((FIXTURES / "resnet_real.json").read_text())
WHOLE = ModelTestCfg(mode="whole")


def test_resnet_v1c_aspp_matches_mmseg() -> None:
    cfg = EncoderDecoder(
        backbone=ResNetV1c(
            depth=18,
            stem_channels=8,
            base_channels=4,
            strides=(1, 2, 1, 1),
            dilations=(1, 1, 2, 4),
            contract_dilation=True,
            norm_cfg=BN(),
        ),
        decode_head=ASPPHead(
            in_channels=32, in_index=3, channels=8, dilations=(1, 2, 3), num_classes=5, norm_cfg=BN()
        ),
        auxiliary_head=FCNHead(
            in_channels=16,
            in_index=2,
            channels=8,
            num_convs=1,
            concat_input=False,
            num_classes=5,
            norm_cfg=BN(),
            loss_decode=CrossEntropyLoss(loss_weight=0.4),
        ),
        train_cfg=ModelTrainCfg(),
        test_cfg=WHOLE,
    )
    check_model(build_model(cfg, init_weights=False), load_fixture("resnet_aspp"))


def test_resnet_v1d_caffe_multigrid_dsaspp_matches_mmseg() -> None:
    cfg = EncoderDecoder(
        backbone=ResNetV1d(
            depth=50,
            stem_channels=8,
            base_channels=2,
            strides=(1, 2, 2, 1),
            dilations=(1, 1, 1, 2),
            multi_grid=(1, 2, 4),
            norm_cfg=BN(),
            style="caffe",
        ),
        decode_head=DepthwiseSeparableASPPHead(
            in_channels=64,
            in_index=3,
            channels=8,
            dilations=(1, 2, 3),
            c1_in_channels=8,
            c1_channels=4,
            num_classes=3,
            norm_cfg=BN(),
            align_corners=True,
            loss_decode=[CrossEntropyLoss(), DiceLoss(loss_weight=0.5, use_sigmoid=False)],
        ),
        auxiliary_head=[
            FCNHead(
                in_channels=32,
                in_index=2,
                channels=8,
                num_convs=2,
                num_classes=3,
                norm_cfg=BN(),
                loss_decode=CrossEntropyLoss(loss_weight=0.4),
            ),
            FCNHead(
                in_channels=16,
                in_index=1,
                channels=4,
                num_convs=1,
                concat_input=False,
                num_classes=3,
                norm_cfg=BN(),
                loss_decode=CrossEntropyLoss(loss_weight=0.2),
            ),
        ],
        test_cfg=WHOLE,
    )
    check_model(build_model(cfg, init_weights=False), load_fixture("resnet_dsaspp"))


def _resnet34_binary() -> EncoderDecoder:
    return EncoderDecoder(
        backbone=ResNet(
            depth=34,
            stem_channels=8,
            base_channels=4,
            num_stages=3,
            strides=(1, 2, 2),
            dilations=(1, 1, 1),
            out_indices=(0, 2),
            frozen_stages=1,
            norm_eval=True,
            norm_cfg=BN(),
        ),
        decode_head=FCNHead(
            in_channels=16,
            in_index=1,
            channels=8,
            num_convs=2,
            kernel_size=1,
            num_classes=2,
            out_channels=1,
            threshold=0.4,
            norm_cfg=BN(),
            dropout_ratio=0.0,
            loss_decode=CrossEntropyLoss(use_sigmoid=True),
        ),
        test_cfg=WHOLE,
    )


def test_resnet34_binary_sigmoid_head_matches_mmseg() -> None:
    check_model(build_model(_resnet34_binary(), init_weights=False), load_fixture("resnet_fcn"))


def test_frozen_stages_and_norm_eval_hold_in_training() -> None:
    model = build_model(_resnet34_binary())
    model.train()
    backbone: Any = model.backbone
    frozen = [backbone.conv1, backbone.bn1, backbone.layer1]
    assert all(not p.requires_grad for m in frozen for p in m.parameters())
    assert all(p.requires_grad for p in backbone.layer2.parameters())
    batch_norms = [m for m in backbone.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert batch_norms and not any(m.training for m in batch_norms)  # norm_eval
    assert model.decode_head.training


@pytest.mark.parametrize("kind", [ResNet, ResNetV1c, ResNetV1d])
@pytest.mark.parametrize("depth", [18, 34, 50, 101, 152])
def test_every_variant_and_depth_has_mmsegs_keys_and_shapes(kind: type[ResNetV1c], depth: int) -> None:
    cfg = kind(depth=depth, strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4), contract_dilation=True)  # type: ignore[arg-type]
    with torch.device("meta"):
        backbone = build_backbone(cfg)
    expected = REAL[f"{cfg.type}-{depth}"]
    if "keys" in expected:
        assert [[k, list(v.shape)] for k, v in backbone.state_dict().items()] == expected["keys"]
    assert sum(p.numel() for p in backbone.parameters()) == expected["params"]
    assert signature(backbone) == expected["sha256"]


@pytest.mark.parametrize(
    ("name", "preset"),
    [
        ("fcn_r50_d8", fcn_r50_d8),
        ("deeplabv3_r50_d8", deeplabv3_r50_d8),
        ("deeplabv3plus_r50_d8", deeplabv3plus_r50_d8),
    ],
)
def test_reference_segmentors_have_mmsegs_keys_and_shapes(name: str, preset: object) -> None:
    assert callable(preset)
    with torch.device("meta"):
        model = build_model(preset(num_classes=19, norm_cfg=BN(), pretrained=None), init_weights=False)
    expected = REAL[name]
    assert sum(p.numel() for p in model.parameters()) == expected["params"]
    assert signature(model) == expected["sha256"]


def test_zero_init_residual_and_kaiming_init() -> None:
    model = build_model(_resnet34_binary())
    backbone: Any = model.backbone
    block = backbone.layer2[0]
    assert torch.count_nonzero(block.bn2.weight) == 0  # the last norm of each BasicBlock starts at 0
    assert torch.all(block.bn1.weight == 1)
    conv = backbone.layer2[1].conv1.weight.detach()
    fan_out = conv.shape[0] * conv.shape[2] * conv.shape[3]
    assert abs(float(conv.std()) - (2 / fan_out) ** 0.5) < 0.3 * (2 / fan_out) ** 0.5
    seg: Any = model.decode_head.conv_seg
    assert abs(float(seg.weight.detach().std()) - 0.01) < 0.01
    assert torch.all(seg.bias == 0)
