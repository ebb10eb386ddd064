"""Hooks: MMEngine's `default_hooks` (a typed record, one slot per default hook) and `custom_hooks`.

Every model carries MMEngine's class name as `type`, MMEngine's argument names and defaults, and a `priority`
whose default is that hook's MMEngine class priority. Where MMEngine would swallow a typo (`CheckpointHook`'s
`**kwargs`), ignore a setting, or fail hours into training, these models refuse at load time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Field, SerializeAsAny, Tag, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from typedseg.config.base import (
    USER_JSON_SCHEMA,
    USER_TAG,
    ConfigModel,
    Rules,
    Seq,
    UserConfig,
    discriminate,
    user_validator,
)
from typedseg.config.errors import suggest
from typedseg.problems import Problem

# --- priorities ---------------------------------------------------------------------------------------------

PriorityName = Literal[
    "HIGHEST", "VERY_HIGH", "HIGH", "ABOVE_NORMAL", "NORMAL", "BELOW_NORMAL", "LOW", "VERY_LOW", "LOWEST"
]

PRIORITIES: dict[str, int] = {
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
"""MMEngine's named priority levels (`mmengine/runner/priority.py`): lower runs first."""


def _parse_priority(value: Any) -> Any:
    """Upper-cases names (YAML may say `very_high`); a bad value gets one error, not one per union member."""
    if isinstance(value, str) and value.upper() in PRIORITIES:
        return value.upper()
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
        return value
    guess = suggest(value.upper(), PRIORITIES) if isinstance(value, str) else None
    raise PydanticCustomError(
        "invalid_priority",
        "a priority is an int from 0 (runs first) to 100 (runs last) or one of {names}{guess}",
        {"names": ", ".join(PRIORITIES), "guess": f" (did you mean '{guess}'?)" if guess else ""},
    )


Priority = Annotated[
    Union[PriorityName, Annotated[int, Field(ge=0, le=100)]], BeforeValidator(_parse_priority)
]
"""A named level (any case in YAML: `very_high`) or an int from 0 (runs first) to 100 (runs last)."""


def priority_value(priority: PriorityName | int) -> int:
    """The number a priority stands for: `"VERY_HIGH"` -> 10, `42` -> 42."""
    return priority if isinstance(priority, int) else PRIORITIES[priority.upper()]


EVENTS: tuple[str, ...] = (
    "before_run",
    "after_load_checkpoint",
    "before_train",
    "before_train_epoch",
    "before_train_iter",
    "after_train_iter",
    "after_train_epoch",
    "before_val",
    "before_val_epoch",
    "before_val_iter",
    "after_val_iter",
    "after_val_epoch",
    "after_val",
    "before_save_checkpoint",
    "after_train",
    "before_test",
    "before_test_epoch",
    "before_test_iter",
    "after_test_iter",
    "after_test_epoch",
    "after_test",
    "after_run",
)
"""MMEngine's 22 hook stages, in the order a run reaches them; a user hook method must be named after one."""

# --- rules for "best" metrics -------------------------------------------------------------------------------

CompareRule = Literal["greater", "less"]

GREATER_KEYS: tuple[str, ...] = (
    "acc",
    "top",
    "AR@",
    "auc",
    "precision",
    "mAP",
    "mDice",
    "mIoU",
    "mAcc",
    "aAcc",
)
"""Metric names containing one of these (case-insensitive) are better when higher (MMEngine's default)."""
LESS_KEYS: tuple[str, ...] = ("loss",)
"""Metric names containing one of these (case-insensitive) are better when lower (MMEngine's default)."""


def _leaf(metric: str) -> str:
    return metric.rsplit("/", 1)[-1].lower()


def infer_rule(
    metric: str, greater_keys: Sequence[str] = GREATER_KEYS, less_keys: Sequence[str] = LESS_KEYS
) -> CompareRule | None:
    """Whether a higher or lower `metric` is better, as MMEngine infers it; None when it cannot tell.

    An exact name wins over a substring (EarlyStoppingHook's order; CheckpointHook agrees but for contrived
    keys), then a greater-key substring over a less-key one: `val/mIoU` -> greater, `val_loss` -> less.
    """
    exact = _exact_rule(metric, greater_keys, less_keys)
    if exact is not None:
        return exact
    name = metric.lower()
    if any(key.lower() in name for key in greater_keys):
        return "greater"
    if any(key.lower() in name for key in less_keys):
        return "less"
    return None


