"""Schedule rules: windows against the train loop and each other, with paths from the experiment root."""

from __future__ import annotations

from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.config.rules.schedules import check_schedules, scheduler_window
from typedseg.config.schedulers import (
    ConstantMomentum,
    CosineAnnealingLR,
    LinearLR,
    MultiStepLR,
    OneCycleLR,
    PolyLR,
    PolyLRRatio,
    PolyMomentum,
    ReduceOnPlateauLR,
    SchedulerLike,
    UserScheduler,
)
from typedseg.problems import Path, Problem, format_path

ITERS_80K = IterBasedTrainLoop(max_iters=80000)
EPOCHS_12 = EpochBasedTrainLoop(max_epochs=12)
IOU_METRICS = ("aAcc", "mIoU", "mAcc")


def codes(problems: list[Problem]) -> list[tuple[str, Path]]:
    return [(p.code, p.path) for p in problems]


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, codes(problems)
    return problems[0]


def warmup(end: int = 1500) -> LinearLR:
    return LinearLR(start_factor=1e-6, by_epoch=False, begin=0, end=end)


class CyclicLR(UserScheduler):
    """A user's scheduler, checked like ours through its window fields."""

    cycles: int = 2
    """Number of cycles."""


# --- clean schedules -------------------------------------------------------------------------------


def test_mmseg_warmup_then_poly_is_clean() -> None:
    schedulers = [warmup(), PolyLR(eta_min=0.0, power=1.0, begin=1500, end=160000, by_epoch=False)]
    assert check_schedules(schedulers, IterBasedTrainLoop(max_iters=160000), base_lr=0.01) == []


def test_mmseg_single_poly_is_clean() -> None:
    schedulers = [PolyLR(eta_min=1e-4, power=0.9, begin=0, end=80000, by_epoch=False)]
    assert check_schedules(schedulers, ITERS_80K, base_lr=0.01) == []


def test_end_left_out_runs_to_the_end_and_is_clean() -> None:
    schedulers = [warmup(), PolyLR(power=0.9, begin=1500, by_epoch=False)]
    assert check_schedules(schedulers, ITERS_80K) == []


def test_iteration_warmup_under_an_epoch_loop_is_not_measured_against_epochs() -> None:
    # mmdet's pattern: a per-iteration warm-up overlapping an epoch schedule; units differ: no window rule.
    schedulers = [
        LinearLR(start_factor=0.001, by_epoch=False, begin=0, end=500),
        MultiStepLR(milestones=[8, 11]),
    ]
    assert check_schedules(schedulers, EPOCHS_12) == []


def test_converted_epoch_schedule_under_an_iteration_loop_is_allowed() -> None:
    schedulers = [CosineAnnealingLR(begin=0, end=100, convert_to_iter_based=True)]
    assert check_schedules(schedulers, ITERS_80K) == []


def test_separate_values_are_tiled_separately() -> None:
    schedulers = [PolyLR(by_epoch=False), PolyMomentum(by_epoch=False, eta_min=0.85)]
    assert check_schedules(schedulers, ITERS_80K) == []


def test_intended_overlap_is_clean_when_chained() -> None:
    schedulers = [warmup(2000), PolyLR(by_epoch=False, begin=1500, chained=True)]
    assert check_schedules(schedulers, ITERS_80K) == []


# --- by_epoch against the loop ---------------------------------------------------------------------


def test_epoch_scheduler_under_an_iteration_loop() -> None:
    problem = only(check_schedules([PolyLR(end=80000)], ITERS_80K))
    assert (problem.code, problem.path) == ("by-epoch-in-iter-loop", ("param_scheduler", 0, "by_epoch"))
    assert "once, at the very end" in problem.message
    assert "by_epoch=False" in problem.hint and "convert_to_iter_based=True" in problem.hint


def test_reduce_on_plateau_is_exempt_under_an_iteration_loop() -> None:
    assert check_schedules([ReduceOnPlateauLR(monitor="mIoU", rule="greater")], ITERS_80K) == []


def test_iteration_schedule_copied_into_an_epoch_loop() -> None:
    # mmseg #3113: PolyLR(end=20000, by_epoch=True) under max_epochs=100 means 20000 epochs.
    problem = only(check_schedules([PolyLR(end=20000)], EpochBasedTrainLoop(max_epochs=100)))
    assert (problem.code, problem.path) == ("schedule-past-end", ("param_scheduler", 0, "end"))
    assert "20000" in problem.message and "train_cfg.max_epochs = 100" in problem.message
    assert "19900 epochs" in problem.message
    assert problem.hint.startswith("Set end=100")


