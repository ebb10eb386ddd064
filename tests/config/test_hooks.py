"""MMEngine's defaults and priorities, default_hooks, the custom_hooks union, intra-model rules."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from pydantic import ValidationError

from tests.committed_schema import description
from typedseg.config.base import ConfigModel, Seq, dotted_name
from typedseg.config.errors import problems_from_validation
from typedseg.config.hooks import (
    EVENTS,
    PRIORITIES,
    CheckpointHook,
    DefaultHooks,
    DistSamplerSeedHook,
    EarlyStoppingHook,
    EMAHook,
    EmptyCacheHook,
    IterTimerHook,
    LoggerHook,
    LogTrace,
    ParamSchedulerHook,
    ProfilerHook,
    RuntimeInfoHook,
    SegVisualizationHook,
    SyncBuffersHook,
    TbTrace,
    UserHook,
    infer_rule,
    priority_value,
)
from typedseg.config.hooks._tagged import CustomHookConfig  # the real union (the package's is lazy)
from typedseg.problems import ConfigError, Problem

# MMEngine 0.10.7 / MMSegmentation 1.2.2 defaults and class priorities (mmengine_surface.md §1.2, §1.4).
MMENGINE_DEFAULTS: dict[type[ConfigModel], dict[str, Any]] = {
    RuntimeInfoHook: {"priority": "VERY_HIGH"},
    IterTimerHook: {"priority": "NORMAL"},
    DistSamplerSeedHook: {"priority": "NORMAL"},
    LoggerHook: {
        "interval": 10,
        "ignore_last": True,
        "interval_exp_name": 1000,
        "out_dir": None,
        "out_suffix": (".json", ".log", ".py", "yaml"),
        "keep_local": True,
        "log_metric_by_epoch": True,
        "backend_args": None,
        "priority": "BELOW_NORMAL",
    },
    ParamSchedulerHook: {"priority": "LOW"},
    CheckpointHook: {
        "interval": -1,
        "by_epoch": True,
        "save_optimizer": True,
        "save_param_scheduler": True,
        "out_dir": None,
        "max_keep_ckpts": -1,
        "save_last": True,
        "save_best": None,
        "rule": None,
        "greater_keys": None,
        "less_keys": None,
        "filename_tmpl": None,
        "backend_args": None,
        "published_keys": None,
        "save_begin": 0,
        "priority": "VERY_LOW",
    },
    EMAHook: {
        "ema_type": "ExponentialMovingAverage",
        "strict_load": False,
        "begin_iter": 0,
        "begin_epoch": 0,
        "momentum": 0.0002,
        "interval": 1,
        "update_buffers": False,
        "gamma": None,
        "priority": "NORMAL",
    },
    EmptyCacheHook: {"before_epoch": False, "after_epoch": True, "after_iter": False, "priority": "NORMAL"},
    SyncBuffersHook: {"priority": "NORMAL"},
    EarlyStoppingHook: {
        "monitor": "mIoU",  # required: the one value here that is ours, not a default
        "rule": None,
        "min_delta": 0.1,
        "strict": False,
        "check_finite": True,
        "patience": 5,
        "stopping_threshold": None,
        "priority": "LOWEST",
    },
    ProfilerHook: {
        "by_epoch": True,
        "profile_times": 1,
        "activity_with_cpu": True,
        "activity_with_cuda": False,
        "schedule": None,
        "on_trace_ready": None,
        "record_shapes": False,
        "profile_memory": False,
        "with_stack": False,
        "with_flops": False,
        "json_trace_path": None,
        "priority": "VERY_LOW",
    },
    SegVisualizationHook: {
        "draw": False,
        "interval": 50,
        "show": False,
        "wait_time": 0.0,
        "backend_args": None,
        "priority": "NORMAL",
    },
}

MMENGINE_PRIORITY_VALUES = {
    RuntimeInfoHook: 10,
    IterTimerHook: 50,
    DistSamplerSeedHook: 50,
    LoggerHook: 60,
    ParamSchedulerHook: 70,
    CheckpointHook: 90,
    EMAHook: 50,
    EmptyCacheHook: 50,
    SyncBuffersHook: 50,
    EarlyStoppingHook: 100,
    ProfilerHook: 90,
    SegVisualizationHook: 50,
}


def problems_of(cls: type[ConfigModel], **kwargs: Any) -> list[Problem]:
    """The problems a Python construction raises (an empty list if it succeeds)."""
    try:
        cls(**kwargs)
    except ConfigError as exc:
        return exc.problems
    return []


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


class Hooks(ConfigModel):
    """The two hook sections of an experiment, as the experiment model will hold them."""

    default_hooks: DefaultHooks = DefaultHooks()
    custom_hooks: Seq[CustomHookConfig] = ()


class GradNormAlarm(UserHook):
    """A user's own hook config, as a user package would define it."""

    threshold: float = 10.0


