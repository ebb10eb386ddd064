"""Cross-field optimizer rules: each fires with its code and the path of the setting to change."""

from __future__ import annotations

from typing import Literal

import pytest

from typedseg.config.optim import (
    AmpOptimWrapper,
    CustomKeyConfig,
    OptimWrapper,
    OptimWrapperConstructor,
    ParamwiseConfig,
)
from typedseg.config.optimizers import LBFGS, SGD, AdamW, UserOptimizer
from typedseg.config.rules.optim import check_optim, check_optim_runtime
from typedseg.problems import Problem

PW = ("optim_wrapper", "paramwise_cfg")
LR_DECAY: OptimWrapperConstructor = "LearningRateDecayOptimizerConstructor"
LAYER_DECAY: OptimWrapperConstructor = "LayerDecayOptimizerConstructor"
Dtype = Literal["float16", "bfloat16", "float32", "float64"]


class NoDecayOptimizer(UserOptimizer):
    """A user optimizer that declares no weight decay."""


def _codes(problems: list[Problem]) -> list[tuple[str, tuple[str | int, ...]]]:
    for problem in problems:
        assert problem.message and problem.hint and problem.is_error
    return [(p.code, p.path) for p in problems]


def test_nothing_to_report() -> None:
    assert check_optim(None) == []
    assert check_optim(OptimWrapper(optimizer=SGD(lr=0.01))) == []
    sgd = SGD(lr=0.01, momentum=0.9, weight_decay=5e-4)
    paramwise = ParamwiseConfig(norm_decay_mult=0.0, custom_keys={"head": CustomKeyConfig(lr_mult=10.0)})
    assert check_optim(OptimWrapper(optimizer=sgd, paramwise_cfg=paramwise)) == []
    convnext = AmpOptimWrapper(
        optimizer=AdamW(lr=1e-4, weight_decay=0.05),
        constructor=LR_DECAY,
        paramwise_cfg=ParamwiseConfig(num_layers=12, decay_rate=0.9, decay_type="stage_wise"),
    )
    assert check_optim(convnext) == []
    beit = OptimWrapper(
        optimizer=AdamW(lr=3e-5, weight_decay=0.05),
        constructor=LAYER_DECAY,
        paramwise_cfg=ParamwiseConfig(num_layers=12, layer_decay_rate=0.9),
    )
    assert check_optim(beit) == []


@pytest.mark.parametrize("optimizer", [SGD(lr=0.01), LBFGS(), NoDecayOptimizer(lr=0.1)])
def test_decay_multipliers_need_a_weight_decay(optimizer: SGD | LBFGS | NoDecayOptimizer) -> None:
    paramwise = ParamwiseConfig(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        dwconv_decay_mult=0.5,
        flat_decay_mult=0.0,  # not checked by MMEngine either
        custom_keys={"pos_block": CustomKeyConfig(decay_mult=0.0), "head": CustomKeyConfig(lr_mult=10.0)},
    )
    problems = check_optim(OptimWrapper(optimizer=optimizer, paramwise_cfg=paramwise))
    assert _codes(problems) == [
        ("decay-mult-without-weight-decay", (*PW, "bias_decay_mult")),
        ("decay-mult-without-weight-decay", (*PW, "norm_decay_mult")),
        ("decay-mult-without-weight-decay", (*PW, "dwconv_decay_mult")),
        ("decay-mult-without-weight-decay", (*PW, "custom_keys", "pos_block", "decay_mult")),
    ]
    assert "weight_decay" in problems[0].message and "weight_decay" in problems[0].hint


def test_lr_decay_constructor_needs_its_settings() -> None:
    wrapper = OptimWrapper(optimizer=AdamW(lr=1e-4), constructor=LR_DECAY)
    assert _codes(check_optim(wrapper)) == [
        ("constructor-missing-setting", (*PW, "num_layers")),
        ("constructor-missing-setting", (*PW, "decay_rate")),
    ]
    partial = OptimWrapper(
        optimizer=AdamW(lr=1e-4), constructor=LR_DECAY, paramwise_cfg=ParamwiseConfig(num_layers=12)
    )
    assert _codes(check_optim(partial)) == [("constructor-missing-setting", (*PW, "decay_rate"))]


def test_layer_decay_constructor_needs_layer_decay_rate_and_num_layers() -> None:
    wrapper = OptimWrapper(
        optimizer=AdamW(lr=1e-4), constructor=LAYER_DECAY, paramwise_cfg=ParamwiseConfig(decay_rate=0.9)
    )
    assert _codes(check_optim(wrapper)) == [
        ("constructor-missing-setting", (*PW, "num_layers")),
        ("constructor-missing-setting", (*PW, "layer_decay_rate")),
        ("constructor-ignores-setting", (*PW, "decay_rate")),
    ]