def _exact_rule(metric: str, greater_keys: Sequence[str], less_keys: Sequence[str]) -> CompareRule | None:
    leaf = _leaf(metric)
    if leaf in {key.lower() for key in greater_keys}:
        return "greater"
    if leaf in {key.lower() for key in less_keys}:
        return "less"
    return None


def rule_problem(
    metric: str,
    rule: CompareRule | None,
    greater_keys: Sequence[str] = GREATER_KEYS,
    less_keys: Sequence[str] = LESS_KEYS,
) -> tuple[str, str, str] | None:
    """`(code, message, hint)` when `rule` cannot rank `metric`, else None.

    No rule and nothing to infer from is MMEngine's ValueError (for CheckpointHook, at the first save). An
    explicit rule is refused only against a metric known by its exact name (`mIoU`, `aAcc`, `loss`): a
    substring guess may be wrong (`stop_loss` contains `top`), and fixing a wrong guess is what `rule` is for.
    """
    if rule is None:
        if infer_rule(metric, greater_keys, less_keys) is not None:
            return None
        return (
            "rule-not-inferable",
            f"cannot tell whether a higher or a lower '{metric}' is better: its name contains none of "
            f"{', '.join(greater_keys)} (higher is better) nor {', '.join(less_keys)} (lower is better).",
            "Set rule='greater' (higher is better) or rule='less' (lower is better).",
        )
    known = _exact_rule(metric, greater_keys, less_keys)
    if known is None or known == rule:
        return None
    better = {"greater": "higher", "less": "lower"}
    return (
        "rule-contradicts-metric",
        f"rule='{rule}' ranks a {better[rule]} '{metric}' as better; a {better[known]} '{metric}' is better.",
        f"Use rule='{known}', or leave rule out: it is inferred from the metric name.",
    )


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """A hint naming the closest choice (case-insensitive), or listing them all."""
    lowered = {choice.lower(): choice for choice in choices}
    guess = suggest(name.lower(), lowered)
    if guess is not None:
        return f"Did you mean '{lowered[guess]}'?"
    return f"Use one of: {', '.join(choices)}." if choices else ""


BackendArgs = dict[str, str]
"""Arguments for MMEngine's file backend (`{'backend': 'local'}`, a petrel/S3 config, ...)."""

# --- default hooks ------------------------------------------------------------------------------------------


class RuntimeInfoHook(ConfigModel):
    """Publishes run state (epoch, iter, lr, metrics) to the message hub, for the other hooks."""

    type: Literal["RuntimeInfoHook"] = "RuntimeInfoHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "VERY_HIGH"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is VERY_HIGH (10)."""


class IterTimerHook(ConfigModel):
    """Times data loading and each iteration (`data_time`, `time`) and estimates the time left (`eta`)."""

    type: Literal["IterTimerHook"] = "IterTimerHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""


class DistSamplerSeedHook(ConfigModel):
    """Calls `sampler.set_epoch(epoch)` before each train epoch, so each epoch is shuffled differently."""

    type: Literal["DistSamplerSeedHook"] = "DistSamplerSeedHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""


class LoggerHook(ConfigModel):
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
    def _check(self) -> LoggerHook:
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


class ParamSchedulerHook(ConfigModel):
    """Steps the parameter schedulers: by-iteration ones each iteration, by-epoch ones each epoch."""

    type: Literal["ParamSchedulerHook"] = "ParamSchedulerHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "LOW"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is LOW (70)."""


class CheckpointHook(ConfigModel):
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
    def _check(self) -> CheckpointHook:
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


