"""Cross-field rules for `param_scheduler`: scheduler windows against the train loop, and against each other.

MMEngine steps every scheduler in the list on every step; each changes its value only inside `[begin, end)`,
and does so by multiplying the current value. So, per scheduled value (`lr`, `momentum`, ...), the windows
should tile the run: contiguous, non-overlapping (unless `chained=True` says the compounding is meant), and,
for the lr, ending with the run. None of these mistakes raises in MMEngine; they silently train with another
schedule.

Windows are compared in the loop's unit only: a scheduler counted in iterations under an EpochBasedTrainLoop
(a per-iteration warm-up, say), or a converted epoch-based one under an IterBasedTrainLoop, cannot be placed
on the loop's axis without the epoch length, so window rules skip it. Without a train loop they are all
skipped.

ReduceOnPlateau is fed the *validation* metrics (MMEngine's ParamSchedulerHook.after_val_epoch), which never
contain the training loss. Its `monitor` is therefore checked against the evaluator's metric keys with no
exception for 'loss' (MMEngine's default, which raises KeyError at the first validation under an IoUMetric).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from typedseg.config.errors import suggest
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.config.schedulers._base import SchedulerLike, _Scheduler

# Family questions ("is this a Poly?") are methods of the schedulers' base (`_Questions`): a config's schedulers are
# checked without importing the families it does not use.
from typedseg.problems import Path, Problem

TrainLoop = EpochBasedTrainLoop | IterBasedTrainLoop
Window = tuple[int, int]
ROOT = "param_scheduler"


def scheduler_window(s: SchedulerLike, train_cfg: TrainLoop | None) -> Window | None:
    """The resolved `[begin, end)` of `s` in the loop's unit (end None: the run length), or None.

    None when not comparable: no loop, or `s` counts in another unit than the loop (by_epoch differs; a
    converted epoch-based scheduler under an iteration loop needs the epoch length, which only the engine
    knows).
    """
    if train_cfg is None or s.by_epoch != train_cfg.by_epoch:
        return None
    return s.begin, train_cfg.length if s.end is None else s.end


def check_schedules(
    schedulers: Sequence[SchedulerLike],
    train_cfg: TrainLoop | None,
    *,
    base_lr: float | None = None,
    metrics: Sequence[str] = (),
) -> list[Problem]:
    """Every problem of the scheduler list, with paths from the experiment root (`param_scheduler[i].field`).

    `base_lr`: the optimizer's lr, to check absolute `eta_min`s against. `metrics`: the metric keys the val
    evaluator reports, to check ReduceOnPlateau's `monitor` (empty: not checked).
    """
    problems: list[Problem] = []
    for index, s in enumerate(schedulers):
        problems.extend(_check_one(index, s, train_cfg, base_lr, metrics))
    if train_cfg is not None:
        windows: dict[str, dict[int, Window]] = defaultdict(dict)  # per scheduled value, by list index
        unknown: set[str] = set()  # values with a scheduler in another unit: where they end cannot be judged
        for index, s in enumerate(schedulers):
            if (window := scheduler_window(s, train_cfg)) is not None:
                windows[s.param][index] = window
            else:
                unknown.add(s.param)
        for param, param_windows in windows.items():
            problems.extend(_check_tiling(param, param_windows, schedulers, train_cfg, param not in unknown))
    return sorted(problems, key=lambda p: int(p.path[1]))  # grouped by scheduler, in list order


def _at(index: int, *field: str | int) -> Path:
    return (ROOT, index, *field)


def _ref(index: int) -> str:
    return f"{ROOT}[{index}]"


def _length_name(train_cfg: TrainLoop) -> str:
    return "train_cfg.max_epochs" if train_cfg.by_epoch else "train_cfg.max_iters"


def _check_one(
    index: int, s: SchedulerLike, train_cfg: TrainLoop | None, base_lr: float | None, metrics: Sequence[str]
) -> list[Problem]:
    """The rules about one scheduler: its unit, its window, its family's step-indexed arguments, eta_min."""
    problems: list[Problem] = []
    converted = isinstance(s, _Scheduler) and s.convert_to_iter_based
    # ReduceOnPlateau is exempt: it reacts at each validation, and MMEngine only allows it with by_epoch=True.
    iter_loop = isinstance(train_cfg, IterBasedTrainLoop)
    if iter_loop and s.by_epoch and not converted and not s.steps_on_validation():
        problems.append(
            Problem(
                "by-epoch-in-iter-loop",
                _at(index, "by_epoch"),
                "by_epoch=True under an IterBasedTrainLoop: MMEngine steps an epoch-based scheduler once "
                f"per epoch, and an iteration loop has a single epoch, so this {s.param} schedule would be "
                "applied only once, at the very end of training.",
                "Set by_epoch=False and give begin/end in iterations, "
                "or set convert_to_iter_based=True to keep them in epochs.",
            )
        )
    window = scheduler_window(s, train_cfg)
    if window is not None and train_cfg is not None:
        problems.extend(_check_bounds(index, s, window, train_cfg))
        problems.extend(_check_steps(index, s, window, train_cfg.unit))
    eta_min = s.absolute_eta_min()
    if base_lr is not None and s.param == "lr" and eta_min is not None and eta_min > base_lr:
        problems.append(
            Problem(
                "eta-min-above-lr",
                _at(index, "eta_min"),
                f"eta_min {eta_min} is above the optimizer's lr ({base_lr}): {s.type} moves the lr toward "
                "eta_min, so it would rise instead of decaying.",
                f"Use an eta_min below {base_lr}, or "
                f"{'PolyLRRatio with eta_min_ratio' if s.decays_to_eta_min() else 'eta_min_ratio'} to end "
                "at a fraction of each param group's own lr.",
            )
        )
    monitor = s.monitored_metric()
    if monitor is not None and metrics and monitor not in metrics:
        by_lower = {metric.lower(): metric for metric in metrics}  # 'miou' should find 'mIoU'
        guess = by_lower.get(suggest(monitor.lower(), by_lower) or "")
        problems.append(
            Problem(
                "plateau-monitor-unknown",
                _at(index, "monitor"),
                f"monitor '{monitor}' is not a metric the evaluator reports ({', '.join(metrics)}); "
                "MMEngine raises KeyError at the first validation.",
                f"Did you mean '{guess}'?"
                if guess
                else f"Monitor one of {', '.join(metrics)} (rule='greater' for a metric that should rise).",
            )
        )
    return problems


