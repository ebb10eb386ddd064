"""Decode heads: BaseDecodeHead's arguments and defaults on every head, each head's own, and MMSeg's asserts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from typedseg.config.base import dotted_name
from typedseg.config.models.heads import (
    HEAD_TYPES,
    ASPPHead,
    DepthwiseSeparableASPPHead,
    FCNHead,
    HeadConfig,
    OHEMPixelSampler,
    SegformerHead,
    UPerHead,
    UserHead,
)
from typedseg.config.models.losses import CrossEntropyLoss, DiceLoss
from typedseg.problems import ConfigError, Path

HEAD = TypeAdapter(HeadConfig)

# mmseg/models/decode_heads/decode_head.py: BaseDecodeHead.__init__ defaults.
BASE_DEFAULTS: dict[str, Any] = {
    "out_channels": None,
    "threshold": None,
    "dropout_ratio": 0.1,
    "conv_cfg": None,
    "norm_cfg": None,
    "act_cfg": {"type": "ReLU"},
    "in_index": -1,
    "input_transform": None,
    "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 1.0},
    "ignore_index": 255,
    "sampler": None,
    "align_corners": False,
    "init_cfg": {"type": "Normal", "std": 0.01, "override": {"name": "conv_seg"}},
}
SINGLE: dict[str, Any] = {"in_channels": 2048, "channels": 512, "num_classes": 19}
MULTI: dict[str, Any] = {
    "in_channels": [64, 128, 320, 512],
    "in_index": [0, 1, 2, 3],
    "channels": 256,
    "num_classes": 150,
}
# SegformerHead and UPerHead pass input_transform='multiple_select' themselves: it is not theirs to take, and
# MMSegmentation's in_index=-1 default fails their assert, so typedseg requires in_index.
MULTI_DEFAULTS = {k: v for k, v in BASE_DEFAULTS.items() if k not in ("in_index", "input_transform")}

# type -> (required arguments, the other __init__ arguments with their defaults)
MMSEG_ARGS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "FCNHead": (
        SINGLE,
        {**BASE_DEFAULTS, "num_convs": 2, "kernel_size": 3, "concat_input": True, "dilation": 1},
    ),
    "ASPPHead": (SINGLE, {**BASE_DEFAULTS, "dilations": (1, 6, 12, 18)}),
    "DepthwiseSeparableASPPHead": (
        {**SINGLE, "c1_in_channels": 256, "c1_channels": 48},
        {**BASE_DEFAULTS, "dilations": (1, 6, 12, 18)},
    ),
    "SegformerHead": (MULTI, {**MULTI_DEFAULTS, "interpolate_mode": "bilinear"}),
    "UPerHead": (MULTI, {**MULTI_DEFAULTS, "pool_scales": (1, 2, 3, 6)}),
}


def test_the_table_covers_every_head() -> None:
    assert frozenset(MMSEG_ARGS) == HEAD_TYPES


@pytest.mark.parametrize("type_", list(MMSEG_ARGS))
def test_arguments_and_defaults_are_mmsegs(type_: str) -> None:
    required, defaults = MMSEG_ARGS[type_]
    implicit = HEAD.validate_python({"type": type_, **required})
    explicit = HEAD.validate_python({"type": type_, **required, **defaults})
    assert type(implicit).__name__ == type_
    assert next(iter(type(implicit).model_fields)) == "type"
    assert set(type(implicit).model_fields) == {"type", *required, *defaults}
    for name in defaults:
        assert getattr(implicit, name) == getattr(explicit, name), name


def test_multi_map_heads_select_several_maps() -> None:
    head = SegformerHead(in_channels=[32, 64, 160, 256], in_index=[0, 1, 2, 3], channels=256, num_classes=19)
    assert head.input_transform == "multiple_select"
    assert head.indices() == (0, 1, 2, 3)
    assert head.input_channels() == (32, 64, 160, 256)
    with pytest.raises(ValidationError) as caught:
        HEAD.validate_python({"type": "UPerHead", **MULTI, "input_transform": "multiple_select"})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"
    with pytest.raises(ValidationError):  # one map is not a list
        HEAD.validate_python({"type": "UPerHead", **MULTI, "in_index": 3})


def test_losses_and_sampler() -> None:
    head = FCNHead(
        **SINGLE,
        loss_decode=[CrossEntropyLoss(loss_weight=1.0), DiceLoss(loss_weight=3.0)],
        sampler=OHEMPixelSampler(thresh=0.7, min_kept=100000),
    )
    assert [path for path, _ in head.losses()] == [("loss_decode", 0), ("loss_decode", 1)]
    assert FCNHead(**SINGLE).losses()[0][0] == ("loss_decode",)
    assert OHEMPixelSampler().min_kept == 100000
    assert OHEMPixelSampler().thresh is None
    with pytest.raises(ValidationError):
        HEAD.validate_python(
            {"type": "FCNHead", **SINGLE, "sampler": {"type": "OHEMPixelSampler", "min_kept": 1}}
        )


def test_binary_segmentation_with_a_threshold() -> None:
    head = FCNHead(
        **{**SINGLE, "num_classes": 2},
        out_channels=1,
        threshold=0.4,
        loss_decode=CrossEntropyLoss(use_sigmoid=True),
    )
    assert head.classes_out() == 1
    assert FCNHead(**SINGLE).classes_out() == 19


def _problems(build: Callable[[], BaseModel]) -> list[tuple[str, Path]]:
    with pytest.raises(ConfigError) as caught:
        build()
    for problem in caught.value.problems:
        assert problem.message
        assert problem.hint or problem.code == "invalid-value"  # pydantic's own errors carry no hint
    return [(p.code, p.path) for p in caught.value.problems]


RULES: list[tuple[str, Callable[[], BaseModel], list[tuple[str, Path]]]] = [
    (
        "single-given-lists",
        lambda: FCNHead(in_channels=[256, 512], in_index=[0, 1], channels=512, num_classes=19),
        [("head-input-single", ("in_channels",)), ("head-input-single", ("in_index",))],
    ),
    (
        "concat-given-ints",
        lambda: FCNHead(
            in_channels=512, in_index=1, channels=512, num_classes=19, input_transform="resize_concat"
        ),
        [("head-input-multiple", ("in_channels",)), ("head-input-multiple", ("in_index",))],
    ),
    (
        "concat-lengths",
        lambda: FCNHead(
            in_channels=[18, 36],
            in_index=[0, 1, 2],
            channels=64,
            num_classes=19,
            input_transform="resize_concat",
        ),
        [("head-input-length", ("in_channels",))],
    ),
    (
        "segformer-lengths",
        lambda: SegformerHead(in_channels=[32, 64, 160], in_index=[0, 1, 2, 3], channels=256, num_classes=19),
        [("head-input-length", ("in_channels",))],
    ),
    (
        "fcn-multiple-select",
        lambda: FCNHead(
            in_channels=[18, 36],
            in_index=[0, 1],
            channels=64,
            num_classes=19,
            input_transform="multiple_select",
        ),
        [("head-multiple-select", ("input_transform",))],
    ),
    (
        "out-channels",
        lambda: FCNHead(**SINGLE, out_channels=5),
        [("head-out-channels", ("out_channels",))],
    ),
    (
        "binary-many-classes",
        lambda: FCNHead(**SINGLE, out_channels=1, loss_decode=CrossEntropyLoss(use_sigmoid=True)),
        [("head-out-channels", ("out_channels",))],
    ),
    ("threshold-unused", lambda: FCNHead(**SINGLE, threshold=0.3), [("threshold-unused", ("threshold",))]),
    (
        "binary-softmax",
        lambda: FCNHead(**{**SINGLE, "num_classes": 2}, out_channels=1),
        [("binary-needs-sigmoid", ("loss_decode", "use_sigmoid"))],
    ),
    (
        "binary-softmax-in-list",
        lambda: FCNHead(
            **{**SINGLE, "num_classes": 2}, out_channels=1, loss_decode=[DiceLoss(), CrossEntropyLoss()]
        ),
        [("binary-needs-sigmoid", ("loss_decode", 1, "use_sigmoid"))],
    ),
    (
        "mask-ce",
        lambda: FCNHead(**SINGLE, loss_decode=CrossEntropyLoss(use_mask=True)),
        [("ce-mask-in-decode-head", ("loss_decode", "use_mask"))],
    ),
    (
        "fcn-no-convs",
        lambda: FCNHead(**SINGLE, num_convs=0),
        [("fcn-no-convs-channels", ("channels",))],
    ),
    (
        "fcn-no-convs-concat",
        lambda: FCNHead(
            in_channels=[18, 36, 72, 144],
            in_index=[0, 1, 2, 3],
            input_transform="resize_concat",
            channels=256,
            num_classes=19,
            num_convs=0,
        ),
        [("fcn-no-convs-channels", ("channels",))],
    ),
    (
        "c1-without-input",
        lambda: DepthwiseSeparableASPPHead(**SINGLE, c1_in_channels=0, c1_channels=48),
        [("c1-channels-without-input", ("c1_channels",))],
    ),
    ("aspp-empty", lambda: ASPPHead(**SINGLE, dilations=()), [("aspp-no-dilations", ("dilations",))]),
    ("uper-empty", lambda: UPerHead(**MULTI, pool_scales=()), [("uper-no-pool-scales", ("pool_scales",))]),
    ("dropout", lambda: FCNHead(**SINGLE, dropout_ratio=1.0), [("invalid-value", ("dropout_ratio",))]),
    (
        "num-classes",
        lambda: FCNHead(in_channels=64, channels=64, num_classes=0),
        [("invalid-value", ("num_classes",))],
    ),
]


@pytest.mark.parametrize(("build", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule_fires(build: Callable[[], BaseModel], expected: list[tuple[str, Path]]) -> None:
    assert _problems(build) == expected


def test_messages_carry_the_numbers() -> None:
    with pytest.raises(ConfigError) as caught:
        FCNHead(
            in_channels=[18, 36, 72, 144],
            in_index=[0, 1, 2, 3],
            input_transform="resize_concat",
            channels=256,
            num_classes=19,
            num_convs=0,
        )
    problem = caught.value.problems[0]
    assert "270 channels" in problem.message
    assert problem.hint == "Set channels=270, or num_convs=1."


def test_mmseg_corpus_heads_validate() -> None:
    hrnet_fcn = FCNHead(
        in_channels=[18, 36, 72, 144],
        in_index=(0, 1, 2, 3),
        channels=270,
        input_transform="resize_concat",
        kernel_size=1,
        num_convs=1,
        concat_input=False,
        num_classes=19,
    )
    assert hrnet_fcn.input_channels() == (18, 36, 72, 144)
    dice_and_ce = HEAD.validate_python(
        {
            "type": "FCNHead",
            **SINGLE,
            "loss_decode": [
                {"type": "CrossEntropyLoss", "loss_name": "loss_ce", "loss_weight": 1.0},
                {"type": "DiceLoss", "loss_name": "loss_dice", "loss_weight": 3.0},
            ],
        }
    )
    assert isinstance(dice_and_ce, FCNHead)
    assert isinstance(dice_and_ce.loss_decode, tuple)


class MyHead(UserHead):
    """A user's head."""

    num_classes: int = 19
    """Number of classes."""


def test_user_head_by_dotted_path() -> None:
    head = HEAD.validate_python({"type": dotted_name(MyHead), "num_classes": 5})
    assert isinstance(head, MyHead)
    assert head.num_classes == 5
