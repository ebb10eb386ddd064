"""The MMEngine reference curves (tests/fixtures/schedulers/curves.json) and a replay of them with our schedulers.

The replay steps schedulers as MMEngine's ParamSchedulerHook does under the case's loop: `by_epoch=False` ones
after every iteration, the others after every epoch (once, at the end, under an iteration loop), and
ReduceOnPlateau with the case's metric after every epoch.
"""

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from pydantic import TypeAdapter

from typedseg.config.schedulers import SchedulerConfig
from typedseg.engine.hooks.runtime import ParamSchedulerHook
from typedseg.engine.optim.schedulers import HasParamGroups, ParamScheduler, build_schedulers
from typedseg.engine.state import RunState

FIXTURE = Path(__file__).parents[2] / "fixtures" / "schedulers" / "curves.json"
CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]
SCHEDULERS = TypeAdapter(list[SchedulerConfig])


def configs(case: dict[str, Any]) -> list[Any]:
    return SCHEDULERS.validate_json(json.dumps(case["param_scheduler"]))


def loop_shape(case: dict[str, Any]) -> tuple[int, int | None, int]:
    loop = case["loop"]
    if loop["kind"] == "iter":
        return loop["max_iters"], None, loop["iters_per_epoch"]
    return loop["max_epochs"] * loop["iters_per_epoch"], loop["max_epochs"], loop["iters_per_epoch"]


def build(case: dict[str, Any], target: HasParamGroups) -> list[ParamScheduler]:
    max_iters, max_epochs, ipe = loop_shape(case)
    return build_schedulers(
        configs(case), target, iters_per_epoch=ipe, max_iters=max_iters, max_epochs=max_epochs
    )


def read(target: HasParamGroups, key: str) -> list[float]:
    if key == "momentum":
        return [float(g["betas"][0]) if "betas" in g else float(g["momentum"]) for g in target.param_groups]
    return [float(group[key]) for group in target.param_groups]


def replay(
    case: dict[str, Any],
    target: HasParamGroups,
    schedulers: list[ParamScheduler],
    *,
    start: int = 0,
    stop: int | None = None,
) -> dict[str, list[list[float]]]:
    """Record every key of the case at iterations [start, stop), stepping as the hook does."""
    max_iters, _, ipe = loop_shape(case)
    stop = max_iters if stop is None else stop
    keys = [key for key in ("lr", "momentum", "weight_decay", "dampening") if key in case]
    curves: dict[str, list[list[float]]] = {key: [] for key in keys}
    metrics = case["metrics"]
    epoch_loop = case["loop"]["kind"] == "epoch"
    hook = ParamSchedulerHook()  # the engine's own stepping, as a run calls it
    state = cast(RunState, SimpleNamespace(schedulers=schedulers, metrics={}))
    hook.before_train(state)
    for i in range(start, stop):
        for key in keys:
            curves[key].append(read(target, key))
        hook.after_train_iter(state)
        if epoch_loop and (i + 1) % ipe == 0:
            hook.after_train_epoch(state)
            epoch = (i + 1) // ipe - 1
            if epoch < len(metrics):  # a validation after this epoch
                state.metrics = {"loss": metrics[epoch], "mIoU": metrics[epoch]}
                hook.after_val_epoch(state)
    return curves


def assert_close(actual: list[list[float]], expected: list[list[float]], what: str) -> None:
    assert len(actual) == len(expected), what
    for i, (row, ref) in enumerate(zip(actual, expected, strict=True)):
        assert len(row) == len(ref), f"{what} at {i}: {len(row)} groups, expected {len(ref)}"
        for g, (value, want) in enumerate(zip(row, ref, strict=True)):
            assert abs(value - want) <= 1e-9 * abs(want) + 1e-300, (
                f"{what} iter {i} group {g}: {value} != {want}"
            )