def _check_bounds(index: int, s: SchedulerLike, window: Window, train_cfg: TrainLoop) -> list[Problem]:
    begin, end = window
    length, unit, name = train_cfg.length, train_cfg.unit, _length_name(train_cfg)
    if begin >= length:
        return [
            Problem(
                "schedule-past-end",
                _at(index, "begin"),
                f"begin {begin} is at or after the end of training ({name} = {length}); "
                "this scheduler never runs.",
                f"Use a begin below {length}, or remove this scheduler.",
            )
        ]
    if end > length:
        return [
            Problem(
                "schedule-past-end",
                _at(index, "end"),
                f"{end} is past the end of training ({name} = {length}); the last {end - length} {unit} of "
                f"this schedule never run, so the {s.param} never reaches its final value.",
                f"Set end={length}, or leave it out to run to the end of training.",
            )
        ]
    return []


def _check_steps(index: int, s: SchedulerLike, window: Window, unit: str) -> list[Problem]:
    """Step-indexed arguments count from begin and must fall inside the window."""
    begin, end = window
    span = end - begin
    problems: list[Problem] = []
    for k, milestone in enumerate(s.milestone_steps()):
        if milestone >= span:
            absolute = begin <= milestone < end
            problems.append(
                Problem(
                    "milestone-never-fires",
                    _at(index, "milestones", k),
                    f"milestone {milestone} never fires: milestones count from begin ({begin}), and the "
                    f"window [{begin}, {end}) is only {span} {unit} long.",
                    f"If you meant step {milestone} of training, write {milestone - begin}."
                    if absolute
                    else f"Use milestones below {span}, or move end.",
                )
            )
    total_steps = s.total_steps_limit()
    if total_steps is not None and total_steps < span:
        problems.append(
            Problem(
                "onecycle-total-steps",
                _at(index, "total_steps"),
                f"total_steps {total_steps} is shorter than the window [{begin}, {end}) ({span} {unit}); "
                "MMEngine raises ValueError once it is stepped past total_steps.",
                f"Set total_steps={span}, or leave it out (it defaults to end - begin).",
            )
        )
    return problems


