"""Losses: MMSegmentation 1.2.2's CrossEntropyLoss and DiceLoss arguments and defaults, their rules, the union."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from typedseg.config.base import dotted_name
from typedseg.config.models.losses import (
    LOSS_TYPES,
    CrossEntropyLoss,
    DiceLoss,
    LossConfig,
    LossDecode,
    UserLoss,
)
from typedseg.problems import ConfigError, Path

LOSS = TypeAdapter(LossConfig)
DECODE = TypeAdapter(LossDecode)

# From mmseg/models/losses/cross_entropy_loss.py and dice_loss.py (__init__ defaults).
MMSEG_DEFAULTS: dict[str, dict[str, Any]] = {
    "CrossEntropyLoss": {
        "use_sigmoid": False,
        "use_mask": False,
        "reduction": "mean",
        "class_weight": None,
        "loss_weight": 1.0,
        "loss_name": "loss_ce",
        "avg_non_ignore": False,
    },
    "DiceLoss": {
        "use_sigmoid": True,
        "activate": True,
        "reduction": "mean",
        "naive_dice": False,
        "loss_weight": 1.0,
        "ignore_index": 255,
        "eps": 1e-3,
        "loss_name": "loss_dice",
    },
}


@pytest.mark.parametrize("type_", list(MMSEG_DEFAULTS))
def test_defaults_are_mmseg_defaults(type_: str) -> None:
    loss = LOSS.validate_python({"type": type_})
    assert type(loss).__name__ == type_
    assert list(type(loss).model_fields) == ["type", *MMSEG_DEFAULTS[type_]]
    assert {name: getattr(loss, name) for name in MMSEG_DEFAULTS[type_]} == MMSEG_DEFAULTS[type_]


def test_the_union_covers_every_loss() -> None:
    assert frozenset(MMSEG_DEFAULTS) == LOSS_TYPES


def test_class_weight_is_a_list_or_a_file() -> None:
    assert CrossEntropyLoss(class_weight=[0.8, 1, 1.2]).class_weight == (0.8, 1.0, 1.2)
    assert CrossEntropyLoss(class_weight="work/weights.npy").class_weight == "work/weights.npy"
    with pytest.raises(ValidationError):
        LOSS.validate_python({"type": "CrossEntropyLoss", "class_weight": 1.0})


def test_loss_decode_is_one_loss_or_a_list() -> None:
    one = DECODE.validate_python({"type": "CrossEntropyLoss", "loss_weight": 0.4})
    assert isinstance(one, CrossEntropyLoss)
    assert one.loss_weight == 0.4
    many = DECODE.validate_python(
        [{"type": "CrossEntropyLoss", "loss_name": "loss_ce"}, {"type": "DiceLoss", "loss_name": "loss_dice"}]
    )
    assert isinstance(many, tuple)
    assert [type(loss) for loss in many] == [CrossEntropyLoss, DiceLoss]


def test_errors_are_reported_once_against_the_written_form() -> None:
    with pytest.raises(ValidationError) as caught:
        DECODE.validate_python({"type": "CrossEntropyLoss", "los_weight": 1.0})
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [
        ("extra_forbidden", ("CrossEntropyLoss", "los_weight"))
    ]
    with pytest.raises(ValidationError) as caught:
        DECODE.validate_python([{"type": "CrossEntropyLoss"}, {"type": "DiceLos"}])
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [("union_tag_invalid", (1,))]


def test_strict_types() -> None:
    with pytest.raises(ValidationError):
        LOSS.validate_python({"type": "CrossEntropyLoss", "use_sigmoid": 0})
    with pytest.raises(ValidationError):
        LOSS.validate_python({"type": "DiceLoss", "reduction": "avg"})


def _problems(build: Callable[[], BaseModel]) -> list[tuple[str, Path]]:
    with pytest.raises(ConfigError) as caught:
        build()
    for problem in caught.value.problems:
        assert problem.message and problem.hint
    return [(p.code, p.path) for p in caught.value.problems]


RULES: list[tuple[str, Callable[[], BaseModel], list[tuple[str, Path]]]] = [
    (
        "sigmoid-and-mask",
        lambda: CrossEntropyLoss(use_sigmoid=True, use_mask=True),
        [("ce-sigmoid-and-mask", ("use_mask",))],
    ),
    (
        "mask-reduction",
        lambda: CrossEntropyLoss(use_mask=True, reduction="sum"),
        [("ce-mask-reduction", ("reduction",))],
    ),
    (
        "weight-file",
        lambda: CrossEntropyLoss(class_weight="weights.txt"),
        [("class-weight-file", ("class_weight",))],
    ),
    (
        "weight-negative",
        lambda: CrossEntropyLoss(class_weight=[1.0, -0.5]),
        [("class-weight-negative", ("class_weight",))],
    ),
]


@pytest.mark.parametrize(("build", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_rule_fires(build: Callable[[], BaseModel], expected: list[tuple[str, Path]]) -> None:
    assert _problems(build) == expected


def test_every_problem_is_reported() -> None:
    codes = [
        code
        for code, _ in _problems(lambda: CrossEntropyLoss(use_sigmoid=True, use_mask=True, reduction="none"))
    ]
    assert codes == ["ce-sigmoid-and-mask", "ce-mask-reduction"]


class FocalLoss(UserLoss):
    """A user's loss."""

    gamma: float = 2.0
    """Focusing parameter."""


def test_user_loss_by_dotted_path() -> None:
    loss = LOSS.validate_python({"type": dotted_name(FocalLoss), "gamma": 1.5})
    assert isinstance(loss, FocalLoss)
    assert loss.gamma == 1.5
    assert LOSS.validate_python(FocalLoss()) == FocalLoss()
    with pytest.raises(ValidationError):
        LOSS.validate_python({"type": dotted_name(CrossEntropyLoss)})
