"""Model rules: the parts of an EncoderDecoder against each other, with paths from the experiment root."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from tests.config.models import base_model
from typedseg.config.models.backbones import UserBackbone
from typedseg.config.models.segmentor import EncoderDecoder, ModelConfig
from typedseg.config.rules.model import check_model
from typedseg.problems import Path, Problem

MODEL = TypeAdapter(ModelConfig)
PAD = {"size": (512, 1024)}


def build(data: dict[str, Any]) -> EncoderDecoder:
    model = MODEL.validate_python(data)
    assert isinstance(model, EncoderDecoder)
    return model


def fcn(**changes: Any) -> dict[str, Any]:
    """MMSeg's fcn_r50-d8 with a padding size (a complete config has one) and `changes` at the top level."""
    data = base_model("fcn_r50-d8")
    data["pretrained"] = None
    data["data_preprocessor"].update(PAD)
    data.update(changes)
    return data


def codes(problems: list[Problem]) -> list[tuple[str, Path]]:
    return [(p.code, p.path) for p in problems]


def errors(problems: list[Problem]) -> list[tuple[str, Path]]:
    return [(p.code, p.path) for p in problems if p.is_error]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, codes(problems)
    for problem in problems:
        assert problem.message and problem.hint
    return problems[0]


# --- MMSegmentation's base models ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "warnings"),
    [
        ("fcn_r50-d8", ["preprocessor-pad-size-missing", "remote-checkpoint"]),
        ("deeplabv3_r50-d8", ["preprocessor-pad-size-missing", "remote-checkpoint"]),
        ("deeplabv3plus_r50-d8", ["preprocessor-pad-size-missing", "remote-checkpoint"]),
        ("segformer_mit-b0", ["preprocessor-pad-size-missing"]),
        ("fcn_unet_s5-d16", ["preprocessor-pad-size-missing"]),
    ],
)
def test_mmseg_base_models_are_consistent(name: str, warnings: list[str]) -> None:
    problems = check_model(build(base_model(name)))
    assert errors(problems) == []
    assert sorted(p.code for p in problems) == warnings


def test_upernet_convnext_base_has_the_aux_channels_of_convnext_tiny() -> None:
    # _base_/models/upernet_convnext.py builds ConvNeXt-base but gives the auxiliary head 384 input channels
    # (ConvNeXt-tiny's stage 2); every derived config overrides it with 512.
    problems = check_model(build(base_model("upernet_convnext")))
    problem = only([p for p in problems if p.is_error])
    assert (problem.code, problem.path) == (
        "in-channels-mismatch",
        ("model", "auxiliary_head", "in_channels"),
    )
    assert (
        problem.message == "ConvNeXt arch 'base' outputs (128, 256, 512, 1024); in_index=2 is 512, not 384."
    )
    assert problem.hint.startswith("Set in_channels=512")
    remote = [p for p in problems if p.code == "remote-checkpoint"]
    assert codes(remote) == [("remote-checkpoint", ("model", "backbone", "init_cfg", "checkpoint"))]
    assert remote[0].severity == "warning"


def test_a_complete_fcn_is_clean() -> None:
    assert check_model(build(fcn())) == []


# --- heads against the backbone ----------------------------------------------------------------------


def test_in_channels_against_the_backbone_output() -> None:
    data = fcn()
    data["auxiliary_head"]["in_channels"] = 512
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == (
        "in-channels-mismatch",
        ("model", "auxiliary_head", "in_channels"),
    )
    assert (
        problem.message == "ResNetV1c depth 50 outputs (256, 512, 1024, 2048); in_index=2 is 1024, not 512."
    )
    assert problem.hint == "Set in_channels=1024, or select other outputs with in_index."


def test_negative_in_index_counts_from_the_end() -> None:
    data = fcn()
    data["decode_head"]["in_index"] = -1
    assert check_model(build(data)) == []
    data["decode_head"]["in_index"] = -2
    assert "in_index=-2 is 1024, not 2048" in only(check_model(build(data))).message


def test_in_index_past_the_outputs() -> None:
    data = fcn()
    data["decode_head"]["in_index"] = 4
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == ("in-index-range", ("model", "decode_head", "in_index"))
    assert "returns 4" in problem.message


