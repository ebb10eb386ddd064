"""Cross-component rules for `model` (an EncoderDecoder): what its parts must agree on.

MMSegmentation builds the backbone, neck and heads independently, so a head that reads the wrong backbone output,
or expects other channels, fails only in the first forward pass (a shape error far from the config line), and
some disagreements never fail at all: an auxiliary head with other classes, a class_weight per wrong class, a
DiceLoss ignoring another label than its head. These rules compare the parts before anything is built. Each
problem's path starts at the experiment root (`("model", "decode_head", "in_channels")`).

Checkpoints: typedseg never downloads. A URL (or a model-zoo name MMEngine would download) is a warning: `run`
asks for a local file.
"""

from __future__ import annotations

from collections.abc import Sequence

from typedseg.config.models.backbones._base import UserBackbone, _Backbone
from typedseg.config.models.common.init import checkpoints
from typedseg.config.models.heads._base import _DecodeHead
from typedseg.config.models.losses import CrossEntropyLoss, DiceLoss
from typedseg.config.models.segmentor import EncoderDecoder, as_hw
from typedseg.problems import Path, Problem

ROOT = "model"
REMOTE_PREFIXES = (
    "http://",
    "https://",
    "open-mmlab://",
    "openmmlab://",
    "torchvision://",
    "mmcls://",
    "modelzoo://",
    "pavi://",
    "s3://",
)
"""Checkpoint names MMEngine fetches from the network (URLs and model-zoo schemes)."""


def _at(*parts: str | int) -> Path:
    return (ROOT, *parts)


def _name(path: Path) -> str:
    """`("auxiliary_head", 1)` -> `auxiliary_head[1]`."""
    return "".join(f"[{p}]" if isinstance(p, int) else (p if i == 0 else f".{p}") for i, p in enumerate(path))


def check_model(model: EncoderDecoder) -> list[Problem]:
    """Every problem between the parts of `model`, with paths from the experiment root (`model.<part>...`)."""
    problems: list[Problem] = []
    heads = [(path, head) for path, head in model.heads() if isinstance(head, _DecodeHead)]
    problems.extend(_check_backbone(model))
    sources, source_name = _head_sources(model, problems)
    for path, head in heads:
        problems.extend(_check_head_inputs(path, head, sources, source_name))
        problems.extend(_check_losses(path, head))
    problems.extend(_check_heads_agree(heads))
    problems.extend(_check_inference(model))
    problems.extend(_check_preprocessor(model, heads))
    problems.extend(_check_checkpoints(model))
    return problems


# --- what the heads read -------------------------------------------------------------------------------


def _backbone_outputs(model: EncoderDecoder) -> tuple[int, ...] | None:
    backbone = model.backbone
    if isinstance(backbone, (_Backbone, UserBackbone)):
        return backbone.out_channels()
    return None


def _describe(part: object) -> str:
    describe = getattr(part, "describe", None)
    return str(describe()) if callable(describe) else type(part).__name__


def _head_sources(model: EncoderDecoder, problems: list[Problem]) -> tuple[tuple[int, ...] | None, str]:
    """Channels of each map the heads can select (the neck's outputs when there is one), and who gives them."""
    backbone_outputs = _backbone_outputs(model)
    neck = model.neck
    if neck is None:
        return backbone_outputs, _describe(model.backbone)
    expected = neck.input_channels()
    if expected is not None and backbone_outputs is not None:
        problems.extend(_check_neck(neck.type, expected, backbone_outputs, _describe(model.backbone)))
    return neck.output_channels(), _describe(neck)


def _check_neck(kind: str, expected: tuple[int, ...], outputs: tuple[int, ...], source: str) -> list[Problem]:
    if expected == outputs:
        return []
    return [
        Problem(
            "neck-in-channels",
            _at("neck", "in_channels"),
            f"{source} outputs {outputs}, but the neck's in_channels is {list(expected)}; {kind} takes "
            "every backbone output, in order.",
            f"Set in_channels={list(outputs)}.",
        )
    ]


