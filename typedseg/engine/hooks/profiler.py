"""ProfilerHook: `torch.profiler` over the first epoch or the first `profile_times` iterations of training; a
Chrome trace (`json_trace_path`, default `<log_dir>/profiler_trace.json`), an operator table or TensorBoard
traces."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from typedseg.config.hooks import LogTrace, TbTrace
from typedseg.config.hooks import ProfilerHook as ProfilerConfig
from typedseg.engine.hooks.base import Hook
from typedseg.engine.state import RunState

log = logging.getLogger("typedseg")


class ProfilerHook(Hook):
    """Profiles the start of training with torch.profiler (MMEngine's ProfilerHook)."""

    priority = 90

    def __init__(self, cfg: ProfilerConfig) -> None:
        self.cfg = cfg
        self.profiler: Any = None
        self.trace_path: Path | None = None
        self._done = False

    def before_train(self, state: RunState) -> None:
        from torch import profiler

        activities = [profiler.ProfilerActivity.CPU] if self.cfg.activity_with_cpu else []
        if self.cfg.activity_with_cuda:
            activities.append(profiler.ProfilerActivity.CUDA)
        self.trace_path = Path(self.cfg.json_trace_path or state.log_dir / "profiler_trace.json")
        schedule = profiler.schedule(**self.cfg.schedule) if self.cfg.schedule else None
        self.profiler = profiler.profile(
            activities=activities,
            schedule=schedule,
            on_trace_ready=self._trace_handler(state) if schedule is not None else None,
            record_shapes=self.cfg.record_shapes,
            profile_memory=self.cfg.profile_memory,
            with_stack=self.cfg.with_stack,
            with_flops=self.cfg.with_flops,
        )
        self.profiler.__enter__()

    def _trace_handler(self, state: RunState) -> Any:
        def ready(prof: Any) -> None:
            self._emit(prof, state)

        return ready

    def _emit(self, prof: Any, state: RunState) -> None:
        assert self.trace_path is not None
        self.trace_path.parent.mkdir(parents=True, exist_ok=True)
        prof.export_chrome_trace(str(self.trace_path))
        handler = self.cfg.on_trace_ready
        if isinstance(handler, LogTrace):
            table = prof.key_averages().table(
                sort_by=handler.sort_by,
                row_limit=handler.row_limit,
                header=handler.header,
                max_src_column_width=handler.max_src_column_width,
                max_name_column_width=handler.max_name_column_width,
                max_shapes_column_width=handler.max_shapes_column_width,
                top_level_events_only=handler.top_level_events_only,
            )
            log.info("\n%s", table)
        elif isinstance(handler, TbTrace):
            from torch.profiler import tensorboard_trace_handler

            folder = Path(handler.dir_name) if handler.dir_name else state.log_dir / "tf_tracing_logs"
            if not folder.is_absolute():
                folder = state.log_dir / folder
            tensorboard_trace_handler(str(folder), handler.worker_name, handler.use_gzip)(prof)
        log.info("Profiler trace written to %s", self.trace_path)

    def _finish(self, state: RunState) -> None:
        if self._done or self.profiler is None:
            return
        self._done = True
        self.profiler.__exit__(None, None, None)
        if self.cfg.schedule is None:
            self._emit(self.profiler, state)

    def after_train_iter(self, state: RunState) -> None:
        if self._done or self.cfg.by_epoch:
            return
        if self.cfg.schedule is not None:
            self.profiler.step()
        if state.iter + 1 - state.start_iter >= self.cfg.profile_times:
            self._finish(state)

    def after_train_epoch(self, state: RunState) -> None:
        if self.cfg.by_epoch:
            self._finish(state)

    def after_train(self, state: RunState) -> None:
        self._finish(state)
