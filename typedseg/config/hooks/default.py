"""The hooks of MMEngine's `default_hooks` (and MMSegmentation's SegVisualizationHook), and their typed record."""

from collections.abc import Sequence
from dataclasses import replace
from typing import Annotated, Literal

from pydantic import Field, model_validator

from typedseg.config.base import ConfigModel, Rules, Seq
from typedseg.config.hooks._shared import (
    GREATER_KEYS,
    LESS_KEYS,
    BackendArgs,
    CompareRule,
    Priority,
    TrainLoop,
    _Hook,
    metric_problem,
    rule_problem,
)
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.problems import Problem


class RuntimeInfoHook(ConfigModel, _Hook):
    """Publishes run state (epoch, iter, lr, metrics) to the message hub, for the other hooks."""

    type: Literal["RuntimeInfoHook"] = "RuntimeInfoHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "VERY_HIGH"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is VERY_HIGH (10)."""

    def second_copy(self) -> str | None:
        return "the run state would be published twice"


class IterTimerHook(ConfigModel, _Hook):
    """Times data loading and each iteration (`data_time`, `time`) and estimates the time left (`eta`)."""

    type: Literal["IterTimerHook"] = "IterTimerHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""

    def second_copy(self) -> str | None:
        return "every iteration would be timed twice"


class DistSamplerSeedHook(ConfigModel, _Hook):
    """Calls `sampler.set_epoch(epoch)` before each train epoch, so each epoch is shuffled differently."""

    type: Literal["DistSamplerSeedHook"] = "DistSamplerSeedHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""

    def second_copy(self) -> str | None:
        return "the sampler would be reseeded twice"


class LoggerHook(ConfigModel, _Hook):
    """Writes logs to the terminal, the log file and the visualizer backends every `interval` iterations."""

    type: Literal["LoggerHook"] = "LoggerHook"
    """MMEngine's registry name of this hook."""
    interval: Annotated[int, Field(gt=0)] = 10
    """Log every this many iterations (counted within the epoch; an iteration loop is one long epoch)."""
    ignore_last: bool = True
    """Skip the log of an epoch's last iterations when fewer than `interval` remain."""
    interval_exp_name: Annotated[int, Field(gt=0)] = 1000
    """Print the experiment name every this many iterations."""
    out_dir: str | None = None
    """After the run, copy the logs to `out_dir/<work_dir basename>` (through the file backend)."""
    out_suffix: str | Seq[str] = (".json", ".log", ".py", "yaml")
    """Which log files `out_dir` receives: those ending with one of these."""
    keep_local: bool = True
    """Keep the local log files after copying them to `out_dir`."""
    log_metric_by_epoch: bool = True
    """Log validation metrics at the epoch number (True) or at the iteration (False: iteration loops)."""
    backend_args: BackendArgs | None = None
    """File-backend arguments for `out_dir`."""
    priority: Priority = "BELOW_NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default: BELOW_NORMAL (60)."""

    @model_validator(mode="after")
    def _check(self) -> "LoggerHook":
        rules = Rules()
        if not self.keep_local and self.out_dir is None:
            rules.add(
                "unused-setting",
                ("keep_local",),
                "keep_local=False only removes logs after copying them to out_dir, and no out_dir is set.",
                "Set out_dir, or drop keep_local.",
            )
        rules.raise_if_any()
        return self

    def second_copy(self) -> str | None:
        return "every log line would be written twice"

    def check_run(self, loop: TrainLoop | None, metrics: Sequence[str] | None) -> list[Problem]:
        problems: list[Problem] = []
        if not isinstance(loop, IterBasedTrainLoop):
            return problems
        if self.log_metric_by_epoch and metrics is not None:
            problems.append(
                Problem(
                    "hook-by-epoch-mismatch",
                    ("log_metric_by_epoch",),
                    "LoggerHook logs validation metrics at the epoch number (log_metric_by_epoch=True), but "
                    f"IterBasedTrainLoop runs its {loop.max_iters} iterations as one epoch: every validation "
                    "would be logged at step 0.",
                    "Set log_metric_by_epoch=False.",
                )
            )
        if self.interval > loop.max_iters:
            problems.append(
                Problem(
                    "interval-exceeds-run",
                    ("interval",),
                    f"interval={self.interval} iterations is longer than the whole run "
                    f"({loop.max_iters} iterations): no training log would be written.",
                    f"Use an interval of at most {loop.max_iters}, e.g. 50.",
                )
            )
        return problems