# --- windows ---------------------------------------------------------------------------------------


def test_schedule_past_end() -> None:
    problem = only(check_schedules([warmup(), PolyLR(by_epoch=False, begin=1500, end=90000)], ITERS_80K))
    assert (problem.code, format_path(problem.path)) == ("schedule-past-end", "param_scheduler[1].end")
    assert "90000" in problem.message and "80000" in problem.message


def test_scheduler_that_begins_after_the_end_never_runs() -> None:
    problem = only(check_schedules([ConstantMomentum(by_epoch=False, begin=80000)], ITERS_80K))
    assert (problem.code, problem.path) == ("schedule-past-end", ("param_scheduler", 0, "begin"))
    assert "never runs" in problem.message


def test_schedule_ends_early() -> None:
    schedulers = [warmup(), PolyLR(by_epoch=False, begin=1500, end=40000)]
    problem = only(check_schedules(schedulers, ITERS_80K))
    assert (problem.code, problem.path) == ("schedule-ends-early", ("param_scheduler", 1, "end"))
    assert problem.message == (
        "40000 ends before train_cfg.max_iters (80000); "
        "the lr would stay at eta_min for the last 40000 iterations."
    )
    assert problem.hint.startswith("Set end=80000 or leave it out.")


def test_momentum_may_end_early() -> None:
    assert check_schedules([PolyLR(by_epoch=False), PolyMomentum(by_epoch=False, end=1000)], ITERS_80K) == []


def test_schedule_gap() -> None:
    problem = only(check_schedules([warmup(1000), PolyLR(by_epoch=False, begin=1500)], ITERS_80K))
    assert (problem.code, problem.path) == ("schedule-gap", ("param_scheduler", 1, "begin"))
    assert "1000" in problem.message and "1499" in problem.message
    assert problem.hint == "Set begin=1000, or end=1500 on param_scheduler[0]."


def test_schedule_overlap() -> None:
    problem = only(check_schedules([warmup(2000), PolyLR(by_epoch=False, begin=1500)], ITERS_80K))
    assert (problem.code, problem.path) == ("schedule-overlap", ("param_scheduler", 1, "begin"))
    assert "[0, 2000)" in problem.message and "1500 to 1999" in problem.message
    assert "begin=2000" in problem.hint and "chained=True" in problem.hint


def test_overlap_from_a_missing_end_points_at_that_scheduler() -> None:
    schedulers = [LinearLR(start_factor=0.1, by_epoch=False), PolyLR(by_epoch=False, begin=1500)]
    problem = only(check_schedules(schedulers, ITERS_80K))
    assert (problem.code, problem.path) == ("schedule-overlap", ("param_scheduler", 0))
    assert "has no end" in problem.message and "1500" in problem.message
    assert problem.hint.startswith("Set end=1500 here")


def test_nested_window_does_not_hide_an_overlap_or_invent_a_gap() -> None:
    schedulers = [
        PolyLR(by_epoch=False, begin=0, end=80000),
        LinearLR(by_epoch=False, begin=100, end=200, chained=True),
        ConstantMomentum(by_epoch=False, begin=0),
        PolyLR(by_epoch=False, begin=300, end=80000),
    ]
    assert codes(check_schedules(schedulers, ITERS_80K)) == [
        ("schedule-overlap", ("param_scheduler", 3, "begin"))
    ]


def test_milestone_beyond_the_window_never_fires() -> None:
    scheduler = MultiStepLR(by_epoch=False, begin=10000, end=80000, milestones=[30000, 75000], chained=True)
    problem = only(check_schedules([PolyLR(by_epoch=False), scheduler], ITERS_80K))
    assert (problem.code, problem.path) == ("milestone-never-fires", ("param_scheduler", 1, "milestones", 1))
    assert "75000" in problem.message and "70000" in problem.message and "begin (10000)" in problem.message
    assert "write 65000" in problem.hint


def test_onecycle_total_steps_shorter_than_its_window() -> None:
    problem = only(check_schedules([OneCycleLR(eta_max=0.01, by_epoch=False, total_steps=50000)], ITERS_80K))
    assert (problem.code, problem.path) == ("onecycle-total-steps", ("param_scheduler", 0, "total_steps"))
    assert "50000" in problem.message and "[0, 80000)" in problem.message
    assert "total_steps=80000" in problem.hint


# --- values ----------------------------------------------------------------------------------------


