"""Optimizer wrappers: MMEngine's dict forms parse to the right models; what MMEngine ignores is refused."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from tests.committed_schema import definition, description
from typedseg.config.optim import (
    AmpOptimWrapper,
    ClipGradConfig,
    ClipGradNorm,
    ClipGradValue,
    CustomKeyConfig,
    LossScaleConfig,
    OptimWrapper,
    OptimWrapperConfig,
    ParamwiseConfig,
)
from typedseg.config.optimizers import SGD, Adam, AdamW
from typedseg.problems import ConfigError, Problem

WRAPPER: TypeAdapter[OptimWrapperConfig] = TypeAdapter(OptimWrapperConfig)
CLIP: TypeAdapter[ClipGradConfig] = TypeAdapter(ClipGradConfig)
SGD_DICT = {"type": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 0.0005}


def _problems(cls: type[OptimWrapper] | type[AmpOptimWrapper], data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        cls(**data)
    return info.value.problems


def test_mmseg_sgd_form() -> None:
    cfg = WRAPPER.validate_python({"type": "OptimWrapper", "optimizer": SGD_DICT, "clip_grad": None})
    assert cfg == OptimWrapper(optimizer=SGD(lr=0.01, momentum=0.9, weight_decay=0.0005))
    assert isinstance(cfg, OptimWrapper)
    assert (cfg.accumulative_counts, cfg.clip_grad, cfg.constructor, cfg.paramwise_cfg) == (
        1,
        None,
        "DefaultOptimWrapperConstructor",
        None,
    )


def test_missing_type_means_optim_wrapper() -> None:
    cfg = WRAPPER.validate_python({"optimizer": SGD_DICT})
    assert type(cfg) is OptimWrapper and cfg.type == "OptimWrapper"


def test_clip_grad_without_type_is_norm_clipping() -> None:
    cfg = WRAPPER.validate_python({"optimizer": SGD_DICT, "clip_grad": {"max_norm": 0.01, "norm_type": 2}})
    assert cfg.clip_grad == ClipGradNorm(max_norm=0.01, norm_type=2.0)
    assert cfg.clip_grad is not None and cfg.clip_grad.type == "norm"
    assert CLIP.validate_python({"type": "value", "clip_value": 1.0}) == ClipGradValue(clip_value=1.0)
    assert CLIP.validate_python({"type": "norm", "max_norm": 35, "error_if_nonfinite": True}) == ClipGradNorm(
        max_norm=35.0, error_if_nonfinite=True
    )


def test_clip_grad_type_is_case_sensitive_like_mmengine() -> None:
    (problem,) = _problems(
        OptimWrapper, {"optimizer": SGD_DICT, "clip_grad": {"type": "Norm", "max_norm": 1.0}}
    )
    assert (problem.code, problem.path, problem.hint) == (
        "unknown-type",
        ("clip_grad",),
        "Did you mean 'norm'?",
    )


@pytest.mark.parametrize(
    ("loss_scale", "expected"),
    [(512.0, 512.0), ("dynamic", "dynamic"), ({"init_scale": 1024.0}, LossScaleConfig(init_scale=1024.0))],
)
def test_amp_loss_scale_forms(loss_scale: object, expected: object) -> None:
    cfg = WRAPPER.validate_python(
        {"type": "AmpOptimWrapper", "optimizer": SGD_DICT, "loss_scale": loss_scale}
    )
    assert isinstance(cfg, AmpOptimWrapper)
    assert cfg.loss_scale == expected
    assert (cfg.dtype, cfg.use_fsdp, cfg.accumulative_counts) == (None, False, 1)


def test_amp_defaults_and_gradscaler_defaults() -> None:
    cfg = AmpOptimWrapper(optimizer=AdamW(lr=6e-5), dtype="bfloat16")
    assert (cfg.loss_scale, cfg.dtype) == ("dynamic", "bfloat16")
    assert LossScaleConfig().model_dump() == {
        "init_scale": 65536.0,
        "growth_factor": 2.0,
        "backoff_factor": 0.5,
        "growth_interval": 2000,
        "enabled": True,
    }


def test_convnext_lr_decay_form_from_mmseg() -> None:
    # configs/convnext/convnext-base_upernet_8xb2-amp-160k_ade20k-512x512.py
    cfg = WRAPPER.validate_python(
        {
            "type": "AmpOptimWrapper",
            "optimizer": {"type": "AdamW", "lr": 0.0001, "betas": (0.9, 0.999), "weight_decay": 0.05},
            "paramwise_cfg": {"decay_rate": 0.9, "decay_type": "stage_wise", "num_layers": 12},
            "constructor": "LearningRateDecayOptimizerConstructor",
            "loss_scale": "dynamic",
        }
    )
    assert cfg == AmpOptimWrapper(
        optimizer=AdamW(lr=0.0001, weight_decay=0.05),
        paramwise_cfg=ParamwiseConfig(decay_rate=0.9, decay_type="stage_wise", num_layers=12),
        constructor="LearningRateDecayOptimizerConstructor",
    )


def test_custom_keys_form() -> None:
    cfg = WRAPPER.validate_python(
        {
            "optimizer": {"type": "AdamW", "lr": 6e-5, "betas": (0.9, 0.999), "weight_decay": 0.01},
            "paramwise_cfg": {
                "custom_keys": {
                    "pos_block": {"decay_mult": 0.0},
                    "norm": {"decay_mult": 0.0},
                    "head": {"lr_mult": 10.0},
                }
            },
        }
    )
    assert cfg.paramwise_cfg is not None
    assert cfg.paramwise_cfg.custom_keys == {
        "pos_block": CustomKeyConfig(decay_mult=0.0),
        "norm": CustomKeyConfig(decay_mult=0.0),
        "head": CustomKeyConfig(lr_mult=10.0),
    }


def test_adam_momentum_names_the_optimizers_that_take_it() -> None:
    (problem,) = _problems(OptimWrapper, {"optimizer": {"type": "Adam", "lr": 0.001, "momentum": 0.9}})
    assert problem.code == "unknown-key"
    assert problem.path == ("optimizer", "momentum")
    assert problem.message == "Adam has no setting 'momentum'."
    assert "SGD" in problem.hint and "RMSprop" in problem.hint and problem.hint.endswith("Adam does not.")


def test_custom_key_typo_is_refused_with_a_suggestion() -> None:
    data = {"optimizer": SGD_DICT, "paramwise_cfg": {"custom_keys": {"head": {"wd_mult": 0.0}}}}
    (problem,) = _problems(OptimWrapper, data)
    assert (problem.code, problem.path) == (
        "unknown-key",
        ("paramwise_cfg", "custom_keys", "head", "wd_mult"),
    )
    assert problem.message == "CustomKeyConfig has no setting 'wd_mult'."
    assert problem.hint.startswith("Did you mean '")


def test_paramwise_typo_is_refused_with_a_suggestion() -> None:
    (problem,) = _problems(OptimWrapper, {"optimizer": SGD_DICT, "paramwise_cfg": {"norm_decay_mul": 0.0}})
    assert (problem.code, problem.path) == ("unknown-key", ("paramwise_cfg", "norm_decay_mul"))
    assert problem.message == "ParamwiseConfig has no setting 'norm_decay_mul'."
    assert problem.hint == "Did you mean 'norm_decay_mult'?"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"accumulative_counts": 0}, ("accumulative_counts",)),
        ({"clip_grad": {"norm_type": 2}}, ("clip_grad", "max_norm")),
        ({"constructor": "RandomOptimWrapperConstructor"}, ("constructor",)),
        ({"paramwise_cfg": {"decay_type": "stagewise"}}, ("paramwise_cfg", "decay_type")),
        ({"paramwise_cfg": {"bias_lr_mult": -1.0}}, ("paramwise_cfg", "bias_lr_mult")),
    ],
)
def test_invalid_values_are_refused(data: dict[str, Any], path: tuple[str, ...]) -> None:
    problems = _problems(OptimWrapper, {"optimizer": SGD_DICT, **data})
    assert [p.path for p in problems] == [path]


def test_optimizer_needs_a_type() -> None:
    (problem,) = _problems(OptimWrapper, {"optimizer": {"lr": 0.01}})
    assert (problem.code, problem.path) == ("missing-type", ("optimizer",))


def test_python_form_round_trips_through_a_dump() -> None:
    cfg = AmpOptimWrapper(
        optimizer=Adam(lr=1e-3),
        clip_grad=ClipGradValue(clip_value=0.5),
        accumulative_counts=4,
        loss_scale=LossScaleConfig(growth_interval=100),
        paramwise_cfg=ParamwiseConfig(
            custom_keys={"backbone": CustomKeyConfig(lr_mult=0.1)}, norm_decay_mult=0.0
        ),
    )
    dumped = cfg.model_dump()
    assert dumped["type"] == "AmpOptimWrapper" and dumped["clip_grad"] == {"type": "value", "clip_value": 0.5}
    assert WRAPPER.validate_python(dumped) == cfg
    assert hash(WRAPPER.validate_python(dumped)) == hash(cfg)


def test_docstrings_reach_the_json_schema() -> None:
    paramwise = definition("ParamwiseConfig")
    assert "longest" in description("ParamwiseConfig", "custom_keys")
    assert "substring" in paramwise["description"] and "alphabetically" in paramwise["description"]
    assert description("OptimWrapper", "accumulative_counts").startswith("Accumulate gradients")