# --- MMEngine's defaults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", list(MMENGINE_DEFAULTS), ids=lambda cls: cls.__name__)
def test_defaults_equal_mmengine(cls: type[ConfigModel]) -> None:
    expected = MMENGINE_DEFAULTS[cls]
    data = {"monitor": expected["monitor"]} if "monitor" in expected else {}
    assert cls.model_validate(data).model_dump() == {"type": cls.__name__, **expected}


@pytest.mark.parametrize("cls", list(MMENGINE_DEFAULTS), ids=lambda cls: cls.__name__)
def test_type_is_first_field_and_class_name(cls: type[ConfigModel]) -> None:
    assert next(iter(cls.model_fields)) == "type"
    assert cls.model_fields["type"].default == cls.__name__


@pytest.mark.parametrize("cls", list(MMENGINE_PRIORITY_VALUES), ids=lambda cls: cls.__name__)
def test_default_priority_is_mmengine_class_priority(cls: type[ConfigModel]) -> None:
    assert priority_value(cls.model_fields["priority"].default) == MMENGINE_PRIORITY_VALUES[cls]


@pytest.mark.parametrize("cls", list(MMENGINE_DEFAULTS), ids=lambda cls: cls.__name__)
def test_every_field_is_documented(cls: type[ConfigModel]) -> None:
    assert cls.__doc__
    undocumented = [
        name for name in cls.model_fields if name != "type" and not description(cls.__name__, name)
    ]
    assert undocumented == []


def test_early_stopping_needs_monitor() -> None:
    assert only(problems_of(EarlyStoppingHook)).path == ("monitor",)


def test_checkpoint_typo_is_refused_with_suggestion() -> None:
    problem = only(problems_of(CheckpointHook, save_bset="mIoU"))
    assert (problem.code, problem.path, problem.hint) == (
        "unknown-key",
        ("save_bset",),
        "Did you mean 'save_best'?",
    )


# --- priorities ---------------------------------------------------------------------------------------------


def test_priority_names_and_values() -> None:
    assert PRIORITIES == {
        "HIGHEST": 0,
        "VERY_HIGH": 10,
        "HIGH": 30,
        "ABOVE_NORMAL": 40,
        "NORMAL": 50,
        "BELOW_NORMAL": 60,
        "LOW": 70,
        "VERY_LOW": 90,
        "LOWEST": 100,
    }
    assert priority_value(42) == 42


@pytest.mark.parametrize(
    ("given", "stored", "value"), [("very_high", "VERY_HIGH", 10), ("Lowest", "LOWEST", 100)]
)
def test_priority_names_are_case_insensitive(given: str, stored: str, value: int) -> None:
    hook = IterTimerHook.model_validate({"priority": given})
    assert hook.priority == stored
    assert priority_value(hook.priority) == value


@pytest.mark.parametrize("given", [0, 100])
def test_priority_ints_within_range(given: int) -> None:
    assert priority_value(IterTimerHook.model_validate({"priority": given}).priority) == given


@pytest.mark.parametrize("given", [101, -1, True, 1.5])
def test_priority_out_of_range_refused_once(given: object) -> None:
    problem = only(problems_of(IterTimerHook, priority=given))
    assert problem.path == ("priority",)
    assert "from 0" in problem.message and "to 100" in problem.message


def test_priority_misspelt_name_suggests() -> None:
    problem = only(problems_of(LoggerHook, priority="very_hihg"))
    assert "did you mean 'VERY_HIGH'" in problem.message


def test_user_hook_priority_defaults_to_normal() -> None:
    assert GradNormAlarm().priority == "NORMAL"


def test_events() -> None:
    assert len(EVENTS) == 22 == len(set(EVENTS))
    assert EVENTS[:3] == ("before_run", "after_load_checkpoint", "before_train")
    assert EVENTS.index("before_save_checkpoint") == EVENTS.index("after_val") + 1
    assert EVENTS[-1] == "after_run"


# --- default_hooks ------------------------------------------------------------------------------------------