class ParamSchedulerHook(ConfigModel, _Hook):
    """Steps the parameter schedulers: by-iteration ones each iteration, by-epoch ones each epoch."""

    type: Literal["ParamSchedulerHook"] = "ParamSchedulerHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "LOW"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is LOW (70)."""

    def second_copy(self) -> str | None:
        return "every scheduler would be stepped twice per step: the lr would change twice as fast"


class CheckpointHook(ConfigModel, _Hook):
    """Saves a checkpoint every `interval` epochs or iterations, at the end, and on a new best metric.

    To switch it off, save nothing: `CheckpointHook(interval=-1, save_last=False)`.
    """

    type: Literal["CheckpointHook"] = "CheckpointHook"
    """MMEngine's registry name of this hook."""
    interval: int = -1
    """Save every this many epochs (`by_epoch=True`) or iterations; -1 (any value <= 0): no periodic saves."""
    by_epoch: bool = True
    """Count `interval` and `save_begin` in epochs (True) or in iterations (False: iteration loops)."""
    save_optimizer: bool = True
    """Store the optimizer state (needed to resume)."""
    save_param_scheduler: bool = True
    """Store the schedulers' state (needed to resume)."""
    out_dir: str | None = None
    """Save to `out_dir/<work_dir basename>` instead of `work_dir`."""
    max_keep_ckpts: int = -1
    """Keep only the newest this many checkpoints (the oldest is deleted before a save); <= 0 keeps all."""
    save_last: bool = True
    """Always save after the last epoch or iteration, whatever `interval` says."""
    save_best: str | Seq[str] | None = None
    """Also keep the checkpoint with the best value of this val metric (or these); 'auto': the first."""
    rule: CompareRule | Seq[CompareRule] | None = None
    """Whether a 'greater' or 'less' metric value is better: one for all `save_best` metrics, or one each.
    Inferred from the metric name when left out."""
    greater_keys: Seq[str] | None = None
    """Replaces MMEngine's name fragments of higher-is-better metrics (`acc`, `mIoU`...) that infer `rule`."""
    less_keys: Seq[str] | None = None
    """Replaces MMEngine's name fragments of lower-is-better metrics (`loss`) that infer `rule`."""
    filename_tmpl: str | None = None
    """Checkpoint file name, formatted with the epoch or iteration; default `epoch_{}.pth` / `iter_{}.pth`."""
    backend_args: BackendArgs | None = None
    """File-backend arguments for `out_dir`."""
    published_keys: str | Seq[str] | None = None
    """After training, also write `<name>-<sha256[:8]>.pth` of the last checkpoint keeping only these keys."""
    save_begin: Annotated[int, Field(ge=0)] = 0
    """Where `interval` starts counting (in `by_epoch`'s unit): saves at save_begin, +interval, ..."""
    priority: Priority = "VERY_LOW"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is VERY_LOW (90)."""

    @property
    def best_metrics(self) -> tuple[str, ...]:
        """The `save_best` metrics as a tuple (empty when no best checkpoint is kept)."""
        if self.save_best is None:
            return ()
        return (self.save_best,) if isinstance(self.save_best, str) else tuple(self.save_best)

    @property
    def best_rules(self) -> tuple[CompareRule | None, ...]:
        """One rule per `save_best` metric (a single rule applies to all of them, as in MMEngine)."""
        rules: tuple[CompareRule | None, ...] = (
            (self.rule,) if self.rule is None or isinstance(self.rule, str) else tuple(self.rule)
        )
        return rules * len(self.best_metrics) if len(rules) == 1 else rules

    def rule_path(self, index: int) -> tuple[str | int, ...]:
        """Where the rule of the `index`-th `save_best` metric is written (or would be)."""
        if isinstance(self.rule, tuple):
            return ("rule", index if len(self.rule) > 1 else 0)
        return ("rule",)

    def best_path(self, index: int) -> tuple[str | int, ...]:
        """Where the `index`-th `save_best` metric is written."""
        return ("save_best",) if isinstance(self.save_best, str) else ("save_best", index)

    def rank_problem(self, index: int, metric: str) -> Problem | None:
        """Whether the `index`-th `save_best` rule can rank `metric` (that entry, or what 'auto' became)."""
        greater = GREATER_KEYS if self.greater_keys is None else self.greater_keys
        less = LESS_KEYS if self.less_keys is None else self.less_keys
        found = rule_problem(metric, self.best_rules[index], greater, less)
        if found is None:
            return None
        code, message, hint = found
        path = self.best_path(index) if code == "rule-not-inferable" else self.rule_path(index)
        return Problem(code, path, message, hint)

    @model_validator(mode="after")
    def _check(self) -> "CheckpointHook":
        rules = Rules()
        metrics = self.best_metrics
        if "auto" in metrics and len(metrics) > 1:
            rules.add(
                "invalid-value",
                ("save_best",),
                f"'auto' must be the only save_best entry; got {list(metrics)}.",
            )
        if len(set(metrics)) != len(metrics):
            rules.add("invalid-value", ("save_best",), f"save_best names a metric twice: {list(metrics)}.")
        rule_count = len(self.rule) if isinstance(self.rule, tuple) else 1
        if metrics and rule_count not in (1, len(metrics)):
            rules.add(
                "save-best-rule-count",
                ("rule",),
                f"{rule_count} rules for {len(metrics)} save_best metrics.",
                f"Give one rule for all of them, or exactly {len(metrics)}, in save_best's order.",
            )
        if not metrics:
            for name in ("rule", "greater_keys", "less_keys"):
                if getattr(self, name) is not None:
                    rules.add(
                        "unused-setting",
                        (name,),
                        f"{name} only ranks save_best metrics, and save_best is not set.",
                        f"Set save_best, or remove {name}.",
                    )
        elif rule_count in (1, len(metrics)):
            # 'auto' becomes the evaluator's first metric: the cross-section rules check its rule.
            for index, metric in enumerate(metrics):
                found = None if metric == "auto" else self.rank_problem(index, metric)
                if found is not None:
                    rules.add(found.code, found.path, found.message, found.hint)
        if self.save_begin > 0 and self.interval <= 0:
            rules.add(
                "unused-setting",
                ("save_begin",),
                f"save_begin={self.save_begin} shifts periodic saves; interval={self.interval} makes none.",
                "Set a positive interval, or remove save_begin.",
            )
        if self.filename_tmpl is not None and _formats_step(self.filename_tmpl) is not None:
            rules.add(
                "invalid-value",
                ("filename_tmpl",),
                f"filename_tmpl={self.filename_tmpl!r} {_formats_step(self.filename_tmpl)}.",
                "Write it like 'iter_{}.pth' or 'iter_{:06d}.pth'.",
            )
        rules.raise_if_any()
        return self

    def second_copy(self) -> str | None:
        return "both would save checkpoints, write last_checkpoint and delete each other's old files"

    def check_run(self, loop: TrainLoop | None, metrics: Sequence[str] | None) -> list[Problem]:
        problems: list[Problem] = []
        # by_epoch matters only when something is saved on the way; a final save is the same either way.
        if (
            isinstance(loop, IterBasedTrainLoop)
            and self.by_epoch
            and (self.interval > 0 or self.best_metrics)
        ):
            if self.interval > 0:
                what = f"interval={self.interval} would save only once, at the end"
            else:
                what = "every best checkpoint would be named after epoch 0, not its iteration"
            problems.append(
                Problem(
                    "hook-by-epoch-mismatch",
                    ("by_epoch",),
                    f"CheckpointHook counts epochs (by_epoch=True), but IterBasedTrainLoop runs its "
                    f"{loop.max_iters} iterations as one epoch: {what}.",
                    "Set by_epoch=False and give interval in iterations "
                    f"(e.g. interval={max(loop.max_iters // 10, 1)}).",
                )
            )
        if loop is not None and self.by_epoch == loop.by_epoch and self.interval > 0:
            if self.interval > loop.length:
                last = " other than the last (save_last)" if self.save_last else ""
                problems.append(
                    Problem(
                        "interval-exceeds-run",
                        ("interval",),
                        f"interval={self.interval} {loop.unit} is longer than the whole run "
                        f"({loop.length} {loop.unit}): no checkpoint{last} would be saved.",
                        f"Use an interval of at most {loop.length}.",
                    )
                )
            if self.save_begin > loop.length:
                problems.append(
                    Problem(
                        "starts-after-run",
                        ("save_begin",),
                        f"save_begin={self.save_begin} is after the end of the run ({loop.length} {loop.unit}): "
                        "no periodic checkpoint would be saved.",
                        f"Use a save_begin of at most {loop.length}.",
                    )
                )
        for index, metric in enumerate(self.best_metrics):
            found = metric_problem(metric, "save_best", metrics, self.best_path(index))
            if found is not None:
                problems.append(found)
            elif metric == "auto" and metrics:
                ranked = self.rank_problem(index, metrics[0])
                if ranked is not None:
                    message = f"save_best='auto' is '{metrics[0]}': {ranked.message}"
                    problems.append(replace(ranked, message=message))
        return problems


def _formats_step(template: str) -> str | None:
    """What is wrong with a checkpoint file-name template (formatted with one int), or None."""
    try:
        first, second = template.format(1), template.format(2)
    except (IndexError, KeyError, ValueError) as exc:
        return f"cannot be formatted with the epoch or iteration ({exc})"
    if first == second:
        return "has no '{}' for the epoch or iteration: every checkpoint would overwrite the last"
    return None


class SegVisualizationHook(ConfigModel, _Hook):
    """MMSegmentation's: draws every `interval`-th val/test prediction and sends it to the visualizer."""

    type: Literal["SegVisualizationHook"] = "SegVisualizationHook"
    """MMSegmentation's registry name of this hook."""
    draw: bool = False
    """Draw at all. False (MMSegmentation's default) makes the hook do nothing."""
    interval: Annotated[int, Field(gt=0)] = 50
    """Draw every this many validation/test batches."""
    show: bool = False
    """Show the drawings in a window instead of storing them (the visualizer's backends are dropped)."""
    wait_time: Annotated[float, Field(ge=0)] = 0.0
    """Seconds each shown drawing stays up."""
    backend_args: BackendArgs | None = None
    """File-backend arguments for reading the images."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMSegmentation's default: NORMAL (50)."""

    @model_validator(mode="after")
    def _check(self) -> "SegVisualizationHook":
        rules = Rules()
        if self.show and not self.draw:
            rules.add(
                "unused-setting",
                ("show",),
                "show=True shows nothing while draw=False: the hook draws nothing.",
                "Set draw=True as well.",
            )
        rules.raise_if_any()
        return self

    def second_copy(self) -> str | None:
        return "every drawing would be made twice"