def _check_head_inputs(
    path: Path, head: _DecodeHead, sources: tuple[int, ...] | None, source: str
) -> list[Problem]:
    """in_index within the outputs, and in_channels equal to the channels of the selected outputs."""
    if sources is None:
        return []
    problems: list[Problem] = []
    n = len(sources)
    indices, channels = head.indices(), head.input_channels()
    listed = not isinstance(head.in_index, int)
    expected: list[int] = []
    for k, index in enumerate(indices):
        if not -n <= index < n:
            where = _at(*path, "in_index", k) if listed else _at(*path, "in_index")
            problems.append(
                Problem(
                    "in-index-range",
                    where,
                    f"in_index {index} selects no output: {source} returns {n} outputs {sources}, "
                    f"so in_index goes from 0 to {n - 1} (or -{n} to -1).",
                    f"Use an in_index from 0 to {n - 1}.",
                )
            )
            return problems
        expected.append(sources[index])
    if len(channels) == len(indices) and tuple(channels) != tuple(expected):
        label = f"in_index={head.in_index}" if not listed else f"in_index={list(indices)}"
        if listed:
            detail = ", ".join(
                f"{index} is {want}" for index, want, got in zip(indices, expected, channels, strict=True)
            )
            message = (
                f"{source} outputs {sources}; {label} selects {tuple(expected)} ({detail}), "
                f"not {list(channels)}."
            )
        else:
            message = f"{source} outputs {sources}; {label} is {expected[0]}, not {channels[0]}."
        fix = list(expected) if listed else expected[0]
        problems.append(
            Problem(
                "in-channels-mismatch",
                _at(*path, "in_channels"),
                message,
                f"Set in_channels={fix}, or select other outputs with in_index.",
            )
        )
    low_level = head.low_level_channels()
    if low_level is not None and sources[0] != low_level:
        problems.append(
            Problem(
                "in-channels-mismatch",
                _at(*path, "c1_in_channels"),
                f"c1_in_channels is the channels of the low-level map, output 0: {source} outputs {sources}; "
                f"output 0 is {sources[0]}, not {low_level}.",
                f"Set c1_in_channels={sources[0]}.",
            )
        )
    return problems


def _check_backbone(model: EncoderDecoder) -> list[Problem]:
    backbone = model.backbone
    setting = backbone.pooling_setting() if isinstance(backbone, _Backbone) else None
    if isinstance(backbone, _Backbone) and setting is not None:
        return [
            Problem(
                "backbone-pooled-outputs",
                _at("backbone", setting),
                f"{setting}=True ({backbone.library()}'s default, for classification) pools each "
                f"{backbone.type} output to one vector per image; decode heads need feature maps.",
                f"Set {setting}=False.",
            )
        ]
    return []


# --- heads and losses -------------------------------------------------------------------------------------


def _check_losses(path: Path, head: _DecodeHead) -> list[Problem]:
    problems: list[Problem] = []
    out = head.classes_out()
    predicts = (
        f"{out} classes (num_classes={head.num_classes})"
        if head.out_channels in (None, head.num_classes)
        else f"{out} channel (out_channels={out})"
    )
    for loss_path, loss in head.losses():
        where = (*path, *loss_path)
        weights = loss.class_weight if isinstance(loss, CrossEntropyLoss) else None
        if weights is not None and not isinstance(weights, str) and len(weights) != out:
            problems.append(
                Problem(
                    "class-weight-length",
                    _at(*where, "class_weight"),
                    f"class_weight has {len(weights)} entries but {_name(path)} predicts {predicts}: the loss "
                    "needs one weight per output channel.",
                    f"Give {out} weights.",
                )
            )
        if isinstance(loss, DiceLoss) and loss.ignore_index != head.ignore_index:
            problems.append(
                Problem(
                    "loss-ignore-index-mismatch",
                    _at(*where, "ignore_index"),
                    f"this DiceLoss ignores {loss.ignore_index} but {_name(path)} ignores "
                    f"{head.ignore_index}: DiceLoss uses its own ignore_index, not the head's, so the two "
                    "losses disagree on which pixels count.",
                    f"Set ignore_index={head.ignore_index}.",
                )
            )
        name = getattr(loss, "loss_name", None)
        if isinstance(name, str) and "loss" not in name:
            problems.append(
                Problem(
                    "loss-name-not-in-graph",
                    _at(*where, "loss_name"),
                    f"loss_name '{name}' does not contain 'loss': MMEngine logs it but sums only the entries "
                    "whose name contains 'loss' into the loss it backpropagates, so this loss does not train.",
                    f"Name it 'loss_{name}' (or keep the name if it is meant to be logged only).",
                    severity="warning",
                )
            )
    return problems


