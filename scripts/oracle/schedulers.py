"""Reference lr/momentum curves from MMEngine 0.10.7's own schedulers, for tests/engine/optim/test_schedulers.py.

Run in the oracle venv (never from the package or the tests):

    /work/oracle-venv/bin/python scripts/oracle/schedulers.py tests/fixtures/schedulers/curves.json

Each case: an optimizer with a few param groups, wrapped in MMEngine's OptimWrapper (so the base-lr record
that MMEngine adds for several groups is scheduled too), a `param_scheduler` list in MMEngine's dict form
(the same dicts validate as typedseg configs), and a train loop shape. The script builds the schedulers as
`Runner._build_param_scheduler` does (default `end`, `epoch_length`) and steps them as ParamSchedulerHook does:
`by_epoch=False` ones after every iteration, the others after every epoch, ReduceOnPlateau with the case's
metrics after every epoch. It records every group's value in force at every iteration.
"""

import copy
import json
import sys
from typing import Any

import mmseg_stub  # noqa: F401  (stands in for mmcv.ops before mmseg is imported)
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import PARAM_SCHEDULERS
from mmseg.utils import register_all_modules

register_all_modules()


def sgd(momentum: float = 0.9) -> dict[str, Any]:
    return {"type": "SGD", "lr": 0.01, "momentum": momentum, "groups": [1.0, 0.1, 2.0]}


def adamw() -> dict[str, Any]:
    return {"type": "AdamW", "lr": 0.001, "betas": [0.9, 0.999], "groups": [1.0, 0.5]}


def iters(n: int, ipe: int = 10) -> dict[str, Any]:
    return {"kind": "iter", "max_iters": n, "iters_per_epoch": ipe}


def epochs(n: int, ipe: int) -> dict[str, Any]:
    return {"kind": "epoch", "max_epochs": n, "iters_per_epoch": ipe}


def it(**kw: Any) -> dict[str, Any]:
    return {"by_epoch": False, **kw}


