"""Cross-section hook rules: hooks against the train loop, the evaluator's metrics, and each other."""

from __future__ import annotations

from collections.abc import Sequence

from typedseg.config.hooks import (
    CheckpointHook,
    CustomHookConfig,
    DefaultHooks,
    EarlyStoppingHook,
    EMAHook,
    EmptyCacheHook,
    LoggerHook,
    ParamSchedulerHook,
    ProfilerHook,
    SegVisualizationHook,
)
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.config.rules.hooks import check_hooks
from typedseg.problems import Problem, format_path

MMSEG_METRICS = ("aAcc", "mIoU", "mAcc")
ITERS_80K = IterBasedTrainLoop(max_iters=80000)
EPOCHS_12 = EpochBasedTrainLoop(max_epochs=12)


def mmseg_default_hooks(**overrides: object) -> DefaultHooks:
    """MMSegmentation's `schedule_80k` default_hooks, with some slots replaced."""
    slots: dict[str, object] = {
        "logger": LoggerHook(interval=50, log_metric_by_epoch=False),
        "checkpoint": CheckpointHook(by_epoch=False, interval=8000, save_best="mIoU"),
        "visualization": SegVisualizationHook(),
    }
    return DefaultHooks.model_validate({**slots, **overrides})


def check(
    default_hooks: DefaultHooks | None = None,
    custom_hooks: Sequence[CustomHookConfig] = (),
    train_cfg: EpochBasedTrainLoop | IterBasedTrainLoop | None = ITERS_80K,
    metrics: Sequence[str] | None = MMSEG_METRICS,
) -> list[Problem]:
    return check_hooks(default_hooks or mmseg_default_hooks(), custom_hooks, train_cfg, metrics=metrics)


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_mmseg_schedule_pattern_is_clean() -> None:
    assert check() == []


def test_epoch_loop_with_mmengine_defaults_is_clean() -> None:
    assert check(DefaultHooks(), train_cfg=EPOCHS_12) == []


def test_mmengine_defaults_under_iteration_loop() -> None:
    problems = check(DefaultHooks())
    assert [(p.code, p.path) for p in problems] == [
        ("hook-by-epoch-mismatch", ("default_hooks", "logger", "log_metric_by_epoch")),
        ("hook-by-epoch-mismatch", ("default_hooks", "checkpoint", "by_epoch")),
    ]
    logger, checkpoint = problems
    assert "80000" in logger.message and "step 0" in logger.message
    assert "80000" in checkpoint.message and "interval=1" in checkpoint.message
    assert "interval=8000" in checkpoint.hint


def test_logger_by_epoch_irrelevant_without_validation() -> None:
    hooks = mmseg_default_hooks(
        logger=LoggerHook(interval=50), checkpoint=CheckpointHook(by_epoch=False, interval=8000)
    )
    assert check(hooks, metrics=None) == []
    assert only(check(hooks)).path == ("default_hooks", "logger", "log_metric_by_epoch")


def test_checkpoint_by_epoch_fine_when_only_the_last_is_saved() -> None:
    hooks = mmseg_default_hooks(checkpoint=CheckpointHook())
    assert check(hooks) == []


def test_checkpoint_by_epoch_with_save_best_under_iteration_loop() -> None:
    hooks = mmseg_default_hooks(checkpoint=CheckpointHook(save_best="mIoU"))
    problem = only(check(hooks))
    assert (problem.code, problem.path) == (
        "hook-by-epoch-mismatch",
        ("default_hooks", "checkpoint", "by_epoch"),
    )


def test_checkpoint_interval_longer_than_iteration_run() -> None:
    hooks = mmseg_default_hooks(checkpoint=CheckpointHook(by_epoch=False, interval=100000))
    problem = only(check(hooks))
    assert (problem.code, problem.path) == (
        "interval-exceeds-run",
        ("default_hooks", "checkpoint", "interval"),
    )
    assert "100000" in problem.message and "80000" in problem.message
    assert "80000" in problem.hint


def test_checkpoint_interval_longer_than_epoch_run() -> None:
    problem = only(check(DefaultHooks(checkpoint=CheckpointHook(interval=20)), train_cfg=EPOCHS_12))
    assert problem.code == "interval-exceeds-run"
    assert "interval=20 epochs" in problem.message and "12 epochs" in problem.message


def test_checkpoint_interval_in_other_unit_is_not_compared() -> None:
    hooks = DefaultHooks(checkpoint=CheckpointHook(by_epoch=False, interval=5000))
    assert check(hooks, train_cfg=EPOCHS_12) == []


