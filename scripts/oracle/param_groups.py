"""Reference param groups from MMEngine 0.10.7's and MMSegmentation 1.2.2's optimizer-wrapper constructors.

Run in the oracle venv from the repository root (never from the package or the tests):

    /work/oracle-venv/bin/python scripts/oracle/param_groups.py tests/fixtures/optim/param_groups.json

For each case: the toy model of tests/engine/optim/toy_models.py, an optim_wrapper dict in MMEngine's form
(which also validates as a typedseg OptimWrapper config) and, per param group that MMEngine's constructor
made, the parameter names, lr and weight_decay.
"""

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mmseg_stub  # noqa: F401  (stands in for mmcv.ops before mmseg is imported)
from mmengine.optim import DefaultOptimWrapperConstructor
from mmseg.engine.optimizers import (
    ForceDefaultOptimWrapperConstructor,
    LayerDecayOptimizerConstructor,
    LearningRateDecayOptimizerConstructor,
)
from mmseg.utils import register_all_modules

from tests.engine.optim.toy_models import beit_segmentor, convnext_segmentor

register_all_modules()

SGD = {"type": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 0.0005}
ADAMW = {"type": "AdamW", "lr": 0.0001, "betas": [0.9, 0.999], "weight_decay": 0.05}

CASES: list[dict[str, Any]] = [
    {"name": "no-paramwise", "model": "convnext", "optim_wrapper": {"optimizer": SGD}},
    {
        "name": "custom-keys",
        "model": "convnext",
        "optim_wrapper": {
            "optimizer": SGD,
            "paramwise_cfg": {
                "custom_keys": {
                    "backbone": {"lr_mult": 0.1},
                    "head": {"lr_mult": 10.0, "decay_mult": 0.0},
                    "norm": {"decay_mult": 0.0},
                    "stages.2": {"lr_mult": 0.5},
                    "conv_seg.bias": {"lr": 0.5, "weight_decay": 0.001},
                    "temperature": {"lr_mult": 0.0},
                }
            },
        },
    },
    {
        "name": "multipliers",
        "model": "convnext",
        "optim_wrapper": {
            "optimizer": SGD,
            "paramwise_cfg": {
                "bias_lr_mult": 2.0,
                "bias_decay_mult": 0.0,
                "norm_decay_mult": 0.1,
                "dwconv_decay_mult": 0.5,
                "flat_decay_mult": 0.3,
            },
        },
    },
    {
        "name": "multipliers-no-norm",
        "model": "convnext",
        "optim_wrapper": {
            "optimizer": ADAMW,
            "paramwise_cfg": {"bias_decay_mult": 0.2, "flat_decay_mult": 0.0, "dwconv_decay_mult": 0.0},
        },
    },
    {
        "name": "custom-and-multipliers",
        "model": "convnext",
        "optim_wrapper": {
            "optimizer": ADAMW,
            "paramwise_cfg": {
                "custom_keys": {"gamma": {"decay_mult": 0.0}, "decode_head": {"lr_mult": 10.0}},
                "norm_decay_mult": 0.0,
                "bias_lr_mult": 2.0,
                "flat_decay_mult": 0.5,
            },
        },
    },
    {
        "name": "bypass-duplicate",
        "model": "convnext-shared",
        "optim_wrapper": {
            "optimizer": SGD,
            "paramwise_cfg": {"bypass_duplicate": True, "norm_decay_mult": 0.0},
        },
    },
    {
        "name": "frozen-default",
        "model": "convnext-frozen",
        "optim_wrapper": {"optimizer": SGD, "paramwise_cfg": {"bias_lr_mult": 2.0}},
    },
    {
        "name": "frozen-no-paramwise",
        "model": "convnext-frozen",
        "optim_wrapper": {"optimizer": SGD},
    },
    {
        "name": "force-default",
        "model": "convnext-frozen",
        "optim_wrapper": {
            "optimizer": SGD,
            "constructor": "ForceDefaultOptimWrapperConstructor",
            "paramwise_cfg": {
                "custom_keys": {"head": {"lr_mult": 10.0}},
                "bias_lr_mult": 2.0,
                "norm_decay_mult": 0.0,
                "force_default_settings": True,
            },
        },
    },
    {
        "name": "convnext-layer-wise",
        "model": "convnext",
        "optim_wrapper": {
            "optimizer": ADAMW,
            "constructor": "LearningRateDecayOptimizerConstructor",
            "paramwise_cfg": {"decay_rate": 0.9, "decay_type": "layer_wise", "num_layers": 6},
        },
    },
    {
        "name": "convnext-stage-wise",
        "model": "convnext",
        "optim_wrapper": {
            "optimizer": ADAMW,
            "constructor": "LearningRateDecayOptimizerConstructor",
            "paramwise_cfg": {"decay_rate": 0.9, "decay_type": "stage_wise", "num_layers": 12},
        },
    },
    {
        "name": "beit-layer-wise",
        "model": "beit",
        "optim_wrapper": {
            "optimizer": ADAMW,
            "constructor": "LearningRateDecayOptimizerConstructor",
            "paramwise_cfg": {"decay_rate": 0.65, "decay_type": "layer_wise", "num_layers": 3},
        },
    },
    {
        "name": "beit-layer-decay-constructor",
        "model": "beit",
        "optim_wrapper": {
            "optimizer": ADAMW,
            "constructor": "LayerDecayOptimizerConstructor",
            "paramwise_cfg": {"layer_decay_rate": 0.9, "num_layers": 3},
        },
    },
]

CONSTRUCTORS = {
    "DefaultOptimWrapperConstructor": DefaultOptimWrapperConstructor,
    "ForceDefaultOptimWrapperConstructor": ForceDefaultOptimWrapperConstructor,
    "LearningRateDecayOptimizerConstructor": LearningRateDecayOptimizerConstructor,
    "LayerDecayOptimizerConstructor": LayerDecayOptimizerConstructor,
}


def model_for(name: str) -> Any:
    if name == "beit":
        return beit_segmentor()
    return convnext_segmentor(shared=name.endswith("shared"), frozen=name.endswith("frozen"))


def run(case: dict[str, Any]) -> dict[str, Any]:
    model = model_for(case["model"])
    names = {id(param): name for name, param in model.named_parameters()}
    wrapper_cfg = json.loads(json.dumps(case["optim_wrapper"]))
    constructor = CONSTRUCTORS[wrapper_cfg.pop("constructor", "DefaultOptimWrapperConstructor")]
    paramwise = wrapper_cfg.pop("paramwise_cfg", None)
    wrapper_cfg["optimizer"]["betas"] = tuple(wrapper_cfg["optimizer"].get("betas", (0.9, 0.999)))
    if wrapper_cfg["optimizer"]["type"] == "SGD":
        del wrapper_cfg["optimizer"]["betas"]
    wrapper = constructor(wrapper_cfg, paramwise)(model)
    groups = [
        {
            "names": [names[id(param)] for param in group["params"]],
            "lr": group["lr"],
            "weight_decay": group["weight_decay"],
        }
        for group in wrapper.optimizer.param_groups
    ]
    return {**case, "groups": groups}


def main() -> None:
    out = Path(sys.argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    cases = [run(case) for case in CASES]
    out.write_text(json.dumps({"mmengine": "0.10.7", "mmseg": "1.2.2", "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