def test_default_hooks_defaults() -> None:
    hooks = DefaultHooks()
    assert hooks.checkpoint == CheckpointHook(interval=1)
    assert hooks.checkpoint.interval == 1
    assert hooks.logger == LoggerHook()
    assert hooks.runtime_info == RuntimeInfoHook()
    assert hooks.timer == IterTimerHook()
    assert hooks.sampler_seed == DistSamplerSeedHook()
    assert hooks.param_scheduler == ParamSchedulerHook()
    assert hooks.visualization is None
    assert list(DefaultHooks.model_fields) == [
        "runtime_info",
        "timer",
        "sampler_seed",
        "logger",
        "param_scheduler",
        "checkpoint",
        "visualization",
    ]


def test_default_hook_defaults_carry_no_call_site() -> None:
    assert DefaultHooks().checkpoint.site is None


def test_default_hooks_slot_types_for_mypy_and_editors() -> None:
    hints = typing.get_type_hints(DefaultHooks)
    assert hints["checkpoint"] is CheckpointHook
    assert hints["logger"] is LoggerHook
    assert hints["visualization"] == SegVisualizationHook | None


def test_misspelt_default_hook_slot_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        DefaultHooks.model_validate({"chekpoint": {"type": "CheckpointHook", "interval": 5}})
    (error,) = info.value.errors()
    assert (error["type"], error["loc"]) == ("extra_forbidden", ("chekpoint",))
    problem = only(problems_from_validation(info.value, DefaultHooks))
    assert (problem.code, problem.hint) == ("unknown-key", "Did you mean 'checkpoint'?")


def test_default_hook_slot_accepts_only_its_hook() -> None:
    with pytest.raises(ValidationError):
        DefaultHooks.model_validate({"checkpoint": {"type": "LoggerHook"}})
    hooks = DefaultHooks.model_validate({"checkpoint": {"interval": 4000, "by_epoch": False}})
    assert hooks.checkpoint == CheckpointHook(interval=4000, by_epoch=False)


def test_default_hooks_mmseg_schedule() -> None:
    hooks = DefaultHooks(
        logger=LoggerHook(interval=50, log_metric_by_epoch=False),
        checkpoint=CheckpointHook(by_epoch=False, interval=8000),
        visualization=SegVisualizationHook(),
    )
    assert hooks.checkpoint.interval == 8000
    assert hooks.visualization == SegVisualizationHook()


# --- custom_hooks -------------------------------------------------------------------------------------------


def test_custom_hooks_from_dicts() -> None:
    hooks = Hooks.model_validate(
        {
            "custom_hooks": [
                {"type": "EMAHook", "momentum": 0.001, "priority": "above_normal"},
                {"type": "EarlyStoppingHook", "monitor": "mIoU", "patience": 3},
                {"type": "EmptyCacheHook"},
                {
                    "type": "ProfilerHook",
                    "by_epoch": False,
                    "on_trace_ready": {"type": "tb_trace", "dir_name": "tb"},
                },
            ]
        }
    )
    ema, early, empty, profiler = hooks.custom_hooks
    assert ema == EMAHook(momentum=0.001, priority="ABOVE_NORMAL")
    assert early == EarlyStoppingHook(monitor="mIoU", patience=3)
    assert empty == EmptyCacheHook()
    assert isinstance(profiler, ProfilerHook)
    assert profiler.on_trace_ready == TbTrace(dir_name="tb")


def test_custom_hook_unknown_type_suggests() -> None:
    with pytest.raises(ValidationError) as info:
        Hooks.model_validate({"custom_hooks": [{"type": "EMAHok"}]})
    problem = only(problems_from_validation(info.value, Hooks))
    assert (problem.code, problem.path, problem.hint) == (
        "unknown-type",
        ("custom_hooks", 0),
        "Did you mean 'EMAHook'?",
    )


def test_custom_hook_unknown_key_names_its_hook() -> None:
    with pytest.raises(ValidationError) as info:
        Hooks.model_validate(
            {"custom_hooks": [{"type": "EarlyStoppingHook", "monitor": "mIoU", "patiense": 2}]}
        )
    problem = only(problems_from_validation(info.value, Hooks))
    assert (problem.code, problem.path) == ("unknown-key", ("custom_hooks", 0, "patiense"))
    assert problem.hint == "Did you mean 'patience'?"


def test_user_hook_from_dict_by_dotted_type() -> None:
    hooks = Hooks.model_validate(
        {"custom_hooks": [{"type": dotted_name(GradNormAlarm), "threshold": 3.0, "priority": "high"}]}
    )
    (hook,) = hooks.custom_hooks
    assert isinstance(hook, GradNormAlarm)
    assert (hook.threshold, hook.priority) == (3.0, "HIGH")
    assert (
        hooks.model_dump()["custom_hooks"][0]["threshold"] == 3.0
    )  # SerializeAsAny keeps the subclass fields


