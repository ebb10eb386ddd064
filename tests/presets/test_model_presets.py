"""Model presets: their parameters reach every part that depends on them, and the models they return are sound.

That their defaults equal MMSegmentation's `_base_/models/*.py` is shown against the real files in
tests/migrate/test_presets_match_mmseg.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

import pytest

from typedseg.config.models.backbones import ConvNeXt, MixVisionTransformer, ResNetV1c, UNet
from typedseg.config.models.common import BN, GN, PretrainedInit, SyncBN
from typedseg.config.models.heads import FCNHead, SegformerHead, UPerHead, _DecodeHead
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg
from typedseg.config.rules.model import check_model
from typedseg.presets import (
    CONVNEXT_CHECKPOINTS,
    MIT_CHECKPOINTS,
    deeplabv3_r50_d8,
    deeplabv3plus_r50_d8,
    fcn_r50_d8,
    fcn_unet_s5_d16,
    segformer_mit,
    segformer_mit_b0,
    segformer_mit_b1,
    segformer_mit_b2,
    upernet_convnext,
)
from typedseg.presets.models import ConvNeXtSize, MiTVariant

Preset = Callable[..., EncoderDecoder]
PRESETS: list[Preset] = [
    fcn_r50_d8,
    deeplabv3_r50_d8,
    deeplabv3plus_r50_d8,
    segformer_mit_b0,
    segformer_mit_b1,
    segformer_mit_b2,
    upernet_convnext,
    fcn_unet_s5_d16,
]


def backbone_init(model: EncoderDecoder) -> object:
    assert isinstance(model.backbone, (MixVisionTransformer, ConvNeXt))
    return model.backbone.init_cfg


def heads(model: EncoderDecoder) -> list[_DecodeHead]:
    found = [head for _, head in model.heads()]
    assert all(isinstance(head, _DecodeHead) for head in found)
    return found  # type: ignore[return-value]


def errors(model: EncoderDecoder) -> list[str]:
    return [f"{p.code}: {p.message}" for p in check_model(model) if p.is_error]


@pytest.mark.parametrize("preset", PRESETS)
def test_each_preset_is_a_sound_model(preset: Preset) -> None:
    model = preset()
    assert errors(model) == []
    assert preset() == model and preset() is not model  # a fresh, equal value on every call


@pytest.mark.parametrize("preset", PRESETS)
def test_num_classes_and_norm_reach_every_head(preset: Preset) -> None:
    model = preset(150, norm_cfg=GN(num_groups=32))
    assert {head.num_classes for head in heads(model)} == {150}
    assert {head.norm_cfg for head in heads(model)} == {GN(num_groups=32)}
    assert errors(model) == []


@pytest.mark.parametrize("preset", [fcn_r50_d8, deeplabv3_r50_d8, deeplabv3plus_r50_d8])
def test_resnet_presets_share_the_norm_with_their_backbone(preset: Preset) -> None:
    model = preset(norm_cfg=BN())
    assert isinstance(model.backbone, ResNetV1c)
    assert model.backbone.norm_cfg == BN()
    assert model.backbone.dilations == (1, 1, 2, 4) and model.backbone.strides == (1, 2, 1, 1)
    default = preset().backbone
    assert isinstance(default, ResNetV1c) and default.norm_cfg == SyncBN(requires_grad=True)


@pytest.mark.parametrize("preset", PRESETS)
def test_crop_size_is_the_preprocessor_padding(preset: Preset) -> None:
    model = preset(crop_size=(512, 1024))
    assert model.data_preprocessor is not None
    assert model.data_preprocessor.size == (512, 1024)
    assert model.data_preprocessor.mean == (123.675, 116.28, 103.53)
    assert model.data_preprocessor.bgr_to_rgb is True
    default = preset().data_preprocessor
    assert default is not None and default.size is None


@pytest.mark.parametrize("preset", PRESETS)
def test_test_cfg_is_a_parameter(preset: Preset) -> None:
    slide = ModelTestCfg(mode="slide", crop_size=(512, 512), stride=(341, 341))
    assert preset(test_cfg=slide).test_cfg == slide


def test_pretrained_weights_of_the_resnet_presets() -> None:
    assert fcn_r50_d8().pretrained == "open-mmlab://resnet50_v1c"
    assert fcn_r50_d8(pretrained="checkpoints/resnet50_v1c.pth").pretrained == "checkpoints/resnet50_v1c.pth"
    assert fcn_r50_d8(pretrained=None).pretrained is None


@pytest.mark.parametrize("variant", get_args(MiTVariant))
def test_segformer_heads_read_the_mit_stage_channels(variant: MiTVariant) -> None:
    model = segformer_mit(variant)
    assert isinstance(model.backbone, MixVisionTransformer) and isinstance(model.decode_head, SegformerHead)
    assert tuple(model.decode_head.in_channels) == model.backbone.out_channels()
    assert errors(model) == []


def test_segformer_checkpoint_is_the_backbone_init() -> None:
    assert backbone_init(segformer_mit_b0()) is None  # the base file trains from scratch
    model = segformer_mit_b1(checkpoint=MIT_CHECKPOINTS["b1"])
    assert backbone_init(model) == PretrainedInit(checkpoint=MIT_CHECKPOINTS["b1"])
    assert model.pretrained is None
    b2 = segformer_mit_b2().backbone
    assert isinstance(b2, MixVisionTransformer)
    assert (b2.embed_dims, tuple(b2.num_layers)) == (64, (3, 4, 6, 3))


@pytest.mark.parametrize("arch", get_args(ConvNeXtSize))
def test_upernet_heads_read_the_convnext_stage_channels(arch: ConvNeXtSize) -> None:
    model = upernet_convnext(arch=arch)
    backbone, decode, auxiliary = model.backbone, model.decode_head, model.auxiliary_head
    assert isinstance(backbone, ConvNeXt) and isinstance(decode, UPerHead) and isinstance(auxiliary, FCNHead)
    channels = backbone.out_channels()
    assert channels is not None
    assert tuple(decode.in_channels) == channels
    assert (auxiliary.in_index, auxiliary.in_channels) == (2, channels[2])
    assert errors(model) == []


def test_upernet_checkpoint_defaults_to_mmsegs_for_the_arch() -> None:
    for arch, checkpoint in CONVNEXT_CHECKPOINTS.items():
        assert backbone_init(upernet_convnext(arch=arch)) == PretrainedInit(
            checkpoint=checkpoint, prefix="backbone."
        )
    local = backbone_init(upernet_convnext(arch="tiny", checkpoint="checkpoints/convnext-tiny.pth"))
    assert local == PretrainedInit(checkpoint="checkpoints/convnext-tiny.pth", prefix="backbone.")


def test_unet_preset_slides_unless_told() -> None:
    model = fcn_unet_s5_d16()
    assert isinstance(model.backbone, UNet)
    assert model.test_cfg == ModelTestCfg(mode="slide", crop_size=256, stride=170)
    assert fcn_unet_s5_d16(test_cfg=ModelTestCfg()).test_cfg == ModelTestCfg(mode="whole")
    assert [head.in_index for head in heads(model)] == [4, 3]