def _formats_step(template: str) -> str | None:
    """What is wrong with a checkpoint file-name template (formatted with one int), or None."""
    try:
        first, second = template.format(1), template.format(2)
    except (IndexError, KeyError, ValueError) as exc:
        return f"cannot be formatted with the epoch or iteration ({exc})"
    if first == second:
        return "has no '{}' for the epoch or iteration: every checkpoint would overwrite the last"
    return None


# --- other MMEngine hooks -----------------------------------------------------------------------------------

EMAType = Literal["ExponentialMovingAverage", "MomentumAnnealingEMA", "StochasticWeightAverage"]


class EMAHook(ConfigModel):
    """Keeps a moving average of the weights after each train iteration; validates, tests and saves with it.

    `momentum` follows MMEngine's convention: it is the weight of the NEW value (`avg = (1-momentum)*avg +
    momentum*param`), that is 1 - decay. An EMA "decay of 0.9998" is `momentum=0.0002`.
    """

    type: Literal["EMAHook"] = "EMAHook"
    """MMEngine's registry name of this hook."""
    ema_type: EMAType = "ExponentialMovingAverage"
    """The averaging: exponential, exponential with an annealed momentum, or uniform (SWA)."""
    strict_load: bool = False
    """Require the averaged weights in a checkpoint to match the model's keys exactly."""
    begin_iter: Annotated[int, Field(ge=0)] = 0
    """Start averaging at this iteration (before, the average copies the weights). Not with begin_epoch."""
    begin_epoch: Annotated[int, Field(ge=0)] = 0
    """Start averaging in this epoch (1-based; 0: from the start). Not with `begin_iter`."""
    momentum: Annotated[float, Field(gt=0, lt=1)] = 0.0002
    """Weight of the new weights in each update, i.e. 1 - decay (MMEngine's convention). Not for SWA."""
    interval: Annotated[int, Field(gt=0)] = 1
    """Update the average every this many iterations."""
    update_buffers: bool = False
    """Also average buffers (BatchNorm statistics); otherwise they are copied."""
    gamma: Annotated[int, Field(gt=0)] | None = None
    """MomentumAnnealingEMA only: momentum is max(momentum, gamma / (gamma + steps)); 100 when left out."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""

    @property
    def resolved_gamma(self) -> int | None:
        """The averaged model's `gamma`: the given one, else 100 for MomentumAnnealingEMA; None for others."""
        if self.ema_type != "MomentumAnnealingEMA":
            return None
        return 100 if self.gamma is None else self.gamma

    @model_validator(mode="after")
    def _check(self) -> EMAHook:
        rules = Rules()
        if self.begin_iter and self.begin_epoch:
            rules.add(
                "ema-begin-both",
                ("begin_epoch",),
                f"begin_iter={self.begin_iter} and begin_epoch={self.begin_epoch} are both set.",
                "Keep begin_iter (iteration loops) or begin_epoch (epoch loops), not both.",
            )
        if self.gamma is not None and self.ema_type != "MomentumAnnealingEMA":
            rules.add(
                "unused-setting",
                ("gamma",),
                f"gamma={self.gamma} is for MomentumAnnealingEMA only; ema_type is {self.ema_type}.",
                "Set ema_type='MomentumAnnealingEMA', or remove gamma.",
            )
        # Against the default, not `model_fields_set`: a dumped config (every field written) must reload.
        default_momentum = type(self).model_fields["momentum"].default
        if self.ema_type == "StochasticWeightAverage" and self.momentum != default_momentum:
            rules.add(
                "unused-setting",
                ("momentum",),
                f"momentum={self.momentum} has no effect: StochasticWeightAverage weighs updates equally.",
                "Remove momentum, or choose an exponential ema_type.",
            )
        rules.raise_if_any()
        return self


