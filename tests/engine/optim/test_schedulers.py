"""Every scheduler kind and the usual chains give MMEngine 0.10.7's values at every iteration (1e-9 relative).

The references come from MMEngine's own schedulers (scripts/oracle/schedulers.py). Here the groups are plain
dicts, as `typedseg schedule` steps them; test_wrapper_schedules.py replays the same cases on torch optimizers.
"""

from typing import Any

import pytest

from tests.engine.optim.scheduler_cases import CASES, assert_close, build, configs, replay
from typedseg.config.schedulers import LinearLR, PolyLR
from typedseg.engine.optim.schedulers import PlainGroups, build_schedulers
from typedseg.problems import ConfigError


def plain_groups(spec: dict[str, Any]) -> PlainGroups:
    """The param groups of the oracle's optimizer, and MMEngine's base-lr record for several groups."""
    if spec["type"] == "SGD":
        defaults: dict[str, Any] = {"lr": spec["lr"], "momentum": spec["momentum"], "dampening": 0.0}
        defaults |= {"weight_decay": 1e-4, "nesterov": False}
        groups = [
            {**defaults, "lr": spec["lr"] * mult, "weight_decay": 1e-4 * (i + 1), "dampening": 0.5}
            for i, mult in enumerate(spec["groups"])
        ]
    else:
        defaults = {"lr": spec["lr"], "betas": tuple(spec["betas"]), "weight_decay": 0.01, "eps": 1e-8}
        groups = [{**defaults, "lr": spec["lr"] * mult} for mult in spec["groups"]]
    base = dict(defaults)
    return PlainGroups(param_groups=[*groups, base], defaults=defaults, base_param_settings=base)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_curve_matches_mmengine(case: dict[str, Any]) -> None:
    target = plain_groups(case["optimizer"])
    curves = replay(case, target, build(case, target))
    for key, values in curves.items():
        assert_close(values, case[key], f"{case['name']} {key}")


def test_every_scheduler_type_has_a_reference_curve() -> None:
    from typedseg.config.schedulers import SCHEDULER_TYPES

    covered = {type(cfg).__name__ for case in CASES for cfg in configs(case)}
    assert covered == set(SCHEDULER_TYPES)


@pytest.mark.parametrize("cut", [1, 7, 13, 29])
def test_resume_from_state_dict_continues_exactly(cut: int) -> None:
    """Stop at `cut`, rebuild from the config, restore the groups and the schedulers' state: bit-identical."""
    case = next(case for case in CASES if case["name"] == "overlap-three")
    whole_target = plain_groups(case["optimizer"])
    whole = replay(case, whole_target, build(case, whole_target))
    first_target = plain_groups(case["optimizer"])
    first = build(case, first_target)
    replay(case, first_target, first, stop=cut)
    saved_groups = [dict(group) for group in first_target.param_groups]
    saved_states = [scheduler.state_dict() for scheduler in first]

    resumed_target = plain_groups(case["optimizer"])
    resumed = build(case, resumed_target)
    resumed_target.param_groups[:] = saved_groups  # what the optimizer's state dict restores
    for scheduler, state in zip(resumed, saved_states, strict=True):
        scheduler.load_state_dict(state)
    rest = replay(case, resumed_target, resumed, start=cut)
    assert rest["lr"] == whole["lr"][cut:]


def test_convert_needs_iters_per_epoch() -> None:
    target = PlainGroups([{"lr": 0.1}])
    cfg = LinearLR(convert_to_iter_based=True, end=2)
    with pytest.raises(ConfigError) as raised:
        build_schedulers([cfg], target, iters_per_epoch=None, max_iters=10, max_epochs=None)
    assert raised.value.problems[0].code == "iters-per-epoch-unknown"


def test_default_end_is_the_run_length() -> None:
    target = PlainGroups([{"lr": 1.0}])
    (poly,) = build_schedulers(
        [PolyLR(by_epoch=False)], target, iters_per_epoch=None, max_iters=5, max_epochs=None
    )
    values = []
    for _ in range(5):
        values.append(target.param_groups[0]["lr"])
        poly.step()
    assert values == pytest.approx([1.0, 0.75, 0.5, 0.25, 0.0])


def test_momentum_scheduler_without_momentum_is_a_problem() -> None:
    from typedseg.config.schedulers import LinearMomentum

    with pytest.raises(ConfigError) as raised:
        build_schedulers(
            [LinearMomentum(by_epoch=False)],
            PlainGroups([{"lr": 0.1}]),
            iters_per_epoch=None,
            max_iters=4,
            max_epochs=None,
        )
    assert raised.value.problems[0].code == "momentum-unsupported"


def test_a_user_scheduler_builds_itself() -> None:
    from typedseg.config.schedulers import UserScheduler
    from typedseg.engine.optim.schedulers import ExponentialScheduler, HasParamGroups, ParamScheduler

    class Halving(UserScheduler):
        def build(self, target: HasParamGroups) -> ParamScheduler:
            return ExponentialScheduler(target, "lr", gamma=0.5, begin=0, end=10, by_epoch=False)

    target = PlainGroups([{"lr": 1.0}])
    (halving,) = build_schedulers([Halving()], target, iters_per_epoch=None, max_iters=10, max_epochs=None)
    halving.step()
    halving.step()
    assert target.param_groups[0]["lr"] == 0.25