def _check_heads_agree(heads: Sequence[tuple[Path, _DecodeHead]]) -> list[Problem]:
    """Auxiliary heads predict the decode head's classes and ignore its label."""
    if not heads or heads[0][0] != ("decode_head",):
        return []
    main = heads[0][1]
    problems: list[Problem] = []
    for path, head in heads[1:]:
        if head.num_classes != main.num_classes:
            problems.append(
                Problem(
                    "num-classes-mismatch",
                    _at(*path, "num_classes"),
                    f"{_name(path)} has num_classes={head.num_classes} but decode_head has "
                    f"{main.num_classes}: every head is trained on the same labels.",
                    f"Set num_classes={main.num_classes}.",
                )
            )
        if head.ignore_index != main.ignore_index:
            problems.append(
                Problem(
                    "ignore-index-mismatch",
                    _at(*path, "ignore_index"),
                    f"{_name(path)} ignores {head.ignore_index} but decode_head ignores {main.ignore_index}: "
                    "one of them trains on pixels the other treats as unlabeled.",
                    f"Set ignore_index={main.ignore_index}.",
                )
            )
    return problems


# --- inference and pre-processing ---------------------------------------------------------------------------


def _check_inference(model: EncoderDecoder) -> list[Problem]:
    test_cfg = model.test_cfg
    if test_cfg is None:
        return [
            Problem(
                "test-cfg-missing",
                _at("test_cfg"),
                "test_cfg is None: MMSegmentation's inference reads test_cfg.mode and fails, so validation "
                "and testing cannot run.",
                "Set test_cfg=dict(mode='whole') (or mode='slide' with crop_size and stride).",
                severity="warning",
            )
        ]
    problems: list[Problem] = []
    crop, stride = test_cfg.crop_hw(), test_cfg.stride_hw()
    if test_cfg.mode == "whole":
        unused = [name for name, value in (("crop_size", crop), ("stride", stride)) if value is not None]
        if unused:
            problems.append(
                Problem(
                    "test-cfg-unused",
                    _at("test_cfg", unused[0]),
                    f"{' and '.join(unused)} {'is' if len(unused) == 1 else 'are'} only used by slide "
                    "inference; with mode='whole' the image is processed at once.",
                    "Set mode='slide' to infer over crops, or remove them.",
                    severity="warning",
                )
            )
        return problems
    if crop is None:
        problems.append(
            Problem(
                "slide-crop-size-missing",
                _at("test_cfg", "crop_size"),
                "mode='slide' needs crop_size, the (height, width) of the windows.",
                "Set crop_size to the training crop size, e.g. crop_size=(512, 1024).",
            )
        )
    if stride is None:
        problems.append(
            Problem(
                "slide-stride-missing",
                _at("test_cfg", "stride"),
                "mode='slide' needs stride, the step between windows.",
                "Set stride to about two thirds of crop_size, e.g. stride=(341, 683) for (512, 1024).",
            )
        )
    if crop is not None and stride is not None and (stride[0] > crop[0] or stride[1] > crop[1]):
        problems.append(
            Problem(
                "slide-stride-too-large",
                _at("test_cfg", "stride"),
                f"stride {stride} is larger than crop_size {crop}: windows would leave gaps, and MMSegmentation "
                "asserts every pixel is covered.",
                f"Use a stride of at most {crop}, e.g. {(crop[0] * 2 // 3, crop[1] * 2 // 3)}.",
            )
        )
    backbone = model.backbone
    if isinstance(backbone, _Backbone) and crop is not None:
        problems.extend(_divisible(backbone, crop, _at("test_cfg", "crop_size"), "slide windows"))
    return problems