def test_checkpoint_interval_equal_to_run_is_fine() -> None:
    assert check(mmseg_default_hooks(checkpoint=CheckpointHook(by_epoch=False, interval=80000))) == []


def test_checkpoint_save_begin_after_run() -> None:
    hooks = mmseg_default_hooks(checkpoint=CheckpointHook(by_epoch=False, interval=8000, save_begin=90000))
    problem = only(check(hooks))
    assert (problem.code, problem.path) == ("starts-after-run", ("default_hooks", "checkpoint", "save_begin"))
    assert "90000" in problem.message and "80000" in problem.message


def test_logger_interval_longer_than_run() -> None:
    hooks = mmseg_default_hooks(
        logger=LoggerHook(interval=100, log_metric_by_epoch=False),
        checkpoint=CheckpointHook(by_epoch=False, interval=10, save_best="mIoU"),
    )
    problem = only(check(hooks, train_cfg=IterBasedTrainLoop(max_iters=40)))
    assert (problem.code, problem.path) == ("interval-exceeds-run", ("default_hooks", "logger", "interval"))
    assert "interval=100" in problem.message and "40 iterations" in problem.message


def test_save_best_unknown_metric_suggests() -> None:
    hooks = mmseg_default_hooks(checkpoint=CheckpointHook(by_epoch=False, interval=8000, save_best="miou"))
    problem = only(check(hooks))
    assert (problem.code, problem.path) == ("unknown-metric", ("default_hooks", "checkpoint", "save_best"))
    assert "aAcc, mIoU, mAcc" in problem.message
    assert problem.hint == "Did you mean 'mIoU'?"


def test_save_best_list_points_at_the_entry() -> None:
    hooks = mmseg_default_hooks(
        checkpoint=CheckpointHook(by_epoch=False, interval=8000, save_best=["mIoU", "mDice"])
    )
    problem = only(check(hooks))
    assert problem.path == ("default_hooks", "checkpoint", "save_best", 1)
    assert format_path(problem.path) == "default_hooks.checkpoint.save_best[1]"


def test_save_best_without_evaluator() -> None:
    problem = only(check(metrics=None))
    assert (problem.code, problem.path) == ("no-evaluator", ("default_hooks", "checkpoint", "save_best"))
    assert "mIoU" in problem.message


def test_save_best_auto() -> None:
    auto = mmseg_default_hooks(checkpoint=CheckpointHook(by_epoch=False, interval=8000, save_best="auto"))
    assert check(auto) == []
    problem = only(check(auto, metrics=()))
    assert (problem.code, problem.path) == ("unknown-metric", ("default_hooks", "checkpoint", "save_best"))


def test_save_best_auto_rule_checked_against_first_metric() -> None:
    hooks = mmseg_default_hooks(
        checkpoint=CheckpointHook(by_epoch=False, interval=8000, save_best="auto", rule="less")
    )
    problem = only(check(hooks))
    assert (problem.code, problem.path) == (
        "rule-contradicts-metric",
        ("default_hooks", "checkpoint", "rule"),
    )
    assert "'aAcc'" in problem.message
    problem = only(
        check(
            mmseg_default_hooks(checkpoint=CheckpointHook(by_epoch=False, save_best="auto")),
            metrics=("mRecall",),
        )
    )
    assert (problem.code, problem.path) == (
        "rule-not-inferable",
        ("default_hooks", "checkpoint", "save_best"),
    )


def test_early_stopping_monitor() -> None:
    assert check(custom_hooks=[EarlyStoppingHook(monitor="mIoU")]) == []
    problem = only(check(custom_hooks=[EarlyStoppingHook(monitor="mAccc")]))
    assert (problem.code, problem.path) == ("unknown-metric", ("custom_hooks", 0, "monitor"))
    assert problem.hint == "Did you mean 'mAcc'?"
    problem = only(check(DefaultHooks(), [EarlyStoppingHook(monitor="mIoU")], EPOCHS_12, None))
    assert (problem.code, problem.path) == ("no-evaluator", ("custom_hooks", 0, "monitor"))


def test_ema_begin_iter_after_run() -> None:
    custom: list[CustomHookConfig] = [
        EmptyCacheHook(),
        EarlyStoppingHook(monitor="mIoU"),
        EMAHook(begin_iter=90000),
    ]
    problem = only(check(custom_hooks=custom))
    assert (problem.code, problem.path) == ("starts-after-run", ("custom_hooks", 2, "begin_iter"))
    assert format_path(problem.path) == "custom_hooks[2].begin_iter"
    assert "90000" in problem.message and "80000" in problem.message
    assert check(custom_hooks=[EMAHook(begin_iter=80000)]) == []


