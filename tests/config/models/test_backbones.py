"""Backbones: every constructor argument with MMSegmentation's (MMPretrain's) default, output channels, rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from typedseg.config.base import dotted_name
from typedseg.config.models.backbones import (
    BACKBONE_TYPES,
    DCN,
    MIT_ARCHS,
    BackboneConfig,
    ConvNeXt,
    ConvNeXtArch,
    DeconvModule,
    InterpUpsample,
    MixVisionTransformer,
    ResNet,
    ResNetPlugin,
    ResNetV1c,
    ResNetV1d,
    UNet,
    UserBackbone,
)
from typedseg.config.models.common import Conv2d, LN2d, PretrainedInit, SyncBN
from typedseg.problems import ConfigError, Path

BACKBONE = TypeAdapter(BackboneConfig)

RESNET_DEFAULTS: dict[str, Any] = {
    "in_channels": 3,
    "stem_channels": 64,
    "base_channels": 64,
    "num_stages": 4,
    "strides": (1, 2, 2, 2),
    "dilations": (1, 1, 1, 1),
    "out_indices": (0, 1, 2, 3),
    "style": "pytorch",
    "frozen_stages": -1,
    "conv_cfg": None,
    "norm_cfg": {"type": "BN", "requires_grad": True},
    "norm_eval": False,
    "dcn": None,
    "stage_with_dcn": (False, False, False, False),
    "plugins": None,
    "multi_grid": None,
    "contract_dilation": False,
    "with_cp": False,
    "zero_init_residual": True,
    "pretrained": None,
    "init_cfg": None,
}

# type -> (required arguments, the other __init__ arguments with their defaults), read from
# mmseg/models/backbones/{resnet,unet,mit}.py and mmpretrain/models/backbones/convnext.py.
MMSEG_ARGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "ResNet": ({"depth": 50}, {**RESNET_DEFAULTS, "deep_stem": False, "avg_down": False}),
    "ResNetV1c": ({"depth": 50}, RESNET_DEFAULTS),
    "ResNetV1d": ({"depth": 50}, RESNET_DEFAULTS),
    "UNet": (
        {},
        {
            "in_channels": 3,
            "base_channels": 64,
            "num_stages": 5,
            "strides": (1, 1, 1, 1, 1),
            "enc_num_convs": (2, 2, 2, 2, 2),
            "dec_num_convs": (2, 2, 2, 2),
            "downsamples": (True, True, True, True),
            "enc_dilations": (1, 1, 1, 1, 1),
            "dec_dilations": (1, 1, 1, 1),
            "with_cp": False,
            "conv_cfg": None,
            "norm_cfg": {"type": "BN"},
            "act_cfg": {"type": "ReLU"},
            "upsample_cfg": {"type": "InterpConv"},
            "norm_eval": False,
            "dcn": None,
            "plugins": None,
            "pretrained": None,
            "init_cfg": None,
        },
    ),
    "MixVisionTransformer": (
        {},
        {
            "in_channels": 3,
            "embed_dims": 64,
            "num_stages": 4,
            "num_layers": [3, 4, 6, 3],
            "num_heads": [1, 2, 4, 8],
            "patch_sizes": [7, 3, 3, 3],
            "strides": [4, 2, 2, 2],
            "sr_ratios": [8, 4, 2, 1],
            "out_indices": (0, 1, 2, 3),
            "mlp_ratio": 4,
            "qkv_bias": True,
            "drop_rate": 0.0,
            "attn_drop_rate": 0.0,
            "drop_path_rate": 0.0,
            "act_cfg": {"type": "GELU"},
            "norm_cfg": {"type": "LN", "eps": 1e-6},
            "pretrained": None,
            "init_cfg": None,
            "with_cp": False,
        },
    ),
    "ConvNeXt": (
        {},
        {
            "arch": "tiny",
            "in_channels": 3,
            "stem_patch_size": 4,
            "norm_cfg": {"type": "LN2d", "eps": 1e-6},
            "act_cfg": {"type": "GELU"},
            "linear_pw_conv": True,
            "use_grn": False,
            "drop_path_rate": 0.0,
            "layer_scale_init_value": 1e-6,
            "out_indices": -1,
            "frozen_stages": 0,
            "gap_before_final_norm": True,
            "with_cp": False,
            "init_cfg": [
                {"type": "TruncNormal", "layer": ["Conv2d", "Linear"], "std": 0.02, "bias": 0.0},
                {"type": "Constant", "layer": ["LayerNorm"], "val": 1.0, "bias": 0.0},
            ],
        },
    ),
}


def test_the_table_covers_every_backbone() -> None:
    assert frozenset(MMSEG_ARGS) == BACKBONE_TYPES


@pytest.mark.parametrize("type_", list(MMSEG_ARGS))
def test_arguments_and_defaults_are_mmsegs(type_: str) -> None:
    required, defaults = MMSEG_ARGS[type_]
    implicit = BACKBONE.validate_python({"type": type_, **required})
    explicit = BACKBONE.validate_python({"type": type_, **required, **defaults})
    assert type(implicit).__name__ == type_
    assert next(iter(type(implicit).model_fields)) == "type"
    assert set(type(implicit).model_fields) == {"type", *required, *defaults}
    for name in defaults:
        assert getattr(implicit, name) == getattr(explicit, name), name


def test_resnet_variants_fix_their_stem() -> None:
    assert (ResNet(depth=50).deep_stem, ResNet(depth=50).avg_down) == (False, False)
    assert (ResNetV1c(depth=50).deep_stem, ResNetV1c(depth=50).avg_down) == (True, False)
    assert (ResNetV1d(depth=50).deep_stem, ResNetV1d(depth=50).avg_down) == (True, True)
    with pytest.raises(ValidationError) as caught:  # MMSegmentation: "got multiple values for deep_stem"
        BACKBONE.validate_python({"type": "ResNetV1c", "depth": 50, "deep_stem": True})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


# --- output channels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backbone", "channels"),
    [
        (ResNetV1c(depth=50), (256, 512, 1024, 2048)),
        (ResNet(depth=101), (256, 512, 1024, 2048)),
        (ResNetV1d(depth=152), (256, 512, 1024, 2048)),
        (ResNet(depth=18), (64, 128, 256, 512)),
        (ResNet(depth=34, out_indices=(3,)), (512,)),
        (ResNetV1c(depth=101, out_indices=(1, 3)), (512, 2048)),
        (ResNetV1c(depth=50, base_channels=32), (128, 256, 512, 1024)),
        (
            ResNetV1c(depth=50, num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1), out_indices=(0, 2)),
            (256, 1024),
        ),
        (MixVisionTransformer(**MIT_ARCHS["b0"]), (32, 64, 160, 256)),  # type: ignore[arg-type]
        (MixVisionTransformer(**MIT_ARCHS["b2"]), (64, 128, 320, 512)),  # type: ignore[arg-type]
        (MixVisionTransformer(**MIT_ARCHS["b5"], out_indices=(3,)), (512,)),  # type: ignore[arg-type]
        (MixVisionTransformer(), (64, 128, 256, 512)),
        (ConvNeXt(arch="tiny", out_indices=[0, 1, 2, 3]), (96, 192, 384, 768)),
        (ConvNeXt(arch="base", out_indices=[0, 1, 2, 3]), (128, 256, 512, 1024)),
        (ConvNeXt(arch="large", out_indices=[0, 1, 2, 3]), (192, 384, 768, 1536)),
        (ConvNeXt(), (768,)),
        (ConvNeXt(arch="base", out_indices=[0, -1]), (128, 1024)),
        (ConvNeXt(arch=ConvNeXtArch(depths=[2, 2], channels=[32, 64]), out_indices=[0, 1]), (32, 64)),
        (UNet(), (1024, 512, 256, 128, 64)),
        (
            UNet(
                base_channels=32,
                num_stages=4,
                strides=(1,) * 4,
                enc_num_convs=(2,) * 4,
                enc_dilations=(1,) * 4,
                dec_num_convs=(2,) * 3,
                downsamples=(True,) * 3,
                dec_dilations=(1,) * 3,
            ),
            (256, 128, 64, 32),
        ),
    ],
)
def test_out_channels(backbone: Any, channels: tuple[int, ...]) -> None:
    assert backbone.out_channels() == channels
    assert backbone.num_outputs() == len(channels)


def test_descriptions_for_messages() -> None:
    assert ResNetV1c(depth=50).describe() == "ResNetV1c depth 50"
    assert ConvNeXt(arch="base").describe() == "ConvNeXt arch 'base'"
    assert "embed_dims=32" in MixVisionTransformer(**MIT_ARCHS["b0"]).describe()  # type: ignore[arg-type]


def test_unet_downsample_rate() -> None:
    assert UNet().downsample_rate() == 16
    strided = UNet(strides=(1, 2, 2, 1, 1), downsamples=(False, False, False, True))
    assert strided.downsample_rate() == 8


# --- rules -----------------------------------------------------------------------------------------


def _problems(build: Callable[[], BaseModel]) -> list[tuple[str, Path]]:
    with pytest.raises(ConfigError) as caught:
        build()
    for problem in caught.value.problems:
        assert problem.message
    return [(p.code, p.path) for p in caught.value.problems]


RULES: list[tuple[str, Callable[[], BaseModel], list[tuple[str, Path]]]] = [
    ("resnet-strides", lambda: ResNetV1c(depth=50, strides=(1, 2, 2)), [("stage-args-length", ("strides",))]),
    (
        "resnet-dilations",
        lambda: ResNetV1c(depth=50, num_stages=3, strides=(1, 2, 2), out_indices=(0, 1, 2)),
        [("stage-args-length", ("dilations",))],
    ),
    (
        "resnet-out-index",
        lambda: ResNetV1c(depth=50, out_indices=(0, 4)),
        [("out-indices-range", ("out_indices", 1))],
    ),
    (
        "resnet-out-negative",
        lambda: ResNet(depth=18, out_indices=(-1,)),
        [("out-indices-range", ("out_indices", 0))],
    ),
    (
        "resnet-out-order",
        lambda: ResNet(depth=50, out_indices=(3, 2)),
        [("out-indices-order", ("out_indices",))],
    ),
    (
        "resnet-out-repeat",
        lambda: ResNet(depth=50, out_indices=(2, 2)),
        [("out-indices-order", ("out_indices",))],
    ),
    (
        "resnet-frozen",
        lambda: ResNetV1c(depth=50, frozen_stages=5),
        [("frozen-stages-range", ("frozen_stages",))],
    ),
    ("resnet-num-stages", lambda: ResNet(depth=50, num_stages=5), [("invalid-value", ("num_stages",))]),
    ("resnet-depth", lambda: ResNet(depth=42), [("invalid-value", ("depth",))]),  # type: ignore[arg-type]
    (
        "resnet-dcn-stages",
        lambda: ResNet(depth=50, dcn=DCN(type="DCNv2"), stage_with_dcn=(False, True, True)),
        [("stage-args-length", ("stage_with_dcn",))],
    ),
    (
        "resnet-dcn-unused",
        lambda: ResNet(depth=50, stage_with_dcn=(False, True, True, True)),
        [("stage-with-dcn-unused", ("stage_with_dcn",))],
    ),
    (
        "resnet-dcn-conv",
        lambda: ResNet(depth=50, dcn=DCN(), conv_cfg=Conv2d()),
        [("dcn-with-conv-cfg", ("conv_cfg",))],
    ),
    (
        "resnet-basic-dcn",
        lambda: ResNet(depth=18, dcn=DCN()),
        [("basic-block-unsupported", ("dcn",))],
    ),
    (
        "resnet-plugin-stages",
        lambda: ResNet(
            depth=50,
            plugins=[
                ResNetPlugin(cfg={"type": "ContextBlock"}, position="after_conv3", stages=(True, False))
            ],
        ),
        [("stage-args-length", ("plugins", 0, "stages"))],
    ),
    (
        "resnet-multi-grid",
        lambda: ResNetV1c(depth=101, multi_grid=(1, 2)),
        [("multi-grid-length", ("multi_grid",))],
    ),
    (
        "resnet-pretrained-init",
        lambda: ResNetV1c(depth=50, pretrained="r50.pth", init_cfg=PretrainedInit(checkpoint="x.pth")),
        [("pretrained-with-init-cfg", ("pretrained",))],
    ),
    (
        "plugin-type",
        lambda: ResNetPlugin(cfg={"ratio": 0.25}, position="after_conv3"),
        [("missing", ("cfg", "type"))],
    ),
    ("unet-strides", lambda: UNet(strides=(1, 1, 1, 1)), [("stage-args-length", ("strides",))]),
    (
        "unet-decoder",
        lambda: UNet(dec_num_convs=(2, 2, 2, 2, 2)),
        [("stage-args-length", ("dec_num_convs",))],
    ),
    ("unet-stride-value", lambda: UNet(strides=(1, 3, 1, 1, 1)), [("invalid-value", ("strides", 1))]),  # type: ignore[arg-type]
    ("unet-dcn", lambda: UNet(dcn=True), [("invalid-value", ("dcn",))]),  # type: ignore[arg-type]
    (
        "deconv-kernel",
        lambda: DeconvModule(kernel_size=3, scale_factor=2),
        [("deconv-kernel", ("kernel_size",))],
    ),
    ("upsample-neither", InterpUpsample, [("upsample-size-or-scale", ("scale_factor",))]),
    (
        "upsample-align",
        lambda: InterpUpsample(scale_factor=2.0, align_corners=False),
        [("upsample-align-corners", ("align_corners",))],
    ),
    (
        "mit-lengths",
        lambda: MixVisionTransformer(num_heads=[1, 2, 5]),
        [("stage-args-length", ("num_heads",))],
    ),
    (
        "mit-out",
        lambda: MixVisionTransformer(out_indices=(0, 4)),
        [("out-indices-range", ("out_indices", 1))],
    ),
    (
        "mit-drop-path",
        lambda: MixVisionTransformer(drop_path_rate=1.0),
        [("invalid-value", ("drop_path_rate",))],
    ),
    ("convnext-arch", lambda: ConvNeXt(arch="medium"), [("invalid-value", ("arch",))]),  # type: ignore[arg-type]
    ("convnext-out", lambda: ConvNeXt(out_indices=[0, 4]), [("out-indices-range", ("out_indices", 1))]),
    ("convnext-out-negative", lambda: ConvNeXt(out_indices=-5), [("out-indices-range", ("out_indices",))]),
    (
        "convnext-out-short-arch",
        lambda: ConvNeXt(arch=ConvNeXtArch(depths=[2, 2], channels=[32, 64])),
        [("out-indices-range", ("out_indices",))],
    ),
    ("convnext-out-order", lambda: ConvNeXt(out_indices=[-1, 0]), [("out-indices-order", ("out_indices",))]),
    ("convnext-frozen", lambda: ConvNeXt(frozen_stages=5), [("frozen-stages-range", ("frozen_stages",))]),
    ("convnext-norm", lambda: ConvNeXt(norm_cfg=SyncBN()), [("convnext-norm", ("norm_cfg",))]),
    (
        "convnext-arch-lengths",
        lambda: ConvNeXtArch(depths=[3, 3, 9], channels=[96, 192, 384, 768]),
        [("stage-args-length", ("channels",))],
    ),
]


@pytest.mark.parametrize(("build", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule_fires(build: Callable[[], BaseModel], expected: list[tuple[str, Path]]) -> None:
    assert _problems(build) == expected


def test_messages_carry_the_numbers() -> None:
    with pytest.raises(ConfigError) as caught:
        ResNetV1c(depth=101, multi_grid=(1, 2))
    message = caught.value.problems[0].message
    assert "2 dilations" in message and "3 blocks" in message
    with pytest.raises(ConfigError) as caught:
        ResNet(depth=50, out_indices=(3, 1))
    assert caught.value.problems[0].hint == "Write out_indices=[1, 3]."


def test_every_problem_is_reported() -> None:
    codes = [
        code
        for code, _ in _problems(
            lambda: ResNetV1c(depth=50, strides=(1, 2), out_indices=(0, 7), frozen_stages=9, multi_grid=(1,))
        )
    ]
    assert codes == ["stage-args-length", "out-indices-range", "frozen-stages-range", "multi-grid-length"]


def test_mmseg_corpus_settings_validate() -> None:
    d8 = ResNetV1c(depth=101, dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1), multi_grid=(1, 2, 4))
    assert d8.multi_grid == (1, 2, 4)
    dcn = ResNet(depth=50, dcn=DCN(type="DCNv2", deform_groups=1), stage_with_dcn=(False, True, True, True))
    assert dcn.dcn is not None and dcn.dcn.type == "DCNv2"
    v2 = ConvNeXt(arch="atto", use_grn=True, layer_scale_init_value=0.0, norm_cfg=LN2d(eps=1e-6))
    assert v2.out_channels() == (320,)
    deconv = UNet(upsample_cfg={"type": "DeconvModule", "kernel_size": 4, "scale_factor": 2})  # type: ignore[arg-type]
    assert isinstance(deconv.upsample_cfg, DeconvModule)


class SwinLike(UserBackbone):
    """A user's backbone that tells typedseg its outputs."""

    embed_dims: int = 96
    """Channels of the first stage."""

    def out_channels(self) -> tuple[int, ...] | None:
        return tuple(self.embed_dims * 2**i for i in range(4))


def test_user_backbone_by_dotted_path_reports_its_outputs() -> None:
    backbone = BACKBONE.validate_python({"type": dotted_name(SwinLike), "embed_dims": 128})
    assert isinstance(backbone, SwinLike)
    assert backbone.out_channels() == (128, 256, 512, 1024)
    assert backbone.num_outputs() == 4
    with pytest.raises(ValidationError) as caught:
        BACKBONE.validate_python({"type": "ResNet50", "depth": 50})
    assert caught.value.errors()[0]["type"] == "union_tag_invalid"