def test_user_hook_instance_in_python_config() -> None:
    alarm = GradNormAlarm(threshold=2.0)
    hooks = Hooks(custom_hooks=[alarm, EmptyCacheHook()])
    assert hooks.custom_hooks == (alarm, EmptyCacheHook())
    assert alarm.type == dotted_name(GradNormAlarm)


def test_user_hook_unknown_key_refused() -> None:
    with pytest.raises(ValidationError):
        Hooks.model_validate({"custom_hooks": [{"type": dotted_name(GradNormAlarm), "treshold": 3.0}]})


def test_custom_hooks_json_schema_has_every_hook_and_an_open_user_branch() -> None:
    schema = Hooks.model_json_schema()
    text = str(schema)
    for cls in MMENGINE_DEFAULTS:
        assert cls.__name__ in schema["$defs"], cls
    assert "A user's own component config" in text


# --- intra-model rules --------------------------------------------------------------------------------------


def test_logger_interval_positive() -> None:
    assert only(problems_of(LoggerHook, interval=0)).path == ("interval",)


def test_logger_keep_local_without_out_dir() -> None:
    problem = only(problems_of(LoggerHook, keep_local=False))
    assert (problem.code, problem.path) == ("unused-setting", ("keep_local",))
    assert LoggerHook(keep_local=False, out_dir="s3://bucket/logs").keep_local is False


def test_checkpoint_rule_contradicts_metric() -> None:
    problem = only(problems_of(CheckpointHook, save_best="mIoU", rule="less"))
    assert (problem.code, problem.path) == ("rule-contradicts-metric", ("rule",))
    assert "mIoU" in problem.message and "rule='greater'" in problem.hint


def test_checkpoint_explicit_rule_corrects_a_substring_guess() -> None:
    assert infer_rule("stop_loss") == "greater"  # 'top' is a greater key: MMEngine guesses wrong
    assert CheckpointHook(save_best="stop_loss", rule="less").best_rules == ("less",)


def test_checkpoint_rule_not_inferable() -> None:
    problem = only(problems_of(CheckpointHook, save_best=["mIoU", "mRecall"]))
    assert (problem.code, problem.path) == ("rule-not-inferable", ("save_best", 1))
    assert "mRecall" in problem.message
    assert CheckpointHook(save_best=["mIoU", "mRecall"], rule=["greater", "greater"]).best_rules == (
        "greater",
        "greater",
    )


def test_checkpoint_custom_keys_drive_inference() -> None:
    assert CheckpointHook(save_best="mRecall", greater_keys=["recall"]).best_metrics == ("mRecall",)


def test_checkpoint_rule_count_must_match_save_best() -> None:
    problem = only(
        problems_of(CheckpointHook, save_best=["mIoU", "aAcc"], rule=["greater", "greater", "less"])
    )
    assert (problem.code, problem.path) == ("save-best-rule-count", ("rule",))
    assert "3 rules for 2" in problem.message
    assert CheckpointHook(save_best=["mIoU", "aAcc"], rule=["greater"]).best_rules == ("greater", "greater")


def test_checkpoint_rule_list_contradiction_points_at_entry() -> None:
    problem = only(problems_of(CheckpointHook, save_best=["mIoU", "aAcc"], rule=["greater", "less"]))
    assert (problem.code, problem.path) == ("rule-contradicts-metric", ("rule", 1))


def test_checkpoint_ranking_settings_without_save_best() -> None:
    problems = problems_of(CheckpointHook, rule="greater", less_keys=["loss"])
    assert [(p.code, p.path) for p in problems] == [
        ("unused-setting", ("rule",)),
        ("unused-setting", ("less_keys",)),
    ]


def test_checkpoint_save_best_shape() -> None:
    assert only(problems_of(CheckpointHook, save_best=["auto", "mIoU"])).code == "invalid-value"
    assert only(problems_of(CheckpointHook, save_best=["mIoU", "mIoU"])).code == "invalid-value"


def test_checkpoint_save_begin() -> None:
    assert only(problems_of(CheckpointHook, save_begin=-1)).path == ("save_begin",)
    problem = only(problems_of(CheckpointHook, save_begin=5))
    assert (problem.code, problem.path) == ("unused-setting", ("save_begin",))
    assert "save_begin=5" in problem.message and "interval=-1" in problem.message