def test_in_index_counts_only_the_backbones_out_indices() -> None:
    data = fcn()
    data["backbone"]["out_indices"] = (2, 3)
    data["decode_head"]["in_index"] = 1
    data["auxiliary_head"]["in_index"] = 0
    assert check_model(build(data)) == []
    data["decode_head"]["in_index"] = 3
    assert codes(check_model(build(data))) == [("in-index-range", ("model", "decode_head", "in_index"))]


def test_multi_input_heads_are_checked_per_input() -> None:
    data = base_model("segformer_mit-b0")
    data["data_preprocessor"].update(PAD)
    data["decode_head"]["in_channels"] = [64, 128, 320, 512]  # MiT-b2's, on a b0
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == ("in-channels-mismatch", ("model", "decode_head", "in_channels"))
    assert "(32, 64, 160, 256)" in problem.message
    assert problem.hint.startswith("Set in_channels=[32, 64, 160, 256]")
    data["decode_head"]["in_channels"] = [32, 64, 160, 256]
    data["decode_head"]["in_index"] = [0, 1, 2, 4]
    assert codes(check_model(build(data))) == [("in-index-range", ("model", "decode_head", "in_index", 3))]


def test_deeplabv3plus_low_level_channels() -> None:
    data = base_model("deeplabv3plus_r50-d8")
    data["pretrained"] = None
    data["data_preprocessor"].update(PAD)
    data["decode_head"]["c1_in_channels"] = 128
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == (
        "in-channels-mismatch",
        ("model", "decode_head", "c1_in_channels"),
    )
    assert "output 0 is 256, not 128" in problem.message


def test_heads_read_the_neck_when_there_is_one() -> None:
    neck = {"type": "FPN", "in_channels": [256, 512, 1024, 2048], "out_channels": 256, "num_outs": 4}
    data = fcn(neck=neck)
    data["decode_head"]["in_channels"] = 256
    data["auxiliary_head"]["in_channels"] = 512
    problem = only(check_model(build(data)))
    assert problem.path == ("model", "auxiliary_head", "in_channels")
    assert problem.message.startswith("FPN (out_channels=256, num_outs=4) outputs (256, 256, 256, 256)")
    data["neck"]["in_channels"] = [256, 512, 1024]
    data["neck"]["num_outs"] = 4
    data["auxiliary_head"]["in_channels"] = 256
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == ("neck-in-channels", ("model", "neck", "in_channels"))
    assert problem.hint == "Set in_channels=[256, 512, 1024, 2048]."


class Swin(UserBackbone):
    """A user's backbone that tells its outputs."""

    def out_channels(self) -> tuple[int, ...] | None:
        return (96, 192, 384, 768)


class Opaque(UserBackbone):
    """A user's backbone that does not."""


def test_user_backbones_are_checked_when_they_tell_their_outputs() -> None:
    data = fcn()
    data["backbone"] = Swin()
    problems = check_model(build(data))
    assert codes(problems) == [
        ("in-channels-mismatch", ("model", "decode_head", "in_channels")),
        ("in-channels-mismatch", ("model", "auxiliary_head", "in_channels")),
    ]
    assert problems[0].message.startswith("tests.config.test_model_rules.Swin outputs (96, 192, 384, 768)")
    data["backbone"] = Opaque()
    assert check_model(build(data)) == []


def test_convnext_must_return_feature_maps() -> None:
    data = base_model("upernet_convnext")
    data["data_preprocessor"].update(PAD)
    data["auxiliary_head"]["in_channels"] = 512
    del data["backbone"]["init_cfg"]
    assert check_model(build(data)) == []
    data["backbone"]["gap_before_final_norm"] = True
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == (
        "backbone-pooled-outputs",
        ("model", "backbone", "gap_before_final_norm"),
    )


# --- heads and losses against each other ---------------------------------------------------------------


def test_auxiliary_heads_predict_the_same_classes() -> None:
    data = fcn()
    data["auxiliary_head"]["num_classes"] = 21
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == (
        "num-classes-mismatch",
        ("model", "auxiliary_head", "num_classes"),
    )
    assert "num_classes=21" in problem.message and "19" in problem.message
    aux = data["auxiliary_head"]
    data["auxiliary_head"] = [{**aux, "num_classes": 19}, aux]
    assert codes(check_model(build(data))) == [
        ("num-classes-mismatch", ("model", "auxiliary_head", 1, "num_classes"))
    ]