def _check_tiling(
    param: str,
    windows: dict[int, Window],
    schedulers: Sequence[SchedulerLike],
    train_cfg: TrainLoop,
    judge_end: bool,
) -> list[Problem]:
    """One value's windows, by begin: no gap, no unintended overlap; the last lr window ends the run.

    `judge_end` is False when another scheduler of this value counts in another unit: it may be the one that
    reaches the end, and its own problem is already reported.
    """
    length, unit, name = train_cfg.length, train_cfg.unit, _length_name(train_cfg)
    order = sorted(windows, key=lambda i: (windows[i][0], i))
    problems: list[Problem] = []
    cover = order[0]  # the scheduler whose window reaches furthest so far
    for j in order[1:]:
        begin, reach = windows[j][0], windows[cover][1]
        if begin > reach:
            problems.append(
                Problem(
                    "schedule-gap",
                    _at(j, "begin"),
                    f"begin {begin} leaves a gap after {_ref(cover)} ends at {reach}: no scheduler changes "
                    f"the {param} for {unit} {reach} to {begin - 1}, so it holds its last value there.",
                    f"Set begin={reach}, or end={begin} on {_ref(cover)}.",
                )
            )
        elif begin < reach and not schedulers[j].chained:
            problems.append(
                _overlap(
                    param, earlier=cover, later=j, windows=windows, schedulers=schedulers, train_cfg=train_cfg
                )
            )
        if windows[j][1] > reach:
            cover = j
    last = max(order, key=lambda i: (windows[i][1], i))
    end = windows[last][1]
    if judge_end and param == "lr" and end < length:
        final = "eta_min" if schedulers[last].decays_to_eta_min() else "its last scheduled value"
        problems.append(
            Problem(
                "schedule-ends-early",
                _at(last, "end"),
                f"{end} ends before {name} ({length}); the lr would stay at {final} for the last "
                f"{length - end} {unit}.",
                f"Set end={length} or leave it out. To hold the lr on purpose, add ConstantLR(factor=1.0, "
                f"begin={end}, by_epoch={train_cfg.by_epoch}) for the rest of the run.",
            )
        )
    return problems


def _overlap(
    param: str,
    *,
    earlier: int,
    later: int,
    windows: dict[int, Window],
    schedulers: Sequence[SchedulerLike],
    train_cfg: TrainLoop,
) -> Problem:
    begin = windows[later][0]
    earlier_begin, earlier_end = windows[earlier]
    compounding = "MMEngine multiplies overlapping schedulers, so their effects compound"
    if schedulers[earlier].end is None:
        # The missing end is what a person has to add: point at the scheduler itself.
        return Problem(
            "schedule-overlap",
            (ROOT, earlier),
            f"{_ref(earlier)} has no end, so its {param} schedule runs to the end of training "
            f"({train_cfg.length}) and overlaps {_ref(later)}, which begins at {begin}; {compounding}.",
            f"Set end={begin} here, or chained=True on {_ref(later)} if the compounding is intended.",
        )
    overlap_end = min(earlier_end, windows[later][1])
    return Problem(
        "schedule-overlap",
        _at(later, "begin"),
        f"begin {begin} is inside {_ref(earlier)}'s window [{earlier_begin}, {earlier_end}); {compounding} "
        f"for {train_cfg.unit} {begin} to {overlap_end - 1}.",
        f"Set begin={earlier_end} to start where {_ref(earlier)} ends, "
        "or chained=True if the compounding is intended.",
    )
