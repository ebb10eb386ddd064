"""Param groups equal MMEngine's / MMSegmentation's for the same model and `optim_wrapper` (group by group).

The references come from MMEngine's own constructors (scripts/oracle/param_groups.py) on the toy models of
toy_models.py: each group's parameter names (in order), lr and weight_decay.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from torch import nn

from tests.engine.optim.toy_models import beit_segmentor, convnext_segmentor
from typedseg.config.optim import CustomKeyConfig, OptimWrapper, ParamwiseConfig
from typedseg.config.optimizers import SGD
from typedseg.engine.optim.constructors import build_param_groups
from typedseg.engine.optim.optimizers import build_optimizer
from typedseg.problems import ConfigError

FIXTURE = Path(__file__).parents[2] / "fixtures" / "optim" / "param_groups.json"
CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


def model_for(name: str) -> nn.Module:
    if name == "beit":
        return beit_segmentor()
    return convnext_segmentor(shared=name.endswith("shared"), frozen=name.endswith("frozen"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_groups_match_mmengine(case: dict[str, Any]) -> None:
    model = model_for(case["model"])
    cfg = TypeAdapter(OptimWrapper).validate_json(json.dumps(case["optim_wrapper"]))
    optimizer = build_optimizer(cfg.optimizer, build_param_groups(cfg, model).groups)
    names = {id(param): name for name, param in model.named_parameters()}
    groups = [
        {
            "names": [names[id(p)] for p in group["params"]],
            "lr": group["lr"],
            "weight_decay": group["weight_decay"],
        }
        for group in optimizer.param_groups
    ]
    assert len(groups) == len(case["groups"])
    for index, (ours, theirs) in enumerate(zip(groups, case["groups"], strict=True)):
        assert ours["names"] == theirs["names"], index
        assert ours["lr"] == pytest.approx(theirs["lr"], rel=1e-12), (index, ours["names"])
        assert ours["weight_decay"] == pytest.approx(theirs["weight_decay"], rel=1e-12), (
            index,
            ours["names"],
        )


def test_plan_names_each_group() -> None:
    model = convnext_segmentor()
    cfg = OptimWrapper(optimizer=SGD(lr=0.01), paramwise_cfg=ParamwiseConfig(bias_lr_mult=2.0))
    plan = build_param_groups(cfg, model)
    # MMEngine's order: a module's own parameters, then its children's (the root's `temperature` first).
    assert plan.names[:2] == [["temperature"], ["backbone.downsample_layers.0.0.weight"]]
    assert [len(names) for names in plan.names] == [1] * len(plan.groups)
    assert plan.groups[2]["lr"] == pytest.approx(0.02)  # a conv bias: bias_lr_mult


def test_unmatched_custom_key_is_a_problem() -> None:
    cfg = OptimWrapper(
        optimizer=SGD(lr=0.01),
        paramwise_cfg=ParamwiseConfig(
            custom_keys={
                "backbone": CustomKeyConfig(lr_mult=0.1),
                "pos_block": CustomKeyConfig(decay_mult=0.0),
            }
        ),
    )
    with pytest.raises(ConfigError) as raised:
        build_param_groups(cfg, convnext_segmentor())
    (problem,) = raised.value.problems
    assert problem.code == "custom-key-unmatched"
    assert problem.path == ("optim_wrapper", "paramwise_cfg", "custom_keys", "pos_block")


def test_duplicates_without_bypass_are_refused_by_torch() -> None:
    cfg = OptimWrapper(optimizer=SGD(lr=0.01), paramwise_cfg=ParamwiseConfig(norm_decay_mult=0.0))
    with pytest.raises(ValueError, match="more than one parameter group"):
        build_optimizer(cfg.optimizer, build_param_groups(cfg, convnext_segmentor(shared=True)).groups)


def test_layer_decay_needs_a_supported_backbone() -> None:
    class Other(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = nn.Linear(2, 2)

    cfg = TypeAdapter(OptimWrapper).validate_python(
        {
            "optimizer": {"type": "AdamW", "lr": 1e-4},
            "constructor": "LearningRateDecayOptimizerConstructor",
            "paramwise_cfg": {"num_layers": 12, "decay_rate": 0.9, "decay_type": "stage_wise"},
        }
    )
    with pytest.raises(ConfigError) as raised:
        build_param_groups(cfg, Other())
    assert raised.value.problems[0].code == "layer-decay-backbone"


def test_param_group_rows_merge_equal_settings() -> None:
    from typedseg.engine.optim.constructors import param_group_rows

    model = convnext_segmentor()
    cfg = TypeAdapter(OptimWrapper).validate_python(
        {
            "optimizer": {"type": "SGD", "lr": 0.01, "weight_decay": 0.0005},
            "paramwise_cfg": {"custom_keys": {"backbone": {"lr_mult": 0.1}}, "norm_decay_mult": 0.0},
        }
    )
    plan = build_param_groups(cfg, model)
    optimizer = build_optimizer(cfg.optimizer, plan.groups)
    rows = param_group_rows(optimizer.param_groups, plan.names)
    by_pattern = {row.pattern: row for row in rows}
    backbone = by_pattern["backbone.*"]
    assert backbone.lr == pytest.approx(0.001) and backbone.weight_decay == pytest.approx(0.0005)
    assert backbone.count == sum(1 for name, _ in model.backbone.named_parameters())
    assert sum(row.count for row in rows) == sum(1 for _ in model.parameters())
    norms = [row for row in rows if row.weight_decay == 0.0]
    assert len(norms) == 1 and norms[0].count == 4  # the heads' BatchNorm/GroupNorm weights and biases
