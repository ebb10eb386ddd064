"""CheckpointHook: periodic, last and best checkpoints with MMEngine's names and rules, never losing a good one.

Differences from MMEngine, on purpose: old checkpoints (beyond `max_keep_ckpts`) and the previous best are
deleted only after the new file and the `last_checkpoint` pointer are on disk; every file is written
atomically with a sha256 sidecar (typedseg.engine.checkpoint).
"""

from __future__ import annotations

import hashlib
import logging
import math
from pathlib import Path
from typing import Any

from typedseg.config.hooks import GREATER_KEYS, LESS_KEYS, infer_rule
from typedseg.config.hooks import CheckpointHook as CheckpointConfig
from typedseg.engine.checkpoint import remove_checkpoint, save_checkpoint_file
from typedseg.engine.hooks.base import Hook
from typedseg.engine.state import RunState

log = logging.getLogger("typedseg")


class CheckpointHook(Hook):
    """Saves `iter_N.pth`/`epoch_N.pth` every `interval` (from `save_begin`), at the end (`save_last`), when
    asked (`RunState.request_checkpoint`, SIGTERM), and `best_<metric>_<name>.pth` on a new best metric."""

    priority = 90

    def __init__(self, cfg: CheckpointConfig) -> None:
        self.cfg = cfg
        self.keep: list[str] = []
        self.best_scores: dict[str, float] = {}
        self.best_paths: dict[str, str] = {}
        self.folder = Path()
        self.last_saved_iter = -1

    def before_train(self, state: RunState) -> None:
        self.folder = (
            Path(self.cfg.out_dir) / state.work_dir.name if self.cfg.out_dir is not None else state.work_dir
        )

    before_run = before_train

    def _template(self, by_epoch: bool) -> str:
        if self.cfg.filename_tmpl is not None:
            return self.cfg.filename_tmpl
        return "epoch_{}.pth" if by_epoch else "iter_{}.pth"

    @staticmethod
    def _every(step: int, interval: int, begin: int) -> bool:
        dividend = step - begin
        return interval > 0 and dividend >= 0 and dividend % interval == 0

    def after_train_iter(self, state: RunState) -> None:
        if state.checkpoint_requested:
            state.checkpoint_requested = False
            self.save_now(state)
            return
        cfg = self.cfg
        if cfg.by_epoch:
            return
        step, interval = state.iter + 1, cfg.interval
        due = interval > 0 and step >= cfg.save_begin and (step - cfg.save_begin) % interval == 0  # as _every
        if due or (cfg.save_last and step == state.max_iters):
            self._save(state, self._template(False).format(step))

    def after_train_epoch(self, state: RunState) -> None:
        if not self.cfg.by_epoch:
            return
        step = state.epoch + 1
        if self._every(step, self.cfg.interval, self.cfg.save_begin) or (
            self.cfg.save_last and step == state.max_epochs
        ):
            self._save(state, self._template(True).format(step))

    def save_now(self, state: RunState) -> Path | None:
        """Save at this iteration boundary whatever the interval (SIGTERM, a hook's request)."""
        if self.last_saved_iter == state.iter:
            return state.checkpointer.last if state.checkpointer else None
        return self._save(state, self._template(False).format(state.iter + 1))

    def _save(self, state: RunState, filename: str) -> Path | None:
        writer = state.checkpointer
        if writer is None:
            return None
        unit = "epochs" if self.cfg.by_epoch and filename.startswith("epoch") else "iterations"
        count = state.epoch + 1 if unit == "epochs" else state.iter + 1
        log.info("Saving checkpoint at %d %s", count, unit)
        if self.cfg.max_keep_ckpts > 0 and filename not in self.keep:
            self.keep.append(filename)
        path = writer.save(
            filename,
            folder=self.folder,
            save_optimizer=self.cfg.save_optimizer,
            save_param_scheduler=self.cfg.save_param_scheduler,
        )
        self.last_saved_iter = state.iter
        # Only now, with the new file and the pointer on disk, may old ones go.
        while self.cfg.max_keep_ckpts > 0 and len(self.keep) > self.cfg.max_keep_ckpts:
            old = self.folder / self.keep.pop(0)
            if writer.writes:  # rank 0 only
                remove_checkpoint(old)
        return path

    # --- best checkpoints ----------------------------------------------------------------------------------

    def _rules(self, metrics: dict[str, float]) -> list[tuple[str, bool]]:
        names = list(self.cfg.best_metrics)
        if names == ["auto"]:
            names = list(metrics)[:1]
        greater_keys = GREATER_KEYS if self.cfg.greater_keys is None else self.cfg.greater_keys
        less_keys = LESS_KEYS if self.cfg.less_keys is None else self.cfg.less_keys
        rules = (
            self.cfg.best_rules
            if len(self.cfg.best_rules) == len(names)
            else self.cfg.best_rules[:1] * len(names)
        )
        return [
            (name, (rule or infer_rule(name, greater_keys, less_keys)) == "greater")
            for name, rule in zip(names, rules, strict=True)
        ]

    def after_val_epoch(self, state: RunState) -> None:
        if not self.cfg.best_metrics or not state.metrics or state.checkpointer is None:
            return
        by_epoch = self.cfg.by_epoch
        step_name = self._template(by_epoch).format(state.epoch if by_epoch else state.iter)
        for name, greater in self._rules(state.metrics):
            if name not in state.metrics:
                continue
            score = float(state.metrics[name])
            best = self.best_scores.get(name, -math.inf if greater else math.inf)
            if math.isnan(score) or not (score > best if greater else score < best):
                continue
            best_name = f"best_{name.replace('/', '_')}_{step_name}"
            path = state.checkpointer.save(
                best_name,
                folder=self.folder,
                save_optimizer=False,
                save_param_scheduler=False,
                update_pointer=False,
            )
            previous = self.best_paths.get(name)
            self.best_scores[name], self.best_paths[name] = score, str(path)
            if previous and previous != str(path) and state.checkpointer.writes:
                remove_checkpoint(Path(previous))
                log.info("The previous best checkpoint %s is removed", previous)
            step, unit = (state.epoch, "epoch") if by_epoch else (state.iter, "iter")
            log.info(
                "The best checkpoint with %.4f %s at %d %s is saved to %s.",
                score,
                name,
                step,
                unit,
                best_name,
            )

    def after_train(self, state: RunState) -> None:
        if self.cfg.published_keys is None or state.checkpointer is None or state.checkpointer.last is None:
            return
        if not state.checkpointer.writes:
            return
        keys = (
            (self.cfg.published_keys,)
            if isinstance(self.cfg.published_keys, str)
            else self.cfg.published_keys
        )
        from typedseg.engine.checkpoint import load_checkpoint

        last = state.checkpointer.last
        published = {key: value for key, value in load_checkpoint(last).items() if key in keys}
        temp = last.with_name(f"{last.stem}-published.pth")
        save_checkpoint_file(published, temp)
        digest = hashlib.sha256(temp.read_bytes()).hexdigest()[:8]
        final = last.with_name(f"{last.stem}-{digest}.pth")
        save_checkpoint_file(published, final)
        remove_checkpoint(temp)
        log.info("Published %s with keys %s", final, ", ".join(keys))

    def state_dict(self) -> dict[str, Any]:
        return {
            "keep": list(self.keep),
            "best_scores": dict(self.best_scores),
            "best_paths": dict(self.best_paths),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.keep = list(state["keep"])
        self.best_scores = dict(state["best_scores"])
        self.best_paths = dict(state["best_paths"])