def test_class_weight_has_one_entry_per_class() -> None:
    data = fcn()
    data["decode_head"]["loss_decode"]["class_weight"] = [1.0] * 18
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == (
        "class-weight-length",
        ("model", "decode_head", "loss_decode", "class_weight"),
    )
    assert "18 entries" in problem.message and "19 classes" in problem.message
    data["decode_head"]["loss_decode"] = [
        {"type": "CrossEntropyLoss", "class_weight": [1.0] * 19},
        {"type": "CrossEntropyLoss", "class_weight": [1.0] * 20, "loss_name": "loss_ce2"},
    ]
    assert codes(check_model(build(data))) == [
        ("class-weight-length", ("model", "decode_head", "loss_decode", 1, "class_weight"))
    ]
    data["decode_head"]["loss_decode"] = {"type": "CrossEntropyLoss", "class_weight": "weights.npy"}
    assert check_model(build(data)) == []


def test_binary_head_weights_its_single_channel() -> None:
    data = fcn()
    data["decode_head"].update(
        num_classes=2,
        out_channels=1,
        loss_decode={"type": "CrossEntropyLoss", "use_sigmoid": True, "class_weight": [1.0, 2.0]},
    )
    data["auxiliary_head"]["num_classes"] = 2
    problem = only(check_model(build(data)))
    assert problem.code == "class-weight-length"
    assert "1 channel (out_channels=1)" in problem.message


def test_heads_and_losses_ignore_the_same_label() -> None:
    data = fcn()
    data["auxiliary_head"]["ignore_index"] = 0
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == (
        "ignore-index-mismatch",
        ("model", "auxiliary_head", "ignore_index"),
    )
    data = fcn()
    data["decode_head"]["loss_decode"] = [
        {"type": "CrossEntropyLoss"},
        {"type": "DiceLoss", "ignore_index": 0},
    ]
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == (
        "loss-ignore-index-mismatch",
        ("model", "decode_head", "loss_decode", 1, "ignore_index"),
    )
    assert "ignores 0" in problem.message and "ignores 255" in problem.message


def test_a_loss_named_without_loss_is_not_trained() -> None:
    data = fcn()
    data["decode_head"]["loss_decode"]["loss_name"] = "ce"
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path, problem.severity) == (
        "loss-name-not-in-graph",
        ("model", "decode_head", "loss_decode", "loss_name"),
        "warning",
    )


# --- inference and pre-processing -----------------------------------------------------------------------


def test_slide_inference_needs_crop_size_and_stride() -> None:
    problems = check_model(build(fcn(test_cfg={"mode": "slide"})))
    assert codes(problems) == [
        ("slide-crop-size-missing", ("model", "test_cfg", "crop_size")),
        ("slide-stride-missing", ("model", "test_cfg", "stride")),
    ]
    assert (
        check_model(build(fcn(test_cfg={"mode": "slide", "crop_size": (512, 1024), "stride": (341, 683)})))
        == []
    )


def test_slide_stride_no_larger_than_the_window() -> None:
    problem = only(
        check_model(build(fcn(test_cfg={"mode": "slide", "crop_size": (512, 512), "stride": (341, 600)})))
    )
    assert (problem.code, problem.path) == ("slide-stride-too-large", ("model", "test_cfg", "stride"))
    assert "(341, 600)" in problem.message and "(512, 512)" in problem.message
    assert check_model(build(fcn(test_cfg={"mode": "slide", "crop_size": 512, "stride": 512}))) == []


def test_test_cfg_warnings() -> None:
    problem = only(check_model(build(fcn(test_cfg=None))))
    assert (problem.code, problem.severity) == ("test-cfg-missing", "warning")
    problem = only(check_model(build(fcn(test_cfg={"mode": "whole", "crop_size": (512, 512)}))))
    assert (problem.code, problem.path, problem.severity) == (
        "test-cfg-unused",
        ("model", "test_cfg", "crop_size"),
        "warning",
    )


def test_unet_inputs_divisible_by_its_downsampling() -> None:
    data = base_model("fcn_unet_s5-d16")
    data["data_preprocessor"].update(size=(128, 128))
    assert check_model(build(data)) == []
    data["test_cfg"]["crop_size"] = 250
    data["test_cfg"]["stride"] = 170
    data["data_preprocessor"]["size"] = (100, 128)
    assert codes(check_model(build(data))) == [
        ("unet-input-divisible", ("model", "test_cfg", "crop_size")),
        ("unet-input-divisible", ("model", "data_preprocessor", "size")),
    ]


