"""Scheduler models: every MMEngine type parses from a dict with MMEngine's defaults; each rule fires."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from tests.committed_schema import description
from typedseg.config.base import dotted_name
from typedseg.config.schedulers import (
    SCHEDULER_TYPES,
    ConstantLR,
    CosineAnnealingLR,
    CosineRestartLR,
    LinearLR,
    LRSchedulerConfig,
    MomentumSchedulerConfig,
    MultiStepLR,
    OneCycleLR,
    OneCycleParamScheduler,
    ParamSchedulerConfig,
    PolyLR,
    PolyLRRatio,
    ReduceOnPlateauLR,
    StepLR,
    UserScheduler,
)
from typedseg.config.schedulers._tagged import SchedulerConfig  # the real union (the package's is lazy)
from typedseg.problems import ConfigError, Path

SCHEDULER = TypeAdapter(SchedulerConfig)

COMMON_DEFAULTS: dict[str, Any] = {
    "begin": 0,
    "end": None,
    "by_epoch": True,
    "convert_to_iter_based": False,
    "verbose": False,
    "chained": False,
}

# family -> (required arguments, MMEngine's defaults of the other arguments)
FAMILIES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "Constant": ({}, {"factor": 1 / 3}),
    "Linear": ({}, {"start_factor": 1 / 3, "end_factor": 1.0}),
    "Exponential": ({"gamma": 0.9}, {}),
    "Step": ({"step_size": 30}, {"gamma": 0.1}),
    "MultiStep": ({"milestones": [30, 60]}, {"gamma": 0.1}),
    "Poly": ({}, {"eta_min": 0.0, "power": 1.0}),
    "CosineAnnealing": ({}, {"T_max": None, "eta_min": None, "eta_min_ratio": None}),
    "CosineRestart": ({"periods": [10], "eta_min": 0.0}, {"restart_weights": (1.0,), "eta_min_ratio": None}),
    "OneCycle": (
        {"eta_max": 0.01},
        {
            "total_steps": None,
            "pct_start": 0.3,
            "anneal_strategy": "cos",
            "div_factor": 25.0,
            "final_div_factor": 1e4,
            "three_phase": False,
        },
    ),
    "ReduceOnPlateau": (
        {},
        {
            "monitor": "loss",
            "rule": "less",
            "factor": 0.1,
            "patience": 10,
            "threshold": 1e-4,
            "threshold_rule": "rel",
            "cooldown": 0,
            "min_value": 0.0,
            "eps": 1e-8,
        },
    ),
}


def _cases() -> list[tuple[str, dict[str, Any], dict[str, Any], str]]:
    """(type, input dict, expected defaults, expected `param`) for every built-in scheduler."""
    cases = []
    for family, (required, defaults) in FAMILIES.items():
        cases.append((f"{family}LR", required, defaults, "lr"))
        if family != "OneCycle":
            cases.append((f"{family}Momentum", required, defaults, "momentum"))
        named = {**required, "param_name": "weight_decay" if family != "OneCycle" else "lr"}
        cases.append((f"{family}ParamScheduler", named, defaults, named["param_name"]))
    required, defaults = FAMILIES["Poly"]
    cases.append(("PolyLRRatio", required, {**defaults, "eta_min_ratio": None}, "lr"))
    return cases


CASES = _cases()


def test_the_table_covers_every_scheduler_type() -> None:
    assert len(CASES) == 30
    assert {case[0] for case in CASES} == SCHEDULER_TYPES


@pytest.mark.parametrize(("type_", "data", "defaults", "param"), CASES, ids=[case[0] for case in CASES])
def test_parses_from_a_dict_with_mmengine_defaults(
    type_: str, data: dict[str, Any], defaults: dict[str, Any], param: str
) -> None:
    scheduler = SCHEDULER.validate_python({"type": type_, **data})
    assert type(scheduler).__name__ == type_
    assert scheduler.type == type_
    assert scheduler.param == param
    assert next(iter(type(scheduler).model_fields)) == "type"
    for name, value in {**COMMON_DEFAULTS, **defaults}.items():
        assert getattr(scheduler, name) == value, name


def test_onecycle_keeps_mmengines_eta_max_default_but_refuses_it() -> None:
    assert OneCycleLR.model_fields["eta_max"].default == 0.0
    with pytest.raises(ConfigError) as caught:
        OneCycleLR()
    assert [(p.code, p.path) for p in caught.value.problems] == [("onecycle-eta-max", ("eta_max",))]


def test_sequences_are_stored_as_tuples() -> None:
    scheduler = SCHEDULER.validate_python({"type": "MultiStepLR", "milestones": [30, 60]})
    assert isinstance(scheduler, MultiStepLR)
    assert scheduler.milestones == (30, 60)
    assert OneCycleLR(eta_max=[0.01, 0.001]).eta_max == (0.01, 0.001)


def test_family_unions_take_only_their_own_variants() -> None:
    assert isinstance(TypeAdapter(LRSchedulerConfig).validate_python({"type": "PolyLRRatio"}), PolyLRRatio)
    assert type(TypeAdapter(MomentumSchedulerConfig).validate_python({"type": "PolyMomentum"})).__name__ == (
        "PolyMomentum"
    )
    param = TypeAdapter(ParamSchedulerConfig).validate_python(
        {"type": "PolyParamScheduler", "param_name": "wd"}
    )
    assert param.param == "wd"
    with pytest.raises(ValidationError):
        TypeAdapter(LRSchedulerConfig).validate_python({"type": "PolyMomentum"})
    with pytest.raises(ValidationError):
        TypeAdapter(MomentumSchedulerConfig).validate_python({"type": "OneCycleLR", "eta_max": 0.1})


def test_misspelt_field_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        SCHEDULER.validate_python({"type": "PolyLR", "powr": 1})
    errors = caught.value.errors()
    assert [e["type"] for e in errors] == ["extra_forbidden"]
    assert errors[0]["loc"][-1] == "powr"


def test_misspelt_type_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        SCHEDULER.validate_python({"type": "PolyLr"})
    assert caught.value.errors()[0]["type"] == "union_tag_invalid"


def test_strict_types() -> None:
    with pytest.raises(ValidationError):
        SCHEDULER.validate_python({"type": "PolyLR", "end": "80000"})
    with pytest.raises(ValidationError):
        SCHEDULER.validate_python({"type": "PolyLR", "by_epoch": 0})


def test_every_class_and_field_is_documented() -> None:
    for type_ in SCHEDULER_TYPES:
        data = next(case[1] for case in CASES if case[0] == type_)
        cls = type(SCHEDULER.validate_python({"type": type_, **data}))
        assert cls.__doc__ and "\n" not in cls.__doc__.strip(), type_
        for name in cls.model_fields:
            # `type` is a constant naming the class (as in every typedseg union); the rest say what they do.
            assert name == "type" or description(cls.__name__, name), f"{type_}.{name}"


def test_json_schema_carries_descriptions_and_a_user_branch() -> None:
    schema = SCHEDULER.json_schema()
    power = schema["$defs"]["PolyLR"]["properties"]["power"]
    assert power["default"] == 1.0
    assert "polynomial" in description("PolyLR", "power")
    assert schema["$defs"]["LinearLR"]["properties"]["start_factor"]["maximum"] == 1.0
    assert any(member.get("required") == ["type"] for member in schema["oneOf"])


# --- model rules -----------------------------------------------------------------------------------


def _problems(build: Callable[[], BaseModel]) -> list[tuple[str, Path]]:
    with pytest.raises(ConfigError) as caught:
        build()
    for problem in caught.value.problems:
        assert problem.message
    return [(p.code, p.path) for p in caught.value.problems]


class WarmupHold(UserScheduler):
    """A user's scheduler: warms up, then holds."""

    hold: int = 100
    """Steps to hold the peak value."""