def test_ema_begin_epoch() -> None:
    problem = only(check(custom_hooks=[EMAHook(begin_epoch=2)]))
    assert (problem.code, problem.path) == ("hook-by-epoch-mismatch", ("custom_hooks", 0, "begin_epoch"))
    problem = only(check(DefaultHooks(), [EMAHook(begin_epoch=13)], EPOCHS_12, MMSEG_METRICS))
    assert (problem.code, problem.path) == ("starts-after-run", ("custom_hooks", 0, "begin_epoch"))
    assert "13" in problem.message and "12 epochs" in problem.message
    assert check(DefaultHooks(), [EMAHook(begin_epoch=12)], EPOCHS_12) == []


def test_ema_begin_iter_under_epoch_loop_is_not_compared() -> None:
    assert check(DefaultHooks(), [EMAHook(begin_iter=10**9)], EPOCHS_12) == []


def test_profiler() -> None:
    problem = only(check(custom_hooks=[ProfilerHook()]))
    assert (problem.code, problem.path) == ("hook-by-epoch-mismatch", ("custom_hooks", 0, "by_epoch"))
    assert "80000" in problem.message
    problem = only(
        check(
            mmseg_default_hooks(
                logger=LoggerHook(log_metric_by_epoch=False),
                checkpoint=CheckpointHook(by_epoch=False, interval=10),
            ),
            [ProfilerHook(by_epoch=False, profile_times=50)],
            IterBasedTrainLoop(max_iters=20),
        )
    )
    assert (problem.code, problem.path) == ("profile-exceeds-run", ("custom_hooks", 0, "profile_times"))
    assert "50" in problem.message and "20 iterations" in problem.message
    assert check(custom_hooks=[ProfilerHook(by_epoch=False, profile_times=10)]) == []


def test_duplicate_default_hook_in_custom_hooks() -> None:
    custom: list[CustomHookConfig] = [
        EmptyCacheHook(),
        CheckpointHook(by_epoch=False, interval=4000),
        ParamSchedulerHook(),
    ]
    problems = check(custom_hooks=custom)
    assert [(p.code, p.path) for p in problems] == [
        ("duplicate-hook", ("custom_hooks", 1)),
        ("duplicate-hook", ("custom_hooks", 2)),
    ]
    checkpoint, scheduler = problems
    assert "default_hooks.checkpoint" in checkpoint.message and "default_hooks.checkpoint" in checkpoint.hint
    assert "twice" in scheduler.message


def test_duplicate_custom_hooks() -> None:
    problem = only(check(custom_hooks=[EMAHook(), EMAHook(momentum=0.001)]))
    assert (problem.code, problem.path) == ("duplicate-hook", ("custom_hooks", 1))
    assert "custom_hooks[0]" in problem.message


def test_hooks_that_may_repeat() -> None:
    custom: list[CustomHookConfig] = [
        EarlyStoppingHook(monitor="mIoU"),
        EarlyStoppingHook(monitor="aAcc", patience=10),
        EmptyCacheHook(),
        EmptyCacheHook(after_iter=True, after_epoch=False),
    ]
    assert check(custom_hooks=custom) == []


def test_visualization_in_custom_hooks() -> None:
    without = mmseg_default_hooks(visualization=None)
    assert check(without, [SegVisualizationHook(draw=True)]) == []
    problem = only(check(custom_hooks=[SegVisualizationHook(draw=True)]))
    assert (problem.code, problem.path) == ("duplicate-hook", ("custom_hooks", 0))


def test_no_train_loop_checks_only_metrics() -> None:
    assert check(DefaultHooks(), train_cfg=None) == []
    problem = only(check(DefaultHooks(checkpoint=CheckpointHook(save_best="mIoUU")), train_cfg=None))
    assert problem.code == "unknown-metric"


def test_every_problem_is_collected() -> None:
    hooks = DefaultHooks(checkpoint=CheckpointHook(interval=5, save_best="miou"))
    custom: list[CustomHookConfig] = [
        EarlyStoppingHook(monitor="acc"),
        ParamSchedulerHook(),
        EMAHook(begin_iter=99999),
    ]
    problems = check(hooks, custom)
    assert sorted(p.code for p in problems) == [
        "duplicate-hook",
        "hook-by-epoch-mismatch",
        "hook-by-epoch-mismatch",
        "starts-after-run",
        "unknown-metric",
        "unknown-metric",
    ]
    assert all(p.hint for p in problems)