CASES: list[dict[str, Any]] = [
    # every kind alone
    {
        "name": "constant",
        "opt": sgd(),
        "loop": iters(12),
        "sched": [it(type="ConstantLR", factor=0.5, end=8)],
    },
    {
        "name": "linear",
        "opt": sgd(),
        "loop": iters(12),
        "sched": [it(type="LinearLR", start_factor=0.1, end=10)],
    },
    {
        "name": "linear-down",
        "opt": sgd(),
        "loop": iters(12),
        "sched": [it(type="LinearLR", start_factor=1.0, end_factor=0.2, begin=2, end=10)],
    },
    {"name": "exponential", "opt": sgd(), "loop": iters(12), "sched": [it(type="ExponentialLR", gamma=0.8)]},
    {"name": "step", "opt": sgd(), "loop": iters(15), "sched": [it(type="StepLR", step_size=4, gamma=0.5)]},
    {
        "name": "multistep-begin",
        "opt": sgd(),
        "loop": iters(15),
        "sched": [it(type="MultiStepLR", milestones=[3, 6], gamma=0.5, begin=5)],
    },
    {"name": "poly", "opt": sgd(), "loop": iters(20), "sched": [it(type="PolyLR", power=0.9, eta_min=1e-4)]},
    {
        "name": "poly-ratio",
        "opt": sgd(),
        "loop": iters(20),
        "sched": [it(type="PolyLRRatio", power=1.0, eta_min_ratio=0.1)],
    },
    {
        "name": "cosine",
        "opt": sgd(),
        "loop": iters(20),
        "sched": [it(type="CosineAnnealingLR", eta_min=1e-4)],
    },
    {
        "name": "cosine-ratio-tmax",
        "opt": sgd(),
        "loop": iters(30),
        "sched": [it(type="CosineAnnealingLR", T_max=6, eta_min_ratio=0.05)],
    },
    {
        "name": "cosine-restart",
        "opt": sgd(),
        "loop": iters(25),
        "sched": [
            it(type="CosineRestartLR", periods=[5, 10, 5], restart_weights=[1.0, 0.5, 0.25], eta_min=1e-5)
        ],
    },
    {
        "name": "cosine-restart-ratio",
        "opt": sgd(),
        "loop": iters(20),
        "sched": [it(type="CosineRestartLR", periods=[8, 8], restart_weights=[1.0, 0.7], eta_min_ratio=0.01)],
    },
    {"name": "onecycle", "opt": sgd(), "loop": iters(20), "sched": [it(type="OneCycleLR", eta_max=0.05)]},
    {
        "name": "onecycle-linear-3phase",
        "opt": sgd(),
        "loop": iters(20),
        "sched": [
            it(
                type="OneCycleLR",
                eta_max=[0.05, 0.01, 0.1, 0.05],
                anneal_strategy="linear",
                three_phase=True,
                total_steps=20,
                pct_start=0.25,
            )
        ],
    },
    {
        "name": "plateau",
        "opt": sgd(),
        "loop": epochs(12, 3),
        "metrics": [1.0, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8],
        "sched": [
            {"type": "ReduceOnPlateauLR", "monitor": "loss", "patience": 1, "factor": 0.5, "cooldown": 1}
        ],
    },
    {
        "name": "plateau-greater-abs",
        "opt": sgd(),
        "loop": epochs(10, 2),
        "metrics": [50.0, 51.0, 51.05, 51.0, 52.0, 52.0, 52.0, 52.0, 52.0, 52.0],
        "sched": [
            {
                "type": "ReduceOnPlateauLR",
                "monitor": "mIoU",
                "rule": "greater",
                "threshold_rule": "abs",
                "threshold": 0.1,
                "patience": 0,
                "min_value": 0.002,
                "begin": 1,
            }
        ],
    },
    # momentum and generic param schedulers
    {
        "name": "momentum-sgd",
        "opt": sgd(),
        "loop": iters(12),
        "sched": [
            it(type="LinearMomentum", start_factor=0.5, end=6),
            it(type="CosineAnnealingMomentum", begin=6),
        ],
    },
    {
        "name": "momentum-adamw",
        "opt": adamw(),
        "loop": iters(12),
        "sched": [
            it(type="PolyMomentum", eta_min=0.85, power=2.0),
            it(type="StepMomentum", step_size=5, gamma=0.9),
        ],
    },
    {
        "name": "momentum-kinds",
        "opt": sgd(),
        "loop": iters(16),
        "sched": [
            it(type="ConstantMomentum", factor=0.5, end=4),
            it(type="ExponentialMomentum", gamma=0.99, begin=4, end=8),
            it(type="MultiStepMomentum", milestones=[2], gamma=0.5, begin=8, end=12),
            it(type="CosineRestartMomentum", periods=[4], restart_weights=[1.0], eta_min=0.5, begin=12),
        ],
    },
    {
        "name": "param-schedulers",
        "opt": sgd(),
        "loop": iters(16),
        "sched": [
            it(type="LinearParamScheduler", param_name="lr", start_factor=0.2, end=4),
            it(type="PolyParamScheduler", param_name="lr", begin=4, end=12),
            it(type="ConstantParamScheduler", param_name="momentum", factor=0.5, end=6),
            it(type="ExponentialParamScheduler", param_name="weight_decay", gamma=0.9),
            it(type="StepParamScheduler", param_name="momentum", step_size=3, begin=6),
            it(type="MultiStepParamScheduler", param_name="lr", milestones=[1], begin=12),
            it(type="CosineAnnealingParamScheduler", param_name="dampening", begin=0, end=16),
        ],
    },
    {
        "name": "param-onecycle-restart",
        "opt": sgd(),
        "loop": iters(16),
        "sched": [
            it(type="OneCycleParamScheduler", param_name="lr", eta_max=0.02),
            it(
                type="CosineRestartParamScheduler",
                param_name="momentum",
                periods=[8, 8],
                restart_weights=[1.0, 0.5],
                eta_min=0.1,
            ),
        ],
    },
    {
        "name": "plateau-momentum-param",
        "opt": sgd(),
        "loop": epochs(8, 2),
        "metrics": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        "sched": [
            {"type": "ReduceOnPlateauMomentum", "patience": 0, "factor": 0.9},
            {
                "type": "ReduceOnPlateauParamScheduler",
                "param_name": "lr",
                "patience": 2,
                "min_value": [1e-3] * 3,
            },
        ],
    },
    # chains, windows, epochs
    {
        "name": "warmup-poly",
        "opt": sgd(),
        "loop": iters(60),
        "sched": [
            it(type="LinearLR", start_factor=1e-6, begin=0, end=10),
            it(type="PolyLR", eta_min=1e-4, power=1.0, begin=10, end=60),
        ],
    },
    {
        "name": "warmup-poly-gap-held",
        "opt": sgd(),
        "loop": iters(30),
        "sched": [
            it(type="LinearLR", start_factor=0.1, end_factor=0.5, end=3),
            it(type="PolyLR", power=0.9, begin=6, end=20),
        ],
    },
    {
        "name": "overlap-compounds",
        "opt": sgd(),
        "loop": iters(15),
        "sched": [it(type="LinearLR", start_factor=0.1, end=5), it(type="PolyLR", eta_min=1e-3, end=10)],
    },
    {
        "name": "overlap-three",
        "opt": sgd(),
        "loop": iters(20),
        "sched": [
            it(type="CosineAnnealingLR", eta_min=1e-4, end=20),
            it(type="StepLR", step_size=3, gamma=0.7),
            it(type="ConstantLR", factor=0.5, begin=2, end=9),
        ],
    },
    {
        "name": "convert-to-iter",
        "opt": sgd(),
        "loop": epochs(5, 4),
        "sched": [
            {"type": "LinearLR", "start_factor": 0.01, "end": 1, "convert_to_iter_based": True},
            {"type": "CosineAnnealingLR", "begin": 1, "end": 5, "convert_to_iter_based": True},
        ],
    },
    {
        "name": "convert-step-args",
        "opt": sgd(),
        "loop": epochs(6, 3),
        "sched": [
            {"type": "MultiStepLR", "milestones": [1, 3], "convert_to_iter_based": True, "end": 4},
            {"type": "StepMomentum", "step_size": 1, "gamma": 0.9, "convert_to_iter_based": True},
            {
                "type": "CosineRestartLR",
                "periods": [1, 1],
                "restart_weights": [1.0, 1.0],
                "eta_min": 0.0,
                "begin": 4,
                "convert_to_iter_based": True,
            },
        ],
    },
    {
        "name": "convert-onecycle-tmax",
        "opt": sgd(),
        "loop": epochs(4, 5),
        "sched": [
            {"type": "OneCycleLR", "eta_max": 0.1, "total_steps": 4, "convert_to_iter_based": True},
            {"type": "CosineAnnealingMomentum", "T_max": 2, "convert_to_iter_based": True},
        ],
    },
    {
        "name": "by-epoch",
        "opt": sgd(),
        "loop": epochs(8, 3),
        "sched": [
            {"type": "LinearLR", "start_factor": 0.25, "end": 3},
            {"type": "PolyLR", "begin": 3, "power": 2.0},
        ],
    },
    {
        "name": "mixed-epoch-iter",
        "opt": sgd(),
        "loop": epochs(4, 5),
        "sched": [
            it(type="LinearLR", start_factor=0.1, end=5),
            {"type": "StepLR", "step_size": 1, "gamma": 0.5},
        ],
    },
    {
        "name": "by-epoch-under-iter-loop",
        "opt": sgd(),
        "loop": iters(10),
        "sched": [{"type": "ExponentialLR", "gamma": 0.5}, it(type="LinearLR", start_factor=0.5, end=4)],
    },
    {
        "name": "poly-long",
        "opt": sgd(),
        "loop": iters(3000),
        "sched": [it(type="LinearLR", start_factor=1e-6, end=1500), it(type="PolyLR", power=1.0, begin=1500)],
        "keys": ["lr"],
    },
]