def _divisible(backbone: _Backbone, size: tuple[int, int], where: Path, what: str) -> list[Problem]:
    """Inputs of `size` fit a backbone that asserts their sides are divisible by its `input_divisor()`."""
    rate = backbone.input_divisor()
    if size[0] % rate == 0 and size[1] % rate == 0:
        return []
    fixed = (size[0] // rate * rate or rate, size[1] // rate * rate or rate)
    kind = backbone.type
    return [
        Problem(
            "unet-input-divisible",
            where,
            f"{what} of {size} are not divisible by {rate}, the {kind}'s total downsampling; "
            f"{backbone.library()}'s {kind} asserts its input is.",
            f"Use a multiple of {rate}, e.g. {fixed}.",
        )
    ]


def _check_preprocessor(model: EncoderDecoder, heads: Sequence[tuple[Path, _DecodeHead]]) -> list[Problem]:
    pre = model.data_preprocessor
    if pre is None:
        return [
            Problem(
                "data-preprocessor-missing",
                _at("data_preprocessor"),
                "no data_preprocessor: images are neither normalized nor padded into a batch (MMEngine's "
                "base pre-processor only moves them to the device).",
                "Set data_preprocessor=SegDataPreProcessor(mean=..., std=..., bgr_to_rgb=True, size=crop_size).",
                severity="warning",
            )
        ]
    problems: list[Problem] = []
    if pre.size is None and pre.size_divisor is None:
        problems.append(
            Problem(
                "preprocessor-pad-size-missing",
                _at("data_preprocessor", "size"),
                "neither size nor size_divisor is set: MMSegmentation pads every training batch with exactly one "
                "of them and asserts at the first training step.",
                "Set size to the training crop size, e.g. size=(512, 1024), or size_divisor=32.",
                severity="warning",
            )
        )
    if heads and heads[0][0] == ("decode_head",):
        ignore = heads[0][1].ignore_index
        if pre.seg_pad_val != ignore:
            problems.append(
                Problem(
                    "seg-pad-val-not-ignored",
                    _at("data_preprocessor", "seg_pad_val"),
                    f"padded label pixels get seg_pad_val={pre.seg_pad_val:g} but decode_head ignores "
                    f"{ignore}: padding would be trained on as a class.",
                    f"Set seg_pad_val={ignore}.",
                    severity="warning",
                )
            )
    backbone = model.backbone
    if isinstance(backbone, _Backbone) and pre.size is not None:
        problems.extend(_divisible(backbone, as_hw(pre.size), _at("data_preprocessor", "size"), "inputs"))
    return problems


# --- checkpoints ------------------------------------------------------------------------------------------------


def _is_remote(checkpoint: str) -> bool:
    return checkpoint.startswith(REMOTE_PREFIXES)


def _remote(where: Path, checkpoint: str) -> Problem:
    return Problem(
        "remote-checkpoint",
        where,
        f"checkpoint '{checkpoint}' is remote; typedseg never downloads anything, so training will need a "
        "local copy.",
        "Download it once and give its local path.",
        severity="warning",
    )


def _check_checkpoints(model: EncoderDecoder) -> list[Problem]:
    problems: list[Problem] = []
    backbone = model.backbone
    backbone_pretrained = getattr(backbone, "pretrained", None)
    backbone_init = getattr(backbone, "init_cfg", None)
    if model.pretrained is not None:
        if isinstance(backbone, _Backbone) and not backbone.takes_pretrained():
            problems.append(
                Problem(
                    "pretrained-unsupported",
                    _at("pretrained"),
                    f"MMSegmentation hands pretrained to the backbone, and {backbone.library()}'s "
                    f"{backbone.type} has no pretrained argument (TypeError).",
                    f"Use init_cfg=dict(type='Pretrained', checkpoint='{model.pretrained}', prefix='backbone.') "
                    "on the backbone.",
                )
            )
        elif backbone_pretrained is not None:
            problems.append(
                Problem(
                    "pretrained-twice",
                    _at("pretrained"),
                    f"both the model (pretrained='{model.pretrained}') and its backbone "
                    f"(pretrained='{backbone_pretrained}') set pretrained weights; MMSegmentation asserts one.",
                    "Keep one of them.",
                )
            )
        elif backbone_init:
            problems.append(
                Problem(
                    "pretrained-with-init-cfg",
                    _at("pretrained"),
                    "the model's pretrained becomes the backbone's pretrained, and the backbone also has an "
                    "init_cfg; MMSegmentation asserts that at most one is set.",
                    "Remove the model's pretrained, or list "
                    f"dict(type='Pretrained', checkpoint='{model.pretrained}') in the backbone's init_cfg instead.",
                )
            )
        if _is_remote(model.pretrained):
            problems.append(_remote(_at("pretrained"), model.pretrained))
    if isinstance(backbone_pretrained, str) and _is_remote(backbone_pretrained):
        problems.append(_remote(_at("backbone", "pretrained"), backbone_pretrained))
    parts: list[tuple[Path, object]] = [((), model), (("backbone",), backbone), (("neck",), model.neck)]
    parts.extend(model.heads())
    for path, part in parts:
        for below, checkpoint in checkpoints(getattr(part, "init_cfg", None)):
            if _is_remote(checkpoint):
                problems.append(_remote(_at(*path, "init_cfg", *below), checkpoint))
    return problems