class DefaultHooks(ConfigModel):
    """MMEngine's `default_hooks`: one typed slot per default hook, under MMEngine's slot names.

    The core slots always hold a hook (so `default_hooks.checkpoint.interval` is an `int` for mypy and
    editors). To switch one off, make it do nothing: `CheckpointHook(interval=-1, save_last=False)`.
    A misspelt slot (`chekpoint`) is refused; MMEngine would silently register a second hook.
    """

    # Defaults are validated from dicts, not called, so they carry no call site: an error about a default must
    # not point at whichever file first imported this module.
    runtime_info: RuntimeInfoHook = RuntimeInfoHook.model_validate({})
    """Publishes epoch, iteration, lr and metrics for the other hooks."""
    timer: IterTimerHook = IterTimerHook.model_validate({})
    """Times iterations and estimates the time left."""
    sampler_seed: DistSamplerSeedHook = DistSamplerSeedHook.model_validate({})
    """Reseeds the distributed sampler each epoch."""
    logger: LoggerHook = LoggerHook.model_validate({})
    """Writes the logs. For iteration loops use `LoggerHook(interval=50, log_metric_by_epoch=False)`."""
    param_scheduler: ParamSchedulerHook = ParamSchedulerHook.model_validate({})
    """Steps the lr/momentum schedulers."""
    checkpoint: CheckpointHook = CheckpointHook.model_validate({"interval": 1})
    """Saves checkpoints; MMEngine's Runner default: every epoch. Iteration loops need `by_epoch=False`."""
    visualization: SegVisualizationHook | None = None
    """MMSegmentation's visualization of validation/test predictions; None registers none."""