class EmptyCacheHook(ConfigModel):
    """Calls `torch.cuda.empty_cache()` around epochs or after iterations, to release cached GPU memory."""

    type: Literal["EmptyCacheHook"] = "EmptyCacheHook"
    """MMEngine's registry name of this hook."""
    before_epoch: bool = False
    """Empty the cache before each epoch."""
    after_epoch: bool = True
    """Empty the cache after each epoch."""
    after_iter: bool = False
    """Empty the cache after each iteration (slow)."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""


class SyncBuffersHook(ConfigModel):
    """Averages model buffers (BatchNorm statistics) across processes after train epochs and before val."""

    type: Literal["SyncBuffersHook"] = "SyncBuffersHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""


class EarlyStoppingHook(ConfigModel):
    """After each validation, stops training once `monitor` has not improved for `patience` validations."""

    type: Literal["EarlyStoppingHook"] = "EarlyStoppingHook"
    """MMEngine's registry name of this hook."""
    monitor: str
    """The validation metric to watch, as the evaluator names it (`mIoU`, or `prefix/mIoU`)."""
    rule: CompareRule | None = None
    """Whether a 'greater' or 'less' value is better; inferred from the metric name when left out."""
    min_delta: Annotated[float, Field(ge=0)] = 0.1
    """Smallest change that counts as improvement. MMEngine's code default 0.1 (its docstring says 0.01)."""
    strict: bool = False
    """Raise when `monitor` is missing from the metrics (MMEngine otherwise warns and skips)."""
    check_finite: bool = True
    """Stop when the metric becomes NaN or infinite."""
    patience: Annotated[int, Field(gt=0)] = 5
    """Validations without improvement before stopping."""
    stopping_threshold: float | None = None
    """Stop as soon as the metric reaches this value."""
    priority: Priority = "LOWEST"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is LOWEST (100)."""

    @model_validator(mode="after")
    def _check(self) -> EarlyStoppingHook:
        rules = Rules()
        found = rule_problem(self.monitor, self.rule)
        if found is not None:
            code, message, hint = found
            rules.add(code, ("monitor",) if code == "rule-not-inferable" else ("rule",), message, hint)
        rules.raise_if_any()
        return self


class LogTrace(ConfigModel):
    """Print the profiler's table of operator timings (`torch.profiler` `key_averages().table(...)`)."""

    type: Literal["log_trace"] = "log_trace"
    """Selects printing the table."""
    sort_by: str | None = None
    """Column to sort by, e.g. `self_cuda_time_total`."""
    row_limit: int = 100
    """Rows printed."""
    max_src_column_width: int = 75
    """Width of the source-location column."""
    max_name_column_width: int = 55
    """Width of the operator-name column."""
    max_shapes_column_width: int = 80
    """Width of the input-shapes column."""
    header: str | None = None
    """Line printed above the table."""
    top_level_events_only: bool = False
    """Show only top-level operators."""


class TbTrace(ConfigModel):
    """Write traces for TensorBoard's profiler plugin (`torch.profiler.tensorboard_trace_handler`)."""

    type: Literal["tb_trace"] = "tb_trace"
    """Selects TensorBoard traces (needs the `torch-tb-profiler` package)."""
    dir_name: str | None = None
    """Trace folder, relative to the log dir unless absolute; default `<log_dir>/tf_tracing_logs`."""
    worker_name: str | None = None
    """Name of this process's trace files (default: host and pid)."""
    use_gzip: bool = False
    """Compress the trace files."""


TraceHandler = Annotated[Union[LogTrace, TbTrace], Field(discriminator="type")]

_SCHEDULE_KEYS = ("wait", "warmup", "active", "repeat", "skip_first")
_SCHEDULE_REQUIRED = ("wait", "warmup", "active")


