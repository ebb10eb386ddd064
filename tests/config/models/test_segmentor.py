"""Segmentor: EncoderDecoder, SegDataPreProcessor, FPN, SegTTAModel defaults and rules; MMSeg's base models."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from tests.config.models import BASE_MODEL_NAMES, DATA_PREPROCESSOR, base_model
from typedseg.config.base import dotted_name
from typedseg.config.models.backbones import ConvNeXt, MixVisionTransformer, ResNetV1c, UNet
from typedseg.config.models.heads import DepthwiseSeparableASPPHead, FCNHead, SegformerHead, UPerHead
from typedseg.config.models.necks import FPN
from typedseg.config.models.segmentor import (
    MODEL_TYPES,
    EncoderDecoder,
    ModelConfig,
    ModelTestCfg,
    PreprocessorTestCfg,
    SegDataPreProcessor,
    SegTTAModel,
    UserModel,
    as_hw,
)
from typedseg.problems import ConfigError, Path

MODEL = TypeAdapter(ModelConfig)
R50 = {"type": "ResNetV1c", "depth": 50}
FCN = {"type": "FCNHead", "in_channels": 2048, "in_index": 3, "channels": 512, "num_classes": 19}

# type -> (required arguments, the other __init__ arguments with their defaults)
MMSEG_ARGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # mmseg/models/segmentors/encoder_decoder.py
    "EncoderDecoder": (
        {"backbone": R50, "decode_head": FCN},
        {
            "neck": None,
            "auxiliary_head": None,
            "train_cfg": None,
            "test_cfg": None,
            "data_preprocessor": None,
            "pretrained": None,
            "init_cfg": None,
        },
    ),
    # mmseg/models/data_preprocessor.py
    "SegDataPreProcessor": (
        {},
        {
            "mean": None,
            "std": None,
            "size": None,
            "size_divisor": None,
            "pad_val": 0,
            "seg_pad_val": 255,
            "bgr_to_rgb": False,
            "rgb_to_bgr": False,
            "batch_augments": None,
            "test_cfg": None,
        },
    ),
    # mmseg/models/necks/fpn.py
    "FPN": (
        {"in_channels": [256, 512, 1024, 2048], "out_channels": 256, "num_outs": 4},
        {
            "start_level": 0,
            "end_level": -1,
            "add_extra_convs": False,
            "extra_convs_on_inputs": False,
            "relu_before_extra_convs": False,
            "no_norm_on_lateral": False,
            "conv_cfg": None,
            "norm_cfg": None,
            "act_cfg": None,
            "upsample_cfg": {"mode": "nearest"},
            "init_cfg": {"type": "Xavier", "layer": "Conv2d", "distribution": "uniform"},
        },
    ),
    # mmengine/model/test_time_aug.py (BaseTTAModel), mmseg/models/segmentors/seg_tta.py
    "SegTTAModel": ({}, {"module": None, "data_preprocessor": None}),
}
CLASSES: dict[str, type[BaseModel]] = {
    "EncoderDecoder": EncoderDecoder,
    "SegDataPreProcessor": SegDataPreProcessor,
    "FPN": FPN,
    "SegTTAModel": SegTTAModel,
}


@pytest.mark.parametrize("type_", list(MMSEG_ARGS))
def test_arguments_and_defaults_are_mmsegs(type_: str) -> None:
    required, defaults = MMSEG_ARGS[type_]
    cls = CLASSES[type_]
    implicit = cls.model_validate(required)
    explicit = cls.model_validate({**required, **defaults})
    assert getattr(implicit, "type", None) == type_
    assert next(iter(cls.model_fields)) == "type"
    assert set(cls.model_fields) == {"type", *required, *defaults}
    for name in defaults:
        assert getattr(implicit, name) == getattr(explicit, name), name


def test_model_union() -> None:
    assert frozenset({"EncoderDecoder"}) == MODEL_TYPES
    model = MODEL.validate_python({"type": "EncoderDecoder", "backbone": R50, "decode_head": FCN})
    assert isinstance(model, EncoderDecoder)
    assert isinstance(model.backbone, ResNetV1c)
    assert isinstance(model.decode_head, FCNHead)
    with pytest.raises(ValidationError) as caught:
        MODEL.validate_python({"type": "EncoderDecoderr", "backbone": R50, "decode_head": FCN})
    assert caught.value.errors()[0]["type"] == "union_tag_invalid"


# --- MMSegmentation's _base_/models ----------------------------------------------------------------


@pytest.mark.parametrize("name", BASE_MODEL_NAMES)
def test_mmseg_base_models_validate(name: str) -> None:
    model = MODEL.validate_python(base_model(name))
    assert isinstance(model, EncoderDecoder)
    assert model.data_preprocessor is not None
    assert model.data_preprocessor.mean == (123.675, 116.28, 103.53)
    assert model.train_cfg is not None
    assert model.test_cfg is not None


@pytest.mark.parametrize("name", BASE_MODEL_NAMES)
def test_mmseg_base_models_round_trip_through_json(name: str) -> None:
    model = MODEL.validate_python(base_model(name))
    dumped = json.dumps(MODEL.dump_python(model, mode="json"))
    assert MODEL.validate_json(dumped) == model
    assert MODEL.validate_json(json.dumps(base_model(name))) == model


def test_mmseg_base_models_parts() -> None:
    fcn = MODEL.validate_python(base_model("fcn_r50-d8"))
    assert isinstance(fcn, EncoderDecoder)
    assert isinstance(fcn.backbone, ResNetV1c)
    assert fcn.backbone.out_channels() == (256, 512, 1024, 2048)
    assert fcn.backbone.norm_cfg.type == "SyncBN"
    assert isinstance(fcn.auxiliary_head, FCNHead)
    assert fcn.auxiliary_head.loss_decode == MODEL_LOSS_04
    plus = MODEL.validate_python(base_model("deeplabv3plus_r50-d8"))
    assert isinstance(plus, EncoderDecoder)
    assert isinstance(plus.decode_head, DepthwiseSeparableASPPHead)
    assert plus.decode_head.dilations == (1, 12, 24, 36)
    segformer = MODEL.validate_python(base_model("segformer_mit-b0"))
    assert isinstance(segformer, EncoderDecoder)
    assert isinstance(segformer.backbone, MixVisionTransformer)
    assert isinstance(segformer.decode_head, SegformerHead)
    assert segformer.backbone.out_channels() == segformer.decode_head.input_channels()
    upernet = MODEL.validate_python(base_model("upernet_convnext"))
    assert isinstance(upernet, EncoderDecoder)
    assert isinstance(upernet.backbone, ConvNeXt)
    assert isinstance(upernet.decode_head, UPerHead)
    assert upernet.backbone.out_channels() == (128, 256, 512, 1024)
    unet = MODEL.validate_python(base_model("fcn_unet_s5-d16"))
    assert isinstance(unet, EncoderDecoder)
    assert isinstance(unet.backbone, UNet)
    assert unet.test_cfg is not None
    assert (unet.test_cfg.crop_hw(), unet.test_cfg.stride_hw()) == ((256, 256), (170, 170))


MODEL_LOSS_04 = FCNHead.model_validate(
    {**FCN, "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 0.4}}
).loss_decode


def test_auxiliary_heads_keep_their_form() -> None:
    aux = {"type": "FCNHead", "in_channels": 1024, "in_index": 2, "channels": 256, "num_classes": 19}
    one = EncoderDecoder.model_validate({"backbone": R50, "decode_head": FCN, "auxiliary_head": aux})
    many = EncoderDecoder.model_validate({"backbone": R50, "decode_head": FCN, "auxiliary_head": [aux, aux]})
    assert isinstance(one.auxiliary_head, FCNHead)  # losses logged as aux.*
    assert isinstance(many.auxiliary_head, tuple)  # losses logged as aux_0.*, aux_1.*
    assert [path for path, _ in one.heads()] == [("decode_head",), ("auxiliary_head",)]
    assert [path for path, _ in many.heads()] == [
        ("decode_head",),
        ("auxiliary_head", 0),
        ("auxiliary_head", 1),
    ]


def test_test_cfg_sizes() -> None:
    assert ModelTestCfg().mode == "whole"
    slide = ModelTestCfg(mode="slide", crop_size=(512, 1024), stride=(341, 683))
    assert (slide.crop_hw(), slide.stride_hw()) == ((512, 1024), (341, 683))
    assert as_hw(256) == (256, 256)
    with pytest.raises(ValidationError):
        ModelTestCfg.model_validate({"mode": "slide_flip"})  # DepthEstimator's mode, not EncoderDecoder's
    with pytest.raises(ValidationError) as caught:
        EncoderDecoder.model_validate({"backbone": R50, "decode_head": FCN, "train_cfg": {"sampler": None}})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_preprocessor_in_yaml_form() -> None:
    pre = SegDataPreProcessor.model_validate_json(json.dumps({**DATA_PREPROCESSOR, "size": [512, 1024]}))
    assert pre.size == (512, 1024)
    assert SegDataPreProcessor(test_cfg=PreprocessorTestCfg(size_divisor=32)).test_cfg is not None


def test_fpn_outputs() -> None:
    fpn = FPN(in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=4)
    assert fpn.output_channels() == (256, 256, 256, 256)
    assert FPN(in_channels=[256, 512], out_channels=128, num_outs=3, add_extra_convs="on_input").num_outs == 3


# --- rules -----------------------------------------------------------------------------------------


def _problems(build: Callable[[], BaseModel]) -> list[tuple[str, Path]]:
    with pytest.raises(ConfigError) as caught:
        build()
    for problem in caught.value.problems:
        assert problem.message and problem.hint
    return [(p.code, p.path) for p in caught.value.problems]


RULES: list[tuple[str, Callable[[], BaseModel], list[tuple[str, Path]]]] = [
    (
        "both-conversions",
        lambda: SegDataPreProcessor(bgr_to_rgb=True, rgb_to_bgr=True),
        [("color-conversion-both", ("rgb_to_bgr",))],
    ),
    ("mean-only", lambda: SegDataPreProcessor(mean=[0.5, 0.5, 0.5]), [("normalize-needs-std", ("std",))]),
    ("std-only", lambda: SegDataPreProcessor(std=[0.5, 0.5, 0.5]), [("std-without-mean", ("std",))]),
    (
        "mean-std-length",
        lambda: SegDataPreProcessor(mean=[0.5, 0.5, 0.5], std=[0.5]),
        [("mean-std-length", ("std",))],
    ),
    (
        "std-zero",
        lambda: SegDataPreProcessor(mean=[0.5, 0.5, 0.5], std=[0.5, 0.0, 0.5]),
        [("std-not-positive", ("std",))],
    ),
    (
        "size-and-divisor",
        lambda: SegDataPreProcessor(size=(512, 512), size_divisor=32),
        [("pad-size-conflict", ("size_divisor",))],
    ),
    (
        "batch-augments",
        lambda: SegDataPreProcessor(batch_augments=[{"type": "Mixup"}]),
        [("batch-augments-unsupported", ("batch_augments",))],
    ),
    ("test-pad-neither", PreprocessorTestCfg, [("pad-size-missing", ("size",))]),
    (
        "test-pad-both",
        lambda: PreprocessorTestCfg(size=(512, 512), size_divisor=32),
        [("pad-size-conflict", ("size_divisor",))],
    ),
    (
        "fpn-num-outs",
        lambda: FPN(in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=3),
        [("fpn-levels", ("num_outs",))],
    ),
    (
        "fpn-end-level",
        lambda: FPN(
            in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=4, start_level=1, end_level=3
        ),
        [("fpn-levels", ("num_outs",))],
    ),
    (
        "fpn-start-level",
        lambda: FPN(in_channels=[256, 512], out_channels=256, num_outs=4, start_level=2),
        [("fpn-levels", ("start_level",))],
    ),
    (
        "tta-two-preprocessors",
        lambda: SegTTAModel(
            module=EncoderDecoder.model_validate(
                {"backbone": R50, "decode_head": FCN, "data_preprocessor": DATA_PREPROCESSOR}
            ),
            data_preprocessor=SegDataPreProcessor(),
        ),
        [("tta-preprocessor-ignored", ("data_preprocessor",))],
    ),
]


@pytest.mark.parametrize(("build", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule_fires(build: Callable[[], BaseModel], expected: list[tuple[str, Path]]) -> None:
    assert _problems(build) == expected


def test_tta_wraps_the_experiments_model_by_default() -> None:
    tta = SegTTAModel.model_validate({"type": "SegTTAModel"})
    assert tta.module is None
    wrapped = SegTTAModel.model_validate(
        {"module": {"type": "EncoderDecoder", "backbone": R50, "decode_head": FCN}}
    )
    assert isinstance(wrapped.module, EncoderDecoder)


class MySegmentor(UserModel):
    """A user's own segmentor."""

    num_classes: int = 19
    """Number of classes."""


def test_user_model_by_dotted_path() -> None:
    model = MODEL.validate_python({"type": dotted_name(MySegmentor), "num_classes": 2})
    assert isinstance(model, MySegmentor)
    assert model.num_classes == 2
    with pytest.raises(ValidationError):
        MODEL.validate_python({"type": dotted_name(EncoderDecoder)})
