"""MMPretrain's ConvNeXt with UPerHead, ConvNeXt v2 with the FPN neck, and SegTTAModel, against MMSegmentation
1.2.2: small seeded models for logits and losses, UPerNet ConvNeXt-T/S at real size for keys and shapes."""

import json
from typing import Any

import pytest
import torch

from tests.models.oracle import FIXTURES, check_model, load_fixture, signature
from tests.models.test_unet_fcn import unet_fcn
from typedseg.config.models.backbones import ConvNeXt, ConvNeXtArch
from typedseg.config.models.common import BN, ReLU
from typedseg.config.models.heads import FCNHead, UPerHead
from typedseg.config.models.losses import CrossEntropyLoss
from typedseg.config.models.necks import FPN
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg
from typedseg.config.models.segmentor import SegTTAModel as SegTTAModelConfig
from typedseg.models import build_model
from typedseg.models.tta import build_tta_model
from typedseg.presets.models import upernet_convnext
from typedseg.structures import SegDataSample

REAL = json.loads((FIXTURES / "convnext_real.json").read_text())
WHOLE = ModelTestCfg(mode="whole")


def test_convnext_uper_matches_mmseg() -> None:
    cfg = EncoderDecoder(
        backbone=ConvNeXt(
            arch=ConvNeXtArch(depths=(1, 1, 2, 1), channels=(8, 16, 24, 32)),
            out_indices=(0, 1, 2, 3),
            drop_path_rate=0.2,
            layer_scale_init_value=1.0,
            gap_before_final_norm=False,
        ),
        decode_head=UPerHead(
            in_channels=(8, 16, 24, 32),
            in_index=(0, 1, 2, 3),
            pool_scales=(1, 2, 3),
            channels=8,
            num_classes=4,
            norm_cfg=BN(),
        ),
        auxiliary_head=FCNHead(
            in_channels=24,
            in_index=2,
            channels=8,
            num_convs=1,
            concat_input=False,
            num_classes=4,
            norm_cfg=BN(),
            loss_decode=CrossEntropyLoss(loss_weight=0.4),
        ),
        test_cfg=WHOLE,
    )
    check_model(build_model(cfg, init_weights=False), load_fixture("convnext_uper"))


def test_convnext_v2_fpn_resize_concat_matches_mmseg() -> None:
    cfg = EncoderDecoder(
        backbone=ConvNeXt(
            arch=ConvNeXtArch(depths=(1, 1, 1), channels=(8, 12, 16)),
            out_indices=(0, 1, 2),
            use_grn=True,
            linear_pw_conv=False,
            layer_scale_init_value=0.0,
            gap_before_final_norm=False,
        ),
        neck=FPN(
            in_channels=(8, 12, 16),
            out_channels=8,
            num_outs=5,
            add_extra_convs="on_input",
            relu_before_extra_convs=True,
            norm_cfg=BN(),
            act_cfg=ReLU(),
        ),
        decode_head=FCNHead(
            in_channels=(8, 8, 8, 8, 8),
            in_index=(0, 1, 2, 3, 4),
            input_transform="resize_concat",
            channels=8,
            num_convs=1,
            concat_input=True,
            num_classes=3,
            norm_cfg=BN(),
            align_corners=True,
            loss_decode=CrossEntropyLoss(avg_non_ignore=True),
        ),
        test_cfg=WHOLE,
    )
    check_model(build_model(cfg, init_weights=False), load_fixture("convnext_fpn"))


@pytest.mark.parametrize("arch", ["tiny", "small"])
def test_real_upernet_convnext_has_mmsegs_keys_and_shapes(arch: Any) -> None:
    cfg = upernet_convnext(num_classes=150, arch=arch, norm_cfg=BN(), checkpoint="unused.pth")
    with torch.device("meta"):
        model = build_model(cfg, init_weights=False)
    expected = REAL[f"upernet_convnext_{arch}"]
    assert sum(p.numel() for p in model.parameters()) == expected["params"]
    assert signature(model) == expected["sha256"]


def test_tta_merges_as_mmseg() -> None:
    fixture = load_fixture("tta")
    model = build_model(unet_fcn(), init_weights=False)
    model.load_state_dict(load_fixture("unet_fcn")["state_dict"])
    model.eval()
    tta = build_tta_model(SegTTAModelConfig(), model)
    batches = []
    for aug in fixture["augs"]:
        samples = [
            SegDataSample(metainfo={k: tuple(v) if isinstance(v, list) else v for k, v in m.items()})
            for m in aug["meta"]
        ]
        batches.append({"inputs": aug["inputs"], "data_samples": samples})
    with torch.no_grad():
        merged = tta.test_step(
            {"inputs": [b["inputs"] for b in batches], "data_samples": [b["data_samples"] for b in batches]}
        )
    preds = [m.pred_sem_seg for m in merged if m.pred_sem_seg is not None]
    logits = [m.seg_logits for m in merged if m.seg_logits is not None]
    assert torch.equal(torch.stack(preds), fixture["pred"].long())
    torch.testing.assert_close(torch.stack(logits), fixture["logits"], rtol=1e-4, atol=1e-4)
    assert [m.metainfo["img_path"] for m in merged] == ["img0.png", "img1.png"]


def test_convnext_frozen_stages_and_default_init() -> None:
    cfg = ConvNeXt(arch=ConvNeXtArch(depths=(1, 1), channels=(8, 16)), out_indices=(0, 1), frozen_stages=1)
    model = build_model(
        EncoderDecoder(
            backbone=cfg,
            decode_head=UPerHead(in_channels=(8, 16), in_index=(0, 1), channels=8, num_classes=2),
            test_cfg=WHOLE,
        )
    )
    backbone: Any = model.backbone
    model.train()
    assert not any(p.requires_grad for p in backbone.stages[0].parameters())
    assert not any(p.requires_grad for p in backbone.downsample_layers[0].parameters())
    assert all(p.requires_grad for p in backbone.stages[1].parameters())
    linear = backbone.stages[1][0].pointwise_conv1
    assert abs(float(linear.weight.detach().std()) - 0.02) < 0.01
    assert float(linear.weight.detach().abs().max()) <= 2.0  # truncated at [-2, 2] (MMEngine's a, b)
    assert torch.all(backbone.norm1.weight == 1)