RULES: list[tuple[str, Callable[[], BaseModel], str, Path]] = [
    ("empty-window", lambda: LinearLR(begin=10, end=10), "schedule-empty-window", ("end",)),
    ("user-empty-window", lambda: WarmupHold(begin=10, end=5), "schedule-empty-window", ("end",)),
    (
        "convert-iter",
        lambda: PolyLR(by_epoch=False, convert_to_iter_based=True),
        "convert-needs-by-epoch",
        ("convert_to_iter_based",),
    ),
    ("linear-zero", lambda: LinearLR(start_factor=0.0), "linear-start-factor-zero", ("start_factor",)),
    ("linear-above-one", lambda: LinearLR(end_factor=2.0), "invalid-value", ("end_factor",)),
    ("linear-negative", lambda: LinearLR(start_factor=-0.1), "invalid-value", ("start_factor",)),
    ("constant-above-one", lambda: ConstantLR(factor=1.5), "invalid-value", ("factor",)),
    ("constant-zero", lambda: ConstantLR(factor=0.0), "constant-factor-zero", ("factor",)),
    (
        "cosine-both",
        lambda: CosineAnnealingLR(eta_min=0.0, eta_min_ratio=0.01),
        "eta-min-conflict",
        ("eta_min",),
    ),
    ("restart-neither", lambda: CosineRestartLR(periods=[10]), "eta-min-missing", ()),
    (
        "restart-both",
        lambda: CosineRestartLR(periods=[10], eta_min=0.0, eta_min_ratio=0.1),
        "eta-min-conflict",
        ("eta_min",),
    ),
    (
        "restart-weights",
        lambda: CosineRestartLR(periods=[10, 20], eta_min=0.0),
        "restart-weights-length",
        ("restart_weights",),
    ),
    ("ratio-both", lambda: PolyLRRatio(eta_min=1e-4, eta_min_ratio=0.01), "eta-min-conflict", ("eta_min",)),
    ("plateau-iter", lambda: ReduceOnPlateauLR(by_epoch=False), "plateau-needs-by-epoch", ("by_epoch",)),
    (
        "plateau-convert",
        lambda: ReduceOnPlateauLR(convert_to_iter_based=True),
        "plateau-no-convert",
        ("convert_to_iter_based",),
    ),
    ("plateau-factor", lambda: ReduceOnPlateauLR(factor=1.0), "invalid-value", ("factor",)),
    ("step-size", lambda: StepLR(step_size=0), "invalid-value", ("step_size",)),
    ("milestone-negative", lambda: MultiStepLR(milestones=[-1, 5]), "milestone-negative", ("milestones", 0)),
    (
        "milestones-order",
        lambda: MultiStepLR(milestones=[5, 3]),
        "milestones-not-increasing",
        ("milestones",),
    ),
    (
        "milestones-repeat",
        lambda: MultiStepLR(milestones=[5, 5]),
        "milestones-not-increasing",
        ("milestones",),
    ),
    ("onecycle-zero", lambda: OneCycleLR(eta_max=[0.1, 0.0]), "onecycle-eta-max", ("eta_max",)),
    (
        "onecycle-param",
        lambda: OneCycleParamScheduler(param_name="momentum", eta_max=0.1),
        "onecycle-param-name",
        ("param_name",),
    ),
    ("negative-begin", lambda: PolyLR(begin=-1), "invalid-value", ("begin",)),
]


