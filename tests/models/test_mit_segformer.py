"""MixVisionTransformer + SegformerHead (with CrossEntropy + naive Dice losses) against MMSegmentation 1.2.2:
a small seeded model for logits and losses, MiT-b0/b1/b2 SegFormers at real size for keys and shapes."""

import json
from typing import Any

import pytest
import torch

from tests.models.oracle import FIXTURES, check_model, load_fixture, signature
from typedseg.config.models.backbones import MixVisionTransformer
from typedseg.config.models.common import BN
from typedseg.config.models.heads import SegformerHead
from typedseg.config.models.losses import CrossEntropyLoss, DiceLoss
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg
from typedseg.models import build_model
from typedseg.presets.models import segformer_mit_b0, segformer_mit_b1, segformer_mit_b2

REAL = json.loads((FIXTURES / "mit_real.json").read_text())


def mit_segformer() -> EncoderDecoder:
    return EncoderDecoder(
        backbone=MixVisionTransformer(
            embed_dims=8,
            num_layers=(1, 2, 1, 1),
            num_heads=(1, 2, 3, 4),
            sr_ratios=(8, 4, 2, 1),
            mlp_ratio=2,
            drop_rate=0.1,
            attn_drop_rate=0.1,
            drop_path_rate=0.2,
        ),
        decode_head=SegformerHead(
            in_channels=(8, 16, 24, 32),
            in_index=(0, 1, 2, 3),
            channels=16,
            num_classes=4,
            norm_cfg=BN(),
            loss_decode=[CrossEntropyLoss(), DiceLoss(loss_weight=0.3, naive_dice=True)],
        ),
        test_cfg=ModelTestCfg(mode="whole"),
    )


def test_mit_segformer_matches_mmseg() -> None:
    check_model(build_model(mit_segformer(), init_weights=False), load_fixture("mit_segformer"))


@pytest.mark.parametrize(
    ("name", "preset"),
    [
        ("segformer_mit_b0", segformer_mit_b0),
        ("segformer_mit_b1", segformer_mit_b1),
        ("segformer_mit_b2", segformer_mit_b2),
    ],
)
def test_real_segformers_have_mmsegs_keys_and_shapes(name: str, preset: Any) -> None:
    with torch.device("meta"):
        model = build_model(preset(num_classes=19, norm_cfg=BN()), init_weights=False)
    assert sum(p.numel() for p in model.parameters()) == REAL[name]["params"]
    assert signature(model) == REAL[name]["sha256"]


def test_segformer_init_and_drop_path() -> None:
    torch.manual_seed(0)
    model = build_model(mit_segformer())
    backbone: Any = model.backbone
    block = backbone.layers[0][1][0]
    out_proj = block.attn.attn.out_proj
    assert abs(float(out_proj.weight.detach().std()) - 0.02) < 0.01 and torch.all(out_proj.bias == 0)
    assert torch.all(block.norm1.weight == 1)
    rates = [b.ffn.dropout_layer.drop_prob for stage in backbone.layers for b in stage[1]]
    assert rates == pytest.approx([0.0, 0.05, 0.1, 0.15, 0.2])
    model.train()
    x = torch.randn(2, 3, 32, 32)
    assert not torch.equal(model(x), model(x))  # dropout and drop-path are live while training
