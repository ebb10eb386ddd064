"""MMEngine's ProfilerHook and its trace handlers."""

from collections.abc import Sequence
from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from typedseg.config.base import ConfigModel, Rules
from typedseg.config.hooks._shared import Priority, TrainLoop, _Hook, did_you_mean
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.problems import Problem


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


class ProfilerHook(ConfigModel, _Hook):
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

    def second_copy(self) -> str | None:
        return "two profilers cannot run at once"

    def check_run(self, loop: TrainLoop | None, metrics: Sequence[str] | None) -> list[Problem]:
        if loop is None:
            return []
        if self.by_epoch and isinstance(loop, IterBasedTrainLoop):
            return [
                Problem(
                    "hook-by-epoch-mismatch",
                    ("by_epoch",),
                    f"ProfilerHook profiles whole epochs (by_epoch=True), but IterBasedTrainLoop runs its "
                    f"{loop.max_iters} iterations as one epoch: all of them would be profiled.",
                    "Set by_epoch=False and profile_times to the number of iterations to profile (e.g. 10).",
                )
            ]
        if self.by_epoch == loop.by_epoch and self.profile_times > loop.length:
            return [
                Problem(
                    "profile-exceeds-run",
                    ("profile_times",),
                    f"profile_times={self.profile_times} is more than the whole run ({loop.length} {loop.unit}).",
                    f"Use a profile_times of at most {loop.length}.",
                )
            ]
        return []

    @model_validator(mode="after")
    def _check(self) -> "ProfilerHook":
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