@pytest.mark.parametrize(("build", "code", "path"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_model_rule_fires(build: Callable[[], BaseModel], code: str, path: Path) -> None:
    assert _problems(build) == [(code, path)]


def test_model_rules_report_every_problem_with_a_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        LinearLR(start_factor=0.0, begin=5, end=5, by_epoch=False, convert_to_iter_based=True)
    problems = caught.value.problems
    assert [p.code for p in problems] == [
        "schedule-empty-window",
        "convert-needs-by-epoch",
        "linear-start-factor-zero",
    ]
    assert all(p.hint for p in problems)
    assert "1e-6" in problems[2].hint


def test_restart_weights_hint_gives_the_right_length() -> None:
    with pytest.raises(ConfigError) as caught:
        CosineRestartLR(periods=[10, 20, 30], eta_min=0.0)
    assert "restart_weights=[1.0, 1.0, 1.0]" in caught.value.problems[0].hint


def test_polylrratio_with_only_a_ratio_is_fine() -> None:
    assert PolyLRRatio(eta_min_ratio=0.01, power=0.9).eta_min_ratio == 0.01


# --- the user branch -------------------------------------------------------------------------------


def test_user_scheduler_validates_from_its_dotted_type() -> None:
    data = {"type": dotted_name(WarmupHold), "hold": 5, "end": 50, "by_epoch": False}
    scheduler = SCHEDULER.validate_python(data)
    assert isinstance(scheduler, WarmupHold)
    assert (scheduler.hold, scheduler.end, scheduler.by_epoch, scheduler.param) == (5, 50, False, "lr")


def test_user_scheduler_instances_pass_through_and_name_their_param() -> None:
    scheduler = WarmupHold(param_name="weight_decay")
    assert scheduler.type == dotted_name(WarmupHold)
    assert SCHEDULER.validate_python(scheduler) is scheduler
    assert scheduler.param == "weight_decay"


def test_user_branch_refuses_a_class_that_is_not_a_user_scheduler() -> None:
    with pytest.raises(ValidationError) as caught:
        SCHEDULER.validate_python({"type": dotted_name(PolyLR)})
    assert caught.value.errors()[0]["type"] == "user-type-base"


def test_user_scheduler_fields_are_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        SCHEDULER.validate_python({"type": dotted_name(WarmupHold), "hodl": 5})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_poly_lr_ratio_survives_a_resolved_dump() -> None:
    scheduler = PolyLRRatio(eta_min_ratio=0.01, power=0.9, end=100, by_epoch=False)
    dumped = scheduler.model_dump()
    assert dumped["eta_min"] == 0.0  # dumps are fully resolved
    assert TypeAdapter(LRSchedulerConfig).validate_python(dumped) == scheduler
