"""LoggerHook: MMEngine's log lines every `interval` iterations, validation/test summaries, scalars.json,
TensorBoard events, a progress bar on a terminal; the logs copied to `out_dir` at the end."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

import torch

from typedseg.config.hooks import LoggerHook as LoggerConfig
from typedseg.config.runtime import LocalVisBackend
from typedseg.engine.hooks.base import Hook
from typedseg.engine.logs import LineFormatter, ScalarWriters, TrainLines
from typedseg.engine.state import RunState

log = logging.getLogger("typedseg")


class LoggerHook(Hook):
    """Formats and writes the logs (MMEngine's LoggerHook with its LogProcessor)."""

    priority = 60

    def __init__(self, cfg: LoggerConfig, progress: bool | None = None) -> None:
        self.cfg = cfg
        self.interval = cfg.interval
        self.formatter: LineFormatter | None = None
        self.writers: ScalarWriters | None = None
        self.lines: TrainLines | None = None
        self.progress_enabled = sys.stdout.isatty() if progress is None else progress
        self._progress: Any = None
        self._task: Any = None
        self._device: torch.device | None = None

    def before_run(self, state: RunState) -> None:
        experiment = state.experiment
        self.formatter = LineFormatter(experiment.log_processor)
        visualizer = experiment.visualizer
        backends = tuple(visualizer.vis_backends or ()) if visualizer is not None else ()
        vis_dir = (
            Path(visualizer.save_dir) if visualizer is not None and visualizer.save_dir else state.log_dir
        )
        self.writers = ScalarWriters(
            vis_dir / "vis_data",
            backends or (LocalVisBackend(),),
            purge_step=state.start_iter + 1 if state.resumed else None,
        )
        state.writers = self.writers
        self.lines = TrainLines(log, self.formatter, self.writers)

    # --- train ---------------------------------------------------------------------------------------------

    def before_train(self, state: RunState) -> None:
        if self.progress_enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self._progress = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            )
            self._task = self._progress.add_task("train", total=state.max_iters, completed=state.iter)
            self._progress.start()

    def after_train_iter(self, state: RunState) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=state.iter + 1)
        batch_idx = state.batch_idx
        if (batch_idx + 1) % self.interval == 0:
            pass
        elif not (
            batch_idx + 1 == state.loader_length
            and (not self.cfg.ignore_last or state.loader_length <= self.interval)
        ):
            return
        if (state.iter + 1) % self.cfg.interval_exp_name == 0 or batch_idx + 1 == state.loader_length:
            log.info("Exp name: %s", state.experiment.experiment_name or state.timestamp)
        assert self.formatter is not None and self.lines is not None
        tag = {**state.lr(), **self.formatter.collect(state.scalars, "train")}
        memory = self._memory(state)
        where = {
            "it": state.iter,
            "max_iters": state.max_iters,
            "epoch": state.epoch,
            "max_epochs": state.max_epochs,
            "batch_idx": batch_idx,
            "loader_length": state.loader_length,
            "eta": state.eta,
            "memory": memory,
        }
        scalars: dict[str, Any] = dict(tag)
        if self.formatter.cfg.by_epoch:
            scalars["epoch"] = state.epoch + 1
        scalars["iter"] = state.iter + 1
        if memory is not None:
            scalars["memory"] = memory
        # Made now, or with the next ones when they come faster than ten a second.
        self.lines.add(tag, where, scalars, state.iter + 1)

    def after_train(self, state: RunState) -> None:
        if self.lines is not None:
            self.lines.flush()
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _memory(self, state: RunState) -> int | None:
        """Peak CUDA memory (MB) since the last log, MMEngine's `memory`; None on the CPU."""
        if self._device is None:
            self._device = state.device
        if self._device.type != "cuda":
            return None
        peak = int(torch.cuda.max_memory_allocated(self._device) // (1024 * 1024))
        torch.cuda.reset_peak_memory_stats(self._device)
        return peak

    # --- val / test ----------------------------------------------------------------------------------------

    def _after_eval_iter(self, state: RunState) -> None:
        if (state.batch_idx + 1) % self.interval != 0 or self.formatter is None:
            return
        histories = state.scalars.of_mode(state.mode)
        time, data_time = histories.get("time"), histories.get("data_time")
        log.info(
            self.formatter.eval_iter_line(
                state.mode,
                batch_idx=state.batch_idx,
                loader_length=state.loader_length,
                eta=state.eta,
                time=time.reduce("mean", self.formatter.cfg.window_size) if time else None,
                data_time=data_time.reduce("mean", self.formatter.cfg.window_size) if data_time else None,
            )
        )

    after_val_iter = _after_eval_iter
    after_test_iter = _after_eval_iter

    def _eval_tag(self, state: RunState) -> dict[str, float]:
        tag: dict[str, float] = {name: float(value) for name, value in state.metrics.items()}
        for name in ("data_time", "time"):
            history = state.scalars.of_mode(state.mode).get(name)
            if history is not None and history.epoch_count:
                tag[name] = history.reduce("mean", "epoch")
        if self.formatter is not None and self.formatter.cfg.log_with_hierarchy:
            tag = {f"{state.mode}/{name}": value for name, value in tag.items()}
        return tag

    def after_val_epoch(self, state: RunState) -> None:
        assert self.formatter is not None and self.writers is not None
        tag = self._eval_tag(state)
        log.info(self.formatter.eval_line("val", tag, epoch=state.epoch, loader_length=state.loader_length))
        step = state.epoch if self.cfg.log_metric_by_epoch else state.iter
        self.writers.add_scalars(tag, step=step)

    def after_test_epoch(self, state: RunState) -> None:
        assert self.formatter is not None
        tag = self._eval_tag(state)
        log.info(self.formatter.eval_line("test", tag, epoch=state.epoch, loader_length=state.loader_length))
        (state.log_dir / f"{state.timestamp}.json").write_text(json.dumps(tag) + "\n", encoding="utf8")

    def after_run(self, state: RunState) -> None:
        if self.lines is not None:
            self.lines.close()
            self.lines = None
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self.writers is not None:
            self.writers.close()
        if self.cfg.out_dir is None:
            return
        target = Path(self.cfg.out_dir) / state.work_dir.name / state.log_dir.name
        target.mkdir(parents=True, exist_ok=True)
        suffixes = (
            (self.cfg.out_suffix,) if isinstance(self.cfg.out_suffix, str) else tuple(self.cfg.out_suffix)
        )
        for path in sorted(state.log_dir.rglob("*")):
            if path.is_file() and path.name.endswith(suffixes):
                destination = target / path.relative_to(state.log_dir)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
                if not self.cfg.keep_local:
                    path.unlink()
        log.info("Logs copied to %s", target)