def build_optimizer(spec: dict[str, Any]) -> OptimWrapper:
    groups = []
    for index, mult in enumerate(spec["groups"]):
        param = torch.nn.Parameter(torch.zeros(1))
        group: dict[str, Any] = {"params": [param], "lr": spec["lr"] * mult}
        if spec["type"] == "SGD":
            group["weight_decay"] = 1e-4 * (index + 1)
            group["dampening"] = 0.5
        groups.append(group)
    if spec["type"] == "SGD":
        optimizer = torch.optim.SGD(groups, lr=spec["lr"], momentum=spec["momentum"], weight_decay=1e-4)
    else:
        optimizer = torch.optim.AdamW(groups, lr=spec["lr"], betas=tuple(spec["betas"]))
    return OptimWrapper(optimizer)


def snapshot(wrapper: OptimWrapper, key: str) -> list[float]:
    values = []
    for group in wrapper.param_groups:
        if key == "momentum" and "betas" in group:
            values.append(float(group["betas"][0]))
        else:
            values.append(float(group[key]))
    return values


def run(case: dict[str, Any]) -> dict[str, Any]:
    wrapper = build_optimizer(case["opt"])
    loop = case["loop"]
    ipe = loop["iters_per_epoch"]
    if loop["kind"] == "iter":
        max_iters, max_epochs = loop["max_iters"], 1
    else:
        max_epochs = loop["max_epochs"]
        max_iters = max_epochs * ipe
    schedulers = []
    for original in case["sched"]:
        cfg = copy.deepcopy(original)
        cfg.setdefault("end", max_epochs if cfg.get("by_epoch", True) else max_iters)
        schedulers.append(
            PARAM_SCHEDULERS.build(cfg, default_args={"optimizer": wrapper, "epoch_length": ipe})
        )
    keys = case.get("keys") or ["lr", "momentum"] + (
        ["weight_decay", "dampening"] if case["opt"]["type"] == "SGD" else []
    )
    curves: dict[str, list[list[float]]] = {key: [] for key in keys}
    metrics = case.get("metrics", [])
    for i in range(max_iters):
        for key in keys:
            curves[key].append(snapshot(wrapper, key))
        wrapper.optimizer.step()  # keeps MMEngine's "step before scheduler" check quiet
        for scheduler in schedulers:
            if not scheduler.by_epoch:
                scheduler.step()
        end_of_epoch = loop["kind"] == "epoch" and (i + 1) % ipe == 0
        if end_of_epoch:
            for scheduler in schedulers:
                if scheduler.by_epoch:
                    scheduler.step()
            epoch = (i + 1) // ipe - 1
            if epoch < len(metrics):
                monitor_metrics = {"loss": metrics[epoch], "mIoU": metrics[epoch]}
                for scheduler in schedulers:
                    if scheduler.by_epoch and getattr(scheduler, "need_val_args", False):
                        scheduler.step(monitor_metrics)
    if loop["kind"] == "iter":  # IterBasedTrainLoop calls after_train_epoch once, at the very end
        for scheduler in schedulers:
            if scheduler.by_epoch:
                scheduler.step()
    return {
        "name": case["name"],
        "optimizer": case["opt"],
        "loop": loop,
        "param_scheduler": case["sched"],
        "metrics": metrics,
        **curves,
    }


def main() -> None:
    out = sys.argv[1]
    cases = [run(case) for case in CASES]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"mmengine": "0.10.7", "cases": cases}, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