@pytest.mark.parametrize("template", ["latest.pth", "iter_{1}.pth", "iter_{.pth"])
def test_checkpoint_filename_template_needs_the_step(template: str) -> None:
    problem = only(problems_of(CheckpointHook, filename_tmpl=template))
    assert (problem.code, problem.path) == ("invalid-value", ("filename_tmpl",))
    assert CheckpointHook(filename_tmpl="iter_{:06d}.pth").filename_tmpl == "iter_{:06d}.pth"


def test_ema_begin_both() -> None:
    problem = only(problems_of(EMAHook, begin_iter=1000, begin_epoch=2))
    assert (problem.code, problem.path) == ("ema-begin-both", ("begin_epoch",))
    assert "1000" in problem.message and "2" in problem.message


@pytest.mark.parametrize("momentum", [0.0, 1.0, -0.1])
def test_ema_momentum_open_interval(momentum: float) -> None:
    assert only(problems_of(EMAHook, momentum=momentum)).path == ("momentum",)


def test_ema_gamma() -> None:
    assert EMAHook().resolved_gamma is None
    assert EMAHook(ema_type="MomentumAnnealingEMA").resolved_gamma == 100
    assert EMAHook(ema_type="MomentumAnnealingEMA", gamma=500).resolved_gamma == 500
    problem = only(problems_of(EMAHook, gamma=500))
    assert (problem.code, problem.path) == ("unused-setting", ("gamma",))


def test_ema_swa_takes_no_momentum() -> None:
    problem = only(problems_of(EMAHook, ema_type="StochasticWeightAverage", momentum=0.01))
    assert (problem.code, problem.path) == ("unused-setting", ("momentum",))
    swa = EMAHook(ema_type="StochasticWeightAverage")
    assert EMAHook.model_validate(swa.model_dump()) == swa  # a dump (momentum written out) reloads


def test_early_stopping_rules() -> None:
    assert only(problems_of(EarlyStoppingHook, monitor="mIoU", patience=0)).path == ("patience",)
    problem = only(problems_of(EarlyStoppingHook, monitor="mIoU", rule="less"))
    assert (problem.code, problem.path) == ("rule-contradicts-metric", ("rule",))
    problem = only(problems_of(EarlyStoppingHook, monitor="mFscore"))
    assert (problem.code, problem.path) == ("rule-not-inferable", ("monitor",))
    assert EarlyStoppingHook(monitor="mFscore", rule="greater").rule == "greater"
    assert EarlyStoppingHook(monitor="val/loss").monitor == "val/loss"


def test_profiler_rules() -> None:
    problem = only(problems_of(ProfilerHook, profile_times=3))
    assert (problem.code, problem.path) == ("profile-times-by-epoch", ("profile_times",))
    assert "profile_times=3" in problem.message
    assert ProfilerHook(by_epoch=False, profile_times=3).profile_times == 3
    assert only(problems_of(ProfilerHook, profile_times=0)).path == ("profile_times",)


def test_profiler_schedule_keys() -> None:
    problems = problems_of(ProfilerHook, schedule={"wait": 1, "warmpu": 1, "active": 2})
    # One mistake, one problem: "warmup is required" is implied by the suggestion.
    assert [(p.code, p.path) for p in problems] == [("unknown-key", ("schedule", "warmpu"))]
    assert problems[0].hint == "Did you mean 'warmup'?"
    missing = problems_of(ProfilerHook, schedule={"wait": 1, "active": 2})
    assert [(p.code, p.path) for p in missing] == [("missing", ("schedule", "warmup"))]
    ProfilerHook(schedule={"wait": 1, "warmup": 1, "active": 3, "repeat": 2})


def test_profiler_trace_handlers() -> None:
    hook = ProfilerHook.model_validate(
        {"on_trace_ready": {"type": "log_trace", "sort_by": "self_cpu_time_total"}}
    )
    assert hook.on_trace_ready == LogTrace(sort_by="self_cpu_time_total")
    with pytest.raises(ValidationError):
        ProfilerHook.model_validate({"on_trace_ready": {"type": "tb_trace", "dirname": "x"}})


def test_seg_visualization_show_needs_draw() -> None:
    problem = only(problems_of(SegVisualizationHook, show=True))
    assert (problem.code, problem.path) == ("unused-setting", ("show",))
    assert SegVisualizationHook(draw=True, show=True).show


def test_rules_collect_every_problem() -> None:
    problems = problems_of(
        CheckpointHook, save_best=["mIoU", "mRecall"], rule="less", filename_tmpl="last.pth"
    )
    assert sorted(p.code for p in problems) == ["invalid-value", "rule-contradicts-metric"]