class ProfilerHook(ConfigModel):
    """Runs `torch.profiler` over the first `profile_times` epochs or iterations of training."""

    type: Literal["ProfilerHook"] = "ProfilerHook"
    """MMEngine's registry name of this hook."""
    by_epoch: bool = True
    """Profile whole epochs (then `profile_times` must be 1) or iterations."""
    profile_times: Annotated[int, Field(ge=1)] = 1
    """How many epochs or iterations to profile, from the start."""
    activity_with_cpu: bool = True
    """Record CPU activity."""
    activity_with_cuda: bool = False
    """Record CUDA kernels."""
    schedule: dict[str, int] | None = None
    """`torch.profiler.schedule` arguments: wait, warmup, active (required), repeat, skip_first."""
    on_trace_ready: TraceHandler | None = None
    """On each trace: print a table (`log_trace`) or write TensorBoard files (`tb_trace`)."""
    record_shapes: bool = False
    """Record operator input shapes."""
    profile_memory: bool = False
    """Record tensor memory allocation."""
    with_stack: bool = False
    """Record source locations of operators."""
    with_flops: bool = False
    """Estimate FLOPs of matrix multiplications and convolutions."""
    json_trace_path: str | None = None
    """Also export a Chrome trace (JSON) to this path."""
    priority: Priority = "VERY_LOW"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is VERY_LOW (90)."""

    @model_validator(mode="after")
    def _check(self) -> ProfilerHook:
        rules = Rules()
        if self.by_epoch and self.profile_times > 1:
            rules.add(
                "profile-times-by-epoch",
                ("profile_times",),
                f"profile_times={self.profile_times} with by_epoch=True would profile {self.profile_times} "
                "whole epochs; MMEngine allows one.",
                "Use profile_times=1, or by_epoch=False to count profile_times in iterations.",
            )
        for key in self.schedule or {}:
            if key not in _SCHEDULE_KEYS:
                rules.add(
                    "unknown-key",
                    ("schedule", key),
                    f"torch.profiler.schedule has no argument '{key}'.",
                    did_you_mean(key, _SCHEDULE_KEYS),
                )
        if self.schedule is not None:
            for key in _SCHEDULE_REQUIRED:
                if key not in self.schedule:
                    rules.add("missing", ("schedule", key), f"schedule needs '{key}'.", "")
        rules.raise_if_any()
        return self


class SegVisualizationHook(ConfigModel):
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
    def _check(self) -> SegVisualizationHook:
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


# --- user hooks, unions, default_hooks ----------------------------------------------------------------------


class UserHook(UserConfig):
    """Base for a user's own hook config: subclass it, add fields, and implement `build()` for the engine."""

    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first)."""


BuiltinHook = Union[
    RuntimeInfoHook,
    IterTimerHook,
    DistSamplerSeedHook,
    LoggerHook,
    ParamSchedulerHook,
    CheckpointHook,
    EMAHook,
    EmptyCacheHook,
    SyncBuffersHook,
    EarlyStoppingHook,
    ProfilerHook,
    SegVisualizationHook,
]

_BUILTIN_TAGS = frozenset(
    {
        "RuntimeInfoHook",
        "IterTimerHook",
        "DistSamplerSeedHook",
        "LoggerHook",
        "ParamSchedulerHook",
        "CheckpointHook",
        "EMAHook",
        "EmptyCacheHook",
        "SyncBuffersHook",
        "EarlyStoppingHook",
        "ProfilerHook",
        "SegVisualizationHook",
    }
)

CustomHookConfig = Annotated[
    Union[
        Annotated[RuntimeInfoHook, Tag("RuntimeInfoHook")],
        Annotated[IterTimerHook, Tag("IterTimerHook")],
        Annotated[DistSamplerSeedHook, Tag("DistSamplerSeedHook")],
        Annotated[LoggerHook, Tag("LoggerHook")],
        Annotated[ParamSchedulerHook, Tag("ParamSchedulerHook")],
        Annotated[CheckpointHook, Tag("CheckpointHook")],
        Annotated[EMAHook, Tag("EMAHook")],
        Annotated[EmptyCacheHook, Tag("EmptyCacheHook")],
        Annotated[SyncBuffersHook, Tag("SyncBuffersHook")],
        Annotated[EarlyStoppingHook, Tag("EarlyStoppingHook")],
        Annotated[ProfilerHook, Tag("ProfilerHook")],
        Annotated[SegVisualizationHook, Tag("SegVisualizationHook")],
        Annotated[
            SerializeAsAny[UserHook],
            user_validator(UserHook),
            Tag(USER_TAG),
            WithJsonSchema(USER_JSON_SCHEMA),
        ],
    ],
    discriminate(_BUILTIN_TAGS),
]
"""An entry of `custom_hooks`: a built-in hook by `type`, or a user's `UserHook` subclass (dotted `type`)."""


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