def test_preprocessor_warnings() -> None:
    assert codes(check_model(build(fcn(data_preprocessor=None)))) == [
        ("data-preprocessor-missing", ("model", "data_preprocessor"))
    ]
    data = fcn()
    data["data_preprocessor"]["seg_pad_val"] = 0
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path, problem.severity) == (
        "seg-pad-val-not-ignored",
        ("model", "data_preprocessor", "seg_pad_val"),
        "warning",
    )


# --- checkpoints -----------------------------------------------------------------------------------------


def test_pretrained_with_a_backbone_init_cfg() -> None:
    data = fcn(pretrained="ckpt/r50.pth")
    assert check_model(build(data)) == []
    data["backbone"]["init_cfg"] = {"type": "Pretrained", "checkpoint": "ckpt/other.pth"}
    problem = only(check_model(build(data)))
    assert (problem.code, problem.path) == ("pretrained-with-init-cfg", ("model", "pretrained"))
    assert "ckpt/r50.pth" in problem.hint


def test_pretrained_on_model_and_backbone() -> None:
    data = fcn(pretrained="ckpt/r50.pth")
    data["backbone"]["pretrained"] = "ckpt/r50.pth"
    assert codes(check_model(build(data))) == [("pretrained-twice", ("model", "pretrained"))]


def test_convnext_takes_no_pretrained() -> None:
    data = base_model("upernet_convnext")
    data["data_preprocessor"].update(PAD)
    data["auxiliary_head"]["in_channels"] = 512
    data["backbone"]["init_cfg"] = {
        "type": "Pretrained",
        "checkpoint": "ckpt/convnext.pth",
        "prefix": "backbone.",
    }
    data["pretrained"] = "ckpt/convnext.pth"
    assert codes(check_model(build(data))) == [("pretrained-unsupported", ("model", "pretrained"))]


def test_remote_checkpoints_are_warnings_wherever_they_are() -> None:
    url = "https://download.openmmlab.com/x.pth"
    data = fcn(pretrained="open-mmlab://resnet50_v1c")
    data["decode_head"]["init_cfg"] = [
        {"type": "Normal", "std": 0.01, "override": {"name": "conv_seg"}},
        {"type": "Pretrained", "checkpoint": url},
    ]
    data["auxiliary_head"]["init_cfg"] = {
        "type": "Normal",
        "std": 0.01,
        "override": [{"name": "conv_seg"}, {"type": "Pretrained", "name": "convs", "checkpoint": url}],
    }
    data["init_cfg"] = {"type": "Pretrained", "checkpoint": "torchvision://resnet50"}
    problems = check_model(build(data))
    assert all(p.severity == "warning" and p.code == "remote-checkpoint" for p in problems)
    assert [p.path for p in problems] == [
        ("model", "pretrained"),
        ("model", "init_cfg", "checkpoint"),
        ("model", "decode_head", "init_cfg", 1, "checkpoint"),
        ("model", "auxiliary_head", "init_cfg", "override", 1, "checkpoint"),
    ]
    assert "open-mmlab://resnet50_v1c" in problems[0].message
    data = fcn()
    data["backbone"]["pretrained"] = "http://example.com/r50.pth"
    assert codes(check_model(build(data))) == [("remote-checkpoint", ("model", "backbone", "pretrained"))]


def test_every_problem_is_collected() -> None:
    data = fcn(test_cfg={"mode": "slide", "crop_size": (512, 512)})
    data["decode_head"]["in_channels"] = 1024
    data["auxiliary_head"]["num_classes"] = 20
    data["auxiliary_head"]["ignore_index"] = 0
    data["decode_head"]["loss_decode"]["class_weight"] = [1.0, 2.0]
    assert codes(check_model(build(data))) == [
        ("in-channels-mismatch", ("model", "decode_head", "in_channels")),
        ("class-weight-length", ("model", "decode_head", "loss_decode", "class_weight")),
        ("num-classes-mismatch", ("model", "auxiliary_head", "num_classes")),
        ("ignore-index-mismatch", ("model", "auxiliary_head", "ignore_index")),
        ("slide-stride-missing", ("model", "test_cfg", "stride")),
    ]