def test_absolute_eta_min_above_the_lr() -> None:
    problem = only(check_schedules([PolyLR(eta_min=1e-3, by_epoch=False)], ITERS_80K, base_lr=1e-4))
    assert (problem.code, problem.path) == ("eta-min-above-lr", ("param_scheduler", 0, "eta_min"))
    assert "0.001" in problem.message and "0.0001" in problem.message and "rise" in problem.message
    assert "PolyLRRatio" in problem.hint


def test_eta_min_is_only_checked_when_absolute_and_known() -> None:
    ratio = PolyLRRatio(eta_min_ratio=0.1, by_epoch=False)
    assert check_schedules([ratio], ITERS_80K, base_lr=1e-4) == []
    assert check_schedules([PolyLR(eta_min=1e-3, by_epoch=False)], ITERS_80K) == []
    cosine = CosineAnnealingLR(eta_min=1e-3, by_epoch=False)
    assert codes(check_schedules([cosine], ITERS_80K, base_lr=1e-4)) == [
        ("eta-min-above-lr", ("param_scheduler", 0, "eta_min"))
    ]


def test_plateau_monitor_not_reported_by_the_evaluator() -> None:
    scheduler = ReduceOnPlateauLR(monitor="miou", rule="greater")
    problem = only(check_schedules([scheduler], EPOCHS_12, metrics=IOU_METRICS))
    assert (problem.code, problem.path) == ("plateau-monitor-unknown", ("param_scheduler", 0, "monitor"))
    assert "'miou'" in problem.message and "aAcc, mIoU, mAcc" in problem.message
    assert problem.hint == "Did you mean 'mIoU'?"


def test_plateau_default_loss_monitor_is_not_a_validation_metric() -> None:
    problem = only(check_schedules([ReduceOnPlateauLR()], EPOCHS_12, metrics=IOU_METRICS))
    assert problem.code == "plateau-monitor-unknown"
    assert "rule='greater'" in problem.hint


def test_plateau_monitor_is_not_checked_without_metrics() -> None:
    assert check_schedules([ReduceOnPlateauLR()], EPOCHS_12) == []
    assert check_schedules([ReduceOnPlateauLR(monitor="mIoU")], EPOCHS_12, metrics=IOU_METRICS) == []


# --- all at once, users' schedulers, windows -------------------------------------------------------


def test_every_problem_is_reported_in_list_order() -> None:
    schedulers: list[SchedulerLike] = [
        warmup(1000),
        PolyLR(by_epoch=False, begin=1500, end=90000, eta_min=1.0),
        ReduceOnPlateauLR(monitor="acc"),
        CosineAnnealingLR(end=10),
    ]
    found = codes(check_schedules(schedulers, ITERS_80K, base_lr=0.01, metrics=IOU_METRICS))
    assert found == [
        ("schedule-past-end", ("param_scheduler", 1, "end")),
        ("eta-min-above-lr", ("param_scheduler", 1, "eta_min")),
        ("schedule-gap", ("param_scheduler", 1, "begin")),
        ("plateau-monitor-unknown", ("param_scheduler", 2, "monitor")),
        ("by-epoch-in-iter-loop", ("param_scheduler", 3, "by_epoch")),
    ]


def test_user_scheduler_windows_are_checked() -> None:
    problem = only(check_schedules([CyclicLR(by_epoch=False, end=40000)], ITERS_80K))
    assert (problem.code, problem.path) == ("schedule-ends-early", ("param_scheduler", 0, "end"))
    assert "its last scheduled value" in problem.message
    assert only(check_schedules([CyclicLR(end=10)], ITERS_80K)).code == "by-epoch-in-iter-loop"


def test_without_a_loop_only_value_rules_run() -> None:
    schedulers = [PolyLR(end=20000, eta_min=1.0), PolyLR(begin=5)]
    assert codes(check_schedules(schedulers, None, base_lr=0.01)) == [
        ("eta-min-above-lr", ("param_scheduler", 0, "eta_min"))
    ]


def test_scheduler_window() -> None:
    assert scheduler_window(PolyLR(by_epoch=False, begin=1500), ITERS_80K) == (1500, 80000)
    assert scheduler_window(PolyLR(by_epoch=False, end=40000), ITERS_80K) == (0, 40000)
    assert scheduler_window(MultiStepLR(milestones=[8]), EPOCHS_12) == (0, 12)
    assert scheduler_window(PolyLR(end=100), ITERS_80K) is None
    assert scheduler_window(PolyLR(convert_to_iter_based=True), ITERS_80K) is None
    assert scheduler_window(PolyLR(by_epoch=False), EPOCHS_12) is None
    assert scheduler_window(PolyLR(by_epoch=False), None) is None
