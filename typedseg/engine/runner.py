"""The Runner: builds what an `Experiment` describes and runs MMEngine's loops on it.

    runner = Runner(load_config("cfg.py"), work_dir="work_dirs/x")
    runner.train()      # or runner.val() / runner.test()

Everything a run needs is built and checked before iteration 0 (the data folders, the device, the
checkpoint to resume or load), so that a mistake is one message, not a traceback an hour in.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import torch
from torch import nn

from typedseg import __version__, startup
from typedseg.config.experiment import Experiment
from typedseg.config.loops import EpochBasedTrainLoop as EpochLoopConfig
from typedseg.config.loops import IterBasedTrainLoop as IterLoopConfig
from typedseg.engine.checkpoint import (
    CheckpointWriter,
    check_weights_fit,
    find_resume_point,
    load_checkpoint,
    read_weights,
    sweep_temp_files,
)
from typedseg.engine.components import Builders
from typedseg.engine.dist import (
    DistContext,
    agree,
    barrier,
    broadcast_object,
    eval_split,
    gather_objects,
    init_distributed,
    quiet_logger,
    rank0_hooks_removed,
    shutdown,
    wrap_model,
)
from typedseg.engine.errors import RunError, TrainingFault, TrainingInterrupted
from typedseg.engine.hooks.base import Hooks
from typedseg.engine.hooks.build import build_hooks
from typedseg.engine.hooks.checkpoint import CheckpointHook
from typedseg.engine.logs import LineFormatter, close_logger, setup_logger
from typedseg.engine.loops import (
    EpochBasedTrainLoop,
    EvalLoop,
    IterBasedTrainLoop,
    ResumeAt,
    TrainLoop,
    loader_length,
    sampler_of,
    validation_guard,
)
from typedseg.engine.protocols import NO_CONTEXT, MetricLike
from typedseg.engine.randomness import resolve_seed, rng_state, seed_everything
from typedseg.engine.scalars import ScalarLog
from typedseg.engine.state import RunState

log = logging.getLogger("typedseg")

NonFinitePolicy = Literal["stop", "skip"]


@dataclass(frozen=True)
class ParamGroupRow:
    """One optimizer parameter group, as `run --dry-run` shows it."""

    pattern: str
    lr: float
    weight_decay: float
    count: int


class Runner:
    """Trains, validates and tests one `Experiment` (MMEngine's Runner semantics, typed).

    `resume`: None takes the experiment's `resume`/`load_from`; True resumes from the work_dir's last valid
    checkpoint; a path resumes from that checkpoint. `load_from` overrides the experiment's (weights only).
    `on_nonfinite`: "stop" (default) ends training before the optimizer step of a non-finite loss; "skip"
    drops that step and goes on. `builders` replaces how the parts are built (tests, embedding).
    """

    def __init__(
        self,
        experiment: Experiment,
        work_dir: str | Path | None = None,
        *,
        resume: bool | str | Path | None = None,
        load_from: str | Path | None = None,
        on_nonfinite: NonFinitePolicy = "stop",
        builders: Builders | None = None,
        config_text: str | None = None,
        progress: bool | None = None,
        device: str | None = None,
    ) -> None:
        self.experiment = experiment
        name = experiment.experiment_name or "typedseg"
        self.work_dir = Path(work_dir or experiment.work_dir or Path("work_dirs") / name).absolute()
        self.resume_from: bool | Path = (
            experiment.resume if resume is None else (resume if isinstance(resume, bool) else Path(resume))
        )
        self.load_from = (
            Path(load_from) if load_from else (Path(experiment.load_from) if experiment.load_from else None)
        )
        if self.resume_from is True and experiment.load_from and resume is None:
            self.resume_from = Path(
                experiment.load_from
            )  # MMEngine: resume=True with load_from resumes from it
        self.on_nonfinite = on_nonfinite
        self.builders = builders or Builders()
        self.config_text = config_text
        self.progress = progress
        self.device = torch.device(device) if device else None
        self.timestamp = time.strftime("%Y%m%d_%H%M%S")
        self.log_dir = self.work_dir / self.timestamp
        self.state: RunState | None = None
        self.hooks: Hooks | None = None
        self.last_metrics: dict[str, float] = {}
        """The metrics of the last validation of `train()` (empty when none ran)."""
        self.train_loop: TrainLoop | None = None
        self._sigterm = False
        self.dist = DistContext()
        self._ddp: nn.Module | None = None
        """The DistributedDataParallel wrapper the train step runs forward through (several processes)."""
        self._agreed_stop = False
        """SIGTERM seen by any rank (agreed at each step, so that all ranks stop after the same one)."""

    # --- checks before anything is built -----------------------------------------------------------------

    def _check_environment(self) -> torch.device:
        exp = self.experiment
        cuda = torch.cuda.is_available()
        wanted = self.device or torch.device("cuda" if cuda else "cpu")
        if wanted.type == "cuda" and not cuda:
            raise RunError(
                "cuda-unavailable",
                "device 'cuda' was asked for, and this machine has no CUDA device.",
                "Run on a machine with a GPU, or leave the device out to use the CPU.",
            )
        # Before the model is built: SyncBN becomes nn.SyncBatchNorm only inside a process group.
        self.dist = init_distributed(exp.launcher, exp.env_cfg.dist_cfg, wanted)
        if wanted.type == "cuda" and self.dist.distributed and wanted.index is None:
            wanted = torch.device("cuda", self.dist.local_rank)
        if not cuda:
            problems = self._cuda_settings()
            if problems:
                raise RunError(
                    "cuda-unavailable",
                    f"this machine has no CUDA device, and the config needs one: {'; '.join(problems)}.",
                    "Run on a machine with a GPU, or change these settings for the CPU.",
                )
        return wanted

    def _cuda_settings(self) -> list[str]:
        exp, found = self.experiment, []
        wrapper = exp.optim_wrapper
        from typedseg.config.optim import AmpOptimWrapper

        if isinstance(wrapper, AmpOptimWrapper) and (wrapper.dtype or "float16") == "float16":
            found.append("optim_wrapper is an AmpOptimWrapper with float16 (use dtype='bfloat16' on a CPU)")
        for hook in exp.custom_hooks:
            if getattr(hook, "type", "") == "ProfilerHook" and getattr(hook, "activity_with_cuda", False):
                found.append("ProfilerHook(activity_with_cuda=True)")
        if (
            self.dist.distributed
            and exp.model is not None
            and "SyncBN" in json.dumps(exp.model.model_dump(mode="json"))
        ):  # one process reverts SyncBN to BatchNorm2d; several need torch's GPU-only SyncBatchNorm
            found.append("the model uses SyncBN, which torch runs on GPUs only (use BN on CPUs)")
        for name in ("val_cfg", "test_cfg"):
            loop = getattr(exp, name)
            if loop is not None and loop.fp16:
                found.append(f"{name}.fp16=True")
        return found

    # --- building ------------------------------------------------------------------------------------------

    def _prepare(self, *, training: bool) -> tuple[RunState, dict[str, Any] | None]:
        exp = self.experiment
        device = self._check_environment()
        torch.backends.cudnn.benchmark = exp.env_cfg.cudnn_benchmark
        resume_ckpt = self._find_resume() if training else None
        seed = broadcast_object(resolve_seed(exp.randomness))  # one seed for all ranks (samplers share it)
        if resume_ckpt is not None:
            seed = int(resume_ckpt["meta"].get("seed", seed))
        # diff_rank_seed: each rank's global RNGs (dropout, ...) start from seed + rank; samplers keep `seed`.
        seed_everything(
            seed + (self.dist.rank if exp.randomness.diff_rank_seed else 0), exp.randomness.deterministic
        )
        self.timestamp = broadcast_object(self.timestamp)  # one log folder, rank 0's
        self.log_dir = self.work_dir / self.timestamp
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if not self.dist.is_main:  # only rank 0 writes logs
            quiet_logger()
        else:
            sweep_temp_files(self.work_dir)
            setup_logger(self.log_dir / f"{self.timestamp}.log", exp.log_level)
        log.info(
            "typedseg %s, torch %s, seed %d, device %s, work_dir %s",
            __version__,
            torch.__version__,
            seed,
            device,
            self.work_dir,
        )
        if self.dist.distributed:
            log.info(
                "distributed: %d processes, backend %s", self.dist.world_size, exp.env_cfg.dist_cfg.backend
            )
        if self.dist.is_main:
            self._save_config()
        if exp.model is None:
            raise RunError("no-model", "the config has no model.", "Add a model section.")
        model = self.builders.model(exp.model).to(device)
        formatter = LineFormatter(exp.log_processor)
        scalars = ScalarLog(
            exp.log_processor.window_size,
            # The evaluation lines show epoch means of time and data_time; the train line shows windows.
            formatter.totals_needed
            | {f"{mode}/{name}" for mode in ("val", "test") for name in ("time", "data_time")},
            formatter.extremes_needed,
        )
        state = RunState(
            experiment=exp,
            model=model,
            work_dir=self.work_dir,
            log_dir=self.log_dir,
            timestamp=self.timestamp,
            seed=seed,
            scalars=scalars,
        )
        self.state = state
        return state, resume_ckpt

    def _save_config(self) -> None:
        from typedseg.loading.dump import to_json

        text = self.config_text if self.config_text is not None else to_json(self.experiment)
        name = "config.py" if self.config_text is not None else "config.json"
        (self.log_dir / name).write_text(text, encoding="utf8")

    def _build_loader(self, cfg: Any, seed: int, what: str) -> Any:
        from typedseg.datasets.errors import DataError

        try:
            if self.dist.distributed and what != "train_dataloader":
                cfg = eval_split(cfg)  # each validation/test sample on one rank, once
            loader = self.builders.dataloader(
                cfg, seed=seed, rank=self.dist.rank, world_size=self.dist.world_size
            )
        except DataError as exc:
            if exc.problem is not None:
                raise RunError(exc.problem.code, f"{what}: {exc.problem.message}", exc.problem.hint) from None
            raise RunError("data-not-found", f"{what}: {exc}") from None
        except FileNotFoundError as exc:
            raise RunError(
                "data-not-found",
                f"{what}: {exc.strerror or 'not found'}: {exc.filename or exc}",
                "Check data_root and the data prefixes in the dataset config, or download the dataset.",
            ) from None
        if getattr(loader, "generator", True) is None:
            # Creating an iterator then draws its worker seeds from this generator, not the global RNG: the
            # training's random stream does not depend on when iterators are made (resume, new passes).
            loader.generator = torch.Generator().manual_seed(seed)
        return loader

    def _build_metrics(self, cfg: Any, meta: dict[str, Any]) -> list[MetricLike]:
        configs = cfg if isinstance(cfg, (list, tuple)) else (cfg,)
        return [self.builders.metric(c, meta) for c in configs]

    def _eval_loop(
        self, mode: Literal["val", "test"], state: RunState, hooks: Hooks, *, dry_run: bool = False
    ) -> EvalLoop | None:
        exp = self.experiment
        loader_cfg, loop_cfg, evaluator = (
            (exp.val_dataloader, exp.val_cfg, exp.val_evaluator)
            if mode == "val"
            else (exp.test_dataloader, exp.test_cfg, exp.test_evaluator)
        )
        if loader_cfg is None or loop_cfg is None or evaluator is None:
            return None
        loader = self._loader_or_none(loader_cfg, state.seed, f"{mode}_dataloader", dry_run)
        if loader is None:
            return None
        meta = dict(getattr(getattr(loader, "dataset", None), "metainfo", {}) or {})
        state.dataset_meta = state.dataset_meta or meta
        return EvalLoop(mode, loader, self._build_metrics(evaluator, meta), hooks, state, loop_cfg.fp16)

    # --- resume and load_from ------------------------------------------------------------------------------

    def _find_resume(self) -> dict[str, Any] | None:
        if self.resume_from is False:
            return None
        if isinstance(self.resume_from, Path):
            path = self.resume_from
        else:
            point = find_resume_point(self.work_dir)
            if point is None:
                log.warning("resume: no checkpoint in %s; training from scratch.", self.work_dir)
                return None
            for skipped, why in point.skipped:
                log.warning("resume: skipped %s: %s", skipped, why)
            if point.skipped:
                log.warning("resume: using the newest valid checkpoint, %s", point.path)
            path = point.path
        checkpoint = load_checkpoint(path)
        checkpoint["meta"]["_path"] = str(path)
        return checkpoint

    def _apply_resume(self, checkpoint: dict[str, Any], state: RunState, hooks: Hooks) -> ResumeAt:
        path = Path(checkpoint["meta"].pop("_path"))
        state.checkpoint, state.resumed = checkpoint, True
        hooks.call("after_load_checkpoint", state)
        state.checkpoint = None
        check_weights_fit(state.model, checkpoint["state_dict"], path)
        state.model.load_state_dict(checkpoint["state_dict"])
        if state.optim_wrapper is not None and "optimizer" in checkpoint:
            state.optim_wrapper.load_state_dict(checkpoint["optimizer"])
        saved = checkpoint.get("param_schedulers", [])
        if saved and len(saved) != len(state.schedulers):
            raise RunError(
                "resume-schedulers-mismatch",
                f"{path} holds {len(saved)} schedulers and the config has {len(state.schedulers)}.",
                "Resume with the config the checkpoint was trained with.",
                file=path,
            )
        for scheduler, scheduler_state in zip(state.schedulers, saved, strict=False):
            scheduler.load_state_dict(scheduler_state)
        hook_states = checkpoint.get("hooks", {})
        for index, hook in enumerate(hooks.hooks):
            key = f"{index}:{type(hook).__name__}"
            if key in hook_states and hasattr(hook, "load_state_dict"):
                hook.load_state_dict(hook_states[key])
        state.scalars.load_state_dict(checkpoint.get("message_hub", {}).get("log_scalars", {}))
        loop = checkpoint["loop"]
        state.iter, state.epoch, state.batch_idx = loop["iter"], loop["epoch"], loop["batch_idx"]
        state.start_iter = state.iter
        log.info("Resumed from %s at iteration %d (epoch %d)", path, state.iter, state.epoch)
        rng = checkpoint.get("rng")
        per_rank = checkpoint.get("rng_per_rank")
        if self.dist.distributed and per_rank is not None:
            if len(per_rank) == self.dist.world_size:
                rng = per_rank[self.dist.rank]
            else:
                log.warning(
                    "resume: %s was saved by %d processes and %d run now; every rank takes rank 0's RNG state.",
                    path,
                    len(per_rank),
                    self.dist.world_size,
                )
        return ResumeAt(sampler=loop.get("sampler"), rng=rng, passes=loop.get("passes", 0))

    def _load_weights(self, path: Path, state: RunState, hooks: Hooks | None) -> None:
        weights = read_weights(path)
        for note in check_weights_fit(state.model, weights, path):
            log.warning("load_from %s: %s", path, note)
        state.model.load_state_dict(weights, strict=False)
        if hooks is not None:
            state.checkpoint = {"state_dict": {k: v for k, v in state.model.state_dict().items()}}
            hooks.call("after_load_checkpoint", state)
            state.checkpoint = None
        log.info("Loaded weights from %s", path)

    # --- checkpoint contents -------------------------------------------------------------------------------

    def _collect(self, save_optimizer: bool, save_param_scheduler: bool) -> dict[str, Any]:
        state, hooks = self.state, self.hooks
        assert state is not None and hooks is not None
        loop = self.train_loop
        position = loop.position() if loop is not None else {}
        epoch_done = position.pop("epoch_done", False)
        sampler = sampler_of(loop.loader) if loop is not None else None
        checkpoint: dict[str, Any] = {
            "meta": {
                "epoch": state.epoch + (1 if epoch_done else 0),
                "iter": state.iter + (0 if epoch_done else 1),
                "seed": state.seed,
                "experiment_name": self.experiment.experiment_name or self.timestamp,
                "time": time.strftime("%Y%m%d_%H%M%S"),
                "typedseg_version": __version__,
                "torch_version": str(torch.__version__),
                "dataset_meta": json.loads(json.dumps(state.dataset_meta, default=str)),
                "cfg": self._config_json(),
            },
            "state_dict": {k: v.detach().cpu() for k, v in state.model.state_dict().items()},
            "message_hub": {"log_scalars": state.scalars.state_dict()},
            "loop": {
                "iter": state.iter + (0 if epoch_done else 1),
                "epoch": state.epoch + (1 if epoch_done else 0),
                "batch_idx": position.get("batch_idx", 0),
                "passes": position.get("passes", 0),
                "sampler": None if epoch_done or sampler is None else sampler.state_dict(),
            },
            "rng": rng_state(),
        }
        if self.dist.distributed:  # every rank's RNG states (a collective: every rank collects)
            checkpoint["rng_per_rank"] = gather_objects(checkpoint["rng"])
        if save_optimizer and state.optim_wrapper is not None:
            checkpoint["optimizer"] = state.optim_wrapper.state_dict()
        if save_param_scheduler:
            checkpoint["param_schedulers"] = [s.state_dict() for s in state.schedulers]
        checkpoint["hooks"] = {
            f"{index}:{type(hook).__name__}": hook_state
            for index, hook in enumerate(hooks.hooks)
            if hasattr(hook, "state_dict") and (hook_state := hook.state_dict()) is not None
        }
        state.checkpoint = checkpoint
        hooks.call("before_save_checkpoint", state)
        state.checkpoint = None
        return checkpoint

    def _config_json(self) -> str:
        from typedseg.loading.dump import to_json

        return to_json(self.experiment)

    # --- the train step ------------------------------------------------------------------------------------

    def _make_step(self, state: RunState) -> Any:
        model, wrapper = state.model, state.optim_wrapper
        assert wrapper is not None
        preprocess: Any = model.data_preprocessor
        skip = self.on_nonfinite == "skip"

        forward = self._ddp if self._ddp is not None else model  # DDP all-reduces the gradients in backward
        distributed = self.dist.distributed

        def step(batch: Any) -> dict[str, torch.Tensor] | None:
            losses: dict[str, torch.Tensor]
            context = wrapper.optim_context(forward)
            if context is NO_CONTEXT:  # most steps: no `with` (nullcontext's enter and exit are Python calls)
                data = preprocess(batch, True)
                losses = forward(data["inputs"], data["data_samples"], mode="loss")
            else:
                with context:
                    data = preprocess(batch, True)
                    losses = forward(data["inputs"], data["data_samples"], mode="loss")
            loss: torch.Tensor | None = None
            for key, value in losses.items():  # MMEngine's parse_losses: every value whose key says "loss"
                if "loss" in key:
                    loss = value if loss is None else loss + value
            if loss is None:
                raise TrainingFault(
                    "no-loss", f"the model's losses {sorted(losses)} have no key with 'loss' in it."
                )
            state.loss_value = loss.item()  # the one device sync per step: the check precedes the update
            bad = not math.isfinite(state.loss_value)
            where = ""
            if distributed:  # every rank stops (or skips) together, before backward's gradient all-reduce
                (bad_ranks, _), (bad, self._agreed_stop) = agree([bad, self._sigterm])
                where = f" on rank {', '.join(map(str, bad_ranks))}"
            if bad:
                terms = ", ".join(f"{k}={float(v.detach()):.4g}" for k, v in losses.items() if "loss" in k)
                if skip:
                    log.warning(
                        "iteration %d: the loss is not finite%s (%s); step skipped.",
                        state.iter + 1,
                        where,
                        terms,
                    )
                    return None
                raise TrainingFault(
                    "non-finite-loss",
                    f"iteration {state.iter + 1}: the loss is not finite{where} ({terms}); stopped before the "
                    f"optimizer step, so no weight was changed by it. Lower the lr, add clip_grad, or check the data.",
                )
            wrapper.update_params(loss)
            losses["loss"] = loss  # the model's own dict, no copy: RuntimeInfoHook records its values
            return losses

        return step

    # --- SIGTERM -------------------------------------------------------------------------------------------

    @contextmanager
    def _sigterm_handler(self) -> Iterator[None]:
        def handle(signum: int, frame: FrameType | None) -> None:
            self._sigterm = True

        try:
            previous = signal.signal(signal.SIGTERM, handle)
        except ValueError:  # not the main thread: no handler
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _interrupt(self) -> None:
        state, hooks = self.state, self.hooks
        assert state is not None and hooks is not None
        saved = None
        state.iter -= 1  # the boundary save describes the iteration that just ended
        try:
            for hook in hooks.hooks:
                if isinstance(hook, CheckpointHook):
                    saved = hook.save_now(state)
                    break
        finally:
            state.iter += 1
        barrier()  # rank 0 has written the checkpoint: all ranks exit together
        log.warning("SIGTERM: stopped after iteration %d; %s", state.iter, f"saved {saved}" if saved else "")
        raise TrainingInterrupted(saved)

    # --- public API ----------------------------------------------------------------------------------------

    def _loader_or_none(self, cfg: Any, seed: int, what: str, dry_run: bool) -> Any:
        """A dry run goes on without data that does not exist (and says so); a run stops here."""
        try:
            return self._build_loader(cfg, seed, what)
        except RunError as exc:
            if not dry_run:
                raise
            log.warning("dry run: %s is not built: %s", what, exc.problems[0].message)
            return None

    def build_for_training(
        self, *, dry_run: bool = False
    ) -> tuple[RunState, Hooks, TrainLoop, ResumeAt | None, list[str]]:
        """Build everything `train()` runs (model, data, optimizer, schedulers, hooks, resume state); with
        `dry_run`, dataloaders whose data does not exist are left out instead of stopping."""
        exp = self.experiment
        if exp.train_cfg is None or exp.train_dataloader is None or exp.optim_wrapper is None:
            raise RunError(
                "no-training",
                "the config has no training section (train_dataloader, train_cfg and optim_wrapper).",
                "Add them, or use `typedseg test`.",
            )
        state, resume_ckpt = self._prepare(training=True)
        loader = self._loader_or_none(exp.train_dataloader, state.seed, "train_dataloader", dry_run)
        state.train_loader = loader
        state.dataset_meta = dict(getattr(getattr(loader, "dataset", None), "metainfo", {}) or {})
        wrapper = self.builders.optim_wrapper(exp.optim_wrapper, state.model)
        if exp.auto_scale_lr is not None and exp.auto_scale_lr.enable:
            total = exp.train_dataloader.batch_size * self.dist.world_size  # the real total batch size
            ratio = total / exp.auto_scale_lr.base_batch_size
            for group in wrapper.optimizer.param_groups:
                group["lr"] *= ratio
            log.info("auto_scale_lr: lr scaled by %g (total batch size %d)", ratio, total)
        state.optim_wrapper = wrapper
        length = loader_length(loader)
        train_cfg = exp.train_cfg
        by_epoch = isinstance(train_cfg, EpochLoopConfig)
        max_epochs: int | None
        if isinstance(train_cfg, EpochLoopConfig):
            max_iters, max_epochs = train_cfg.max_epochs * length, train_cfg.max_epochs
        else:
            max_iters, max_epochs = train_cfg.max_iters, None
        state.schedulers = self.builders.schedulers(
            exp.param_scheduler,
            wrapper,
            iters_per_epoch=length or None,
            max_iters=max_iters,
            max_epochs=max_epochs,
        )
        hooks = build_hooks(exp.default_hooks, tuple(exp.custom_hooks), progress=self.progress)
        if not self.dist.is_main:
            hooks = rank0_hooks_removed(hooks)
        self.hooks = hooks
        state.checkpointer = CheckpointWriter(self.work_dir, self._collect, writes=self.dist.is_main)
        if self.dist.distributed:
            self._ddp = wrap_model(
                state.model, state.device, exp.model_wrapper_cfg, exp.find_unused_parameters
            )
        val_loop = self._eval_loop("val", state, hooks, dry_run=dry_run)
        validate = validation_guard(val_loop.run) if val_loop is not None else None
        loop_class = EpochBasedTrainLoop if by_epoch else IterBasedTrainLoop
        assert isinstance(train_cfg, (EpochLoopConfig, IterLoopConfig))
        loop = loop_class(
            train_cfg,
            loader,
            self._make_step(state),
            hooks,
            state,
            validate,
            (lambda: self._agreed_stop) if self.dist.distributed else (lambda: self._sigterm),
            self._interrupt,
        )
        self.train_loop = loop
        hooks.call("before_run", state)
        notes: list[str] = []
        resume_at = None
        if resume_ckpt is not None:
            resume_at = self._apply_resume(resume_ckpt, state, hooks)
        elif self.load_from is not None:
            self._load_weights(self.load_from, state, hooks)
        wrapper.initialize_count_status(state.model, state.iter, max_iters)
        return state, hooks, loop, resume_at, notes

    def train(self) -> nn.Module:
        """Train as the config says; returns the trained model. Raises RunError before iteration 0 for a
        problem a person must fix, TrainingFault when training had to stop, TrainingInterrupted on SIGTERM."""
        try:
            state, hooks, loop, resume_at, _ = self.build_for_training()
            startup.resume()  # the collector, if the command line paused it while it started
            with self._sigterm_handler():
                try:
                    loop.run(resume_at)
                finally:
                    hooks.call("after_run", state)
            barrier()  # every rank done (rank 0 may still be writing) before the process group goes
            self.last_metrics = dict(state.metrics)
            return state.model
        finally:
            close_logger()
            if self.dist.owns_group and "TORCHELASTIC_RUN_ID" not in os.environ:
                shutdown()  # a launched worker exits right after, without destroying the group (typedseg/__main__.py)

    def _evaluate(
        self, mode: Literal["val", "test"], checkpoint: str | Path | None, *, tta: bool = False
    ) -> dict[str, float]:
        try:
            state, _ = self._prepare(training=False)
            hooks = build_hooks(
                self.experiment.default_hooks, tuple(self.experiment.custom_hooks), progress=False
            )
            self.hooks = hooks
            loop = self._eval_loop(mode, state, hooks)
            if loop is None:
                raise RunError(
                    "no-val" if mode == "val" else "no-test",
                    f"the config has no {mode} section ({mode}_dataloader, {mode}_cfg and {mode}_evaluator).",
                    f"Add them to run `{mode}`.",
                )
            hooks.call("before_run", state)
            source = Path(checkpoint) if checkpoint else self.load_from
            if source is not None:
                self._load_weights(source, state, hooks)
            if tta:
                from typedseg.engine.tta import tta_model_of

                state.model = tta_model_of(self.experiment, state.model)
            startup.resume()
            try:
                return loop.run()
            finally:
                hooks.call("after_run", state)
        finally:
            close_logger()

    def val(self, checkpoint: str | Path | None = None) -> dict[str, float]:
        """Run the validation loop once (weights from `checkpoint`, else load_from); returns the metrics."""
        return self._evaluate("val", checkpoint)

    def test(self, checkpoint: str | Path | None = None, *, tta: bool = False) -> dict[str, float]:
        """Run the test loop once (weights from `checkpoint`, else load_from); returns the metrics. With `tta`,
        through the config's tta_pipeline and tta_model (MMSeg's `test.py --tta`)."""
        if tta:
            from typedseg.engine.tta import with_tta_pipeline

            self.experiment = with_tta_pipeline(self.experiment)
        return self._evaluate("test", checkpoint, tta=tta)

    def param_groups(self) -> list[ParamGroupRow]:
        """The optimizer's parameter groups (after `build_for_training`), merged by (lr, weight_decay) as the
        optimizer side's `param_group_rows` does, for `run --dry-run`."""
        assert self.state is not None and self.state.optim_wrapper is not None
        from typedseg.engine.optim.constructors import param_group_rows

        groups = self.state.optim_wrapper.optimizer.param_groups
        names: list[list[str]] | None = getattr(self.state.optim_wrapper, "param_names", None)
        if names is None:  # a wrapper built elsewhere: name the parameters from the model
            by_id = {id(p): n for n, p in self.state.model.named_parameters()}
            names = [[by_id.get(id(p), "?") for p in group["params"]] for group in groups]
        return [
            ParamGroupRow(r.pattern, r.lr, r.weight_decay, r.count) for r in param_group_rows(groups, names)
        ]