@pytest.mark.parametrize("constructor", [LR_DECAY, LAYER_DECAY])
def test_lr_decay_constructors_ignore_custom_keys_and_multipliers(
    constructor: OptimWrapperConstructor,
) -> None:
    paramwise = ParamwiseConfig(
        num_layers=12,
        decay_rate=0.9 if constructor == LR_DECAY else None,
        layer_decay_rate=0.9 if constructor == LAYER_DECAY else None,
        custom_keys={"norm": CustomKeyConfig(decay_mult=0.0)},
        bias_lr_mult=2.0,
        norm_decay_mult=0.0,
        bypass_duplicate=True,
    )
    problems = check_optim(OptimWrapper(optimizer=AdamW(), constructor=constructor, paramwise_cfg=paramwise))
    assert _codes(problems) == [
        ("constructor-ignores-setting", (*PW, "custom_keys")),
        ("constructor-ignores-setting", (*PW, "bias_lr_mult")),
        ("constructor-ignores-setting", (*PW, "norm_decay_mult")),
        ("constructor-ignores-setting", (*PW, "bypass_duplicate")),
    ]
    assert "#1623" in problems[0].message and "DefaultOptimWrapperConstructor" in problems[0].hint


def test_lr_decay_constructor_ignores_layer_decay_rate() -> None:
    paramwise = ParamwiseConfig(num_layers=12, decay_rate=0.9, layer_decay_rate=0.65)
    wrapper = OptimWrapper(optimizer=AdamW(), constructor=LR_DECAY, paramwise_cfg=paramwise)
    assert _codes(check_optim(wrapper)) == [("constructor-ignores-setting", (*PW, "layer_decay_rate"))]


def test_default_constructor_ignores_decay_settings() -> None:
    paramwise = ParamwiseConfig(num_layers=12, decay_rate=0.9, decay_type="stage_wise", layer_decay_rate=0.9)
    problems = check_optim(OptimWrapper(optimizer=AdamW(), paramwise_cfg=paramwise))
    assert _codes(problems) == [
        ("constructor-ignores-setting", (*PW, "num_layers")),
        ("constructor-ignores-setting", (*PW, "decay_rate")),
        ("constructor-ignores-setting", (*PW, "decay_type")),
        ("constructor-ignores-setting", (*PW, "layer_decay_rate")),
    ]
    assert LR_DECAY in problems[0].hint and LAYER_DECAY in problems[3].hint


def test_all_problems_are_collected_together() -> None:
    paramwise = ParamwiseConfig(num_layers=12, norm_decay_mult=0.0)
    codes = {p.code for p in check_optim(OptimWrapper(optimizer=SGD(lr=0.01), paramwise_cfg=paramwise))}
    assert codes == {"constructor-ignores-setting", "decay-mult-without-weight-decay"}


@pytest.mark.parametrize(
    ("dtype", "cuda", "fires"),
    [
        (None, False, True),
        ("float16", False, True),
        ("bfloat16", False, False),
        ("float32", False, False),
        (None, True, False),
        ("float16", True, False),
    ],
)
def test_float16_amp_needs_cuda(dtype: Dtype | None, cuda: bool, fires: bool) -> None:
    wrapper = AmpOptimWrapper(optimizer=SGD(lr=0.01), dtype=dtype)
    problems = check_optim_runtime(wrapper, cuda_available=cuda)
    assert _codes(problems) == ([("amp-float16-needs-cuda", ("optim_wrapper", "dtype"))] if fires else [])
    if fires:
        assert "bfloat16" in problems[0].hint and "OptimWrapper" in problems[0].hint


def test_runtime_rule_ignores_full_precision() -> None:
    assert check_optim_runtime(OptimWrapper(optimizer=SGD(lr=0.01)), cuda_available=False) == []
    assert check_optim_runtime(None, cuda_available=False) == []


def test_force_default_constructor_reads_force_default_settings() -> None:
    from typedseg.config.optim import OptimWrapper, ParamwiseConfig
    from typedseg.config.optimizers import AdamW
    from typedseg.config.rules.optim import check_optim

    forced = OptimWrapper(
        optimizer=AdamW(lr=1e-4, weight_decay=0.01),
        constructor="ForceDefaultOptimWrapperConstructor",
        paramwise_cfg=ParamwiseConfig(force_default_settings=True, norm_decay_mult=0.0),
    )
    assert check_optim(forced) == []
    plain = OptimWrapper(
        optimizer=AdamW(lr=1e-4, weight_decay=0.01),
        paramwise_cfg=ParamwiseConfig(force_default_settings=True),
    )
    [problem] = check_optim(plain)
    assert (problem.code, problem.path[-1]) == ("constructor-ignores-setting", "force_default_settings")
