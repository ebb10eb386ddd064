"""Rules across the runtime sections: complete train/val/test triples, log_processor and dataloaders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.config.data import DATALOADERS, DataLoaderConfig, InfiniteSampler
from typedseg.problems import Problem

if TYPE_CHECKING:
    from typedseg.config.experiment import Experiment


def _triple(exp: Experiment, stage: str, names: tuple[str, str, str]) -> list[Problem]:
    present = [name for name in names if getattr(exp, name) is not None]
    if not present or len(present) == len(names):
        return []
    missing = [name for name in names if name not in present]
    verb = "is" if len(present) == 1 else "are"
    return [
        Problem(
            f"{stage}-incomplete",
            (present[0],),
            f"{' and '.join(present)} {verb} set, but the {stage} stage also needs {' and '.join(missing)}.",
            f"Set {' and '.join(missing)}, or remove {' and '.join(present)}.",
        )
    ]


def _dataloader(name: str, loader: DataLoaderConfig | None, epoch_based: bool) -> list[Problem]:
    if loader is None:
        return []
    problems: list[Problem] = []
    if loader.persistent_workers and loader.num_workers == 0:
        problems.append(
            Problem(
                "persistent-workers-without-workers",
                (name, "persistent_workers"),
                "persistent_workers=True needs worker processes, but num_workers is 0 (torch refuses it).",
                "Set num_workers > 0 or persistent_workers=False.",
            )
        )
    if epoch_based and name == "train_dataloader" and isinstance(loader.sampler, InfiniteSampler):
        problems.append(
            Problem(
                "infinite-sampler-in-epoch-loop",
                (name, "sampler"),
                "an InfiniteSampler never ends an epoch, so an EpochBasedTrainLoop would never finish its first one.",
                "Use DefaultSampler with an epoch-based loop, or switch to IterBasedTrainLoop.",
            )
        )
    return problems


_TRAIN = ("train_dataloader", "train_cfg", "optim_wrapper")


def _validation_timing(exp: Experiment) -> list[Problem]:
    """When the train loop validates (MMEngine: from val_begin, every val_interval, and after the last step)."""
    loop = exp.train_cfg
    if loop is None or exp.val_cfg is None or exp.val_dataloader is None:
        return []
    if loop.val_begin > loop.length:
        return [
            Problem(
                "starts-after-run",
                ("train_cfg", "val_begin"),
                f"val_begin={loop.val_begin} is after the end of the run ({loop.length} {loop.unit}): "
                "validation would never run.",
                f"Use a val_begin of at most {loop.length}.",
            )
        ]
    intervals = [
        loop.val_interval,
        *(interval for start, interval in loop.dynamic_intervals or () if start <= loop.length),
    ]
    if min(intervals) <= loop.length:
        return []
    step = "epoch" if loop.by_epoch else "iteration"
    return [
        Problem(
            "val-interval-exceeds-run",
            ("train_cfg", "val_interval"),
            f"val_interval={loop.val_interval} {loop.unit} is longer than the whole run ({loop.length} "
            f"{loop.unit}): validation runs only once, after the last {step}, so nothing is validated during "
            "training (save_best and early stopping see one result).",
            f"Use a val_interval of at most {loop.length}, e.g. {max(loop.length // 10, 1)}.",
            severity="warning",
        )
    ]


def check_runtime(exp: Experiment) -> list[Problem]:
    """Rules that span the runtime sections of one experiment."""
    problems = _triple(exp, "train", _TRAIN)
    problems += _triple(exp, "val", ("val_dataloader", "val_cfg", "val_evaluator"))
    problems += _triple(exp, "test", ("test_dataloader", "test_cfg", "test_evaluator"))
    if exp.param_scheduler and exp.optim_wrapper is None:
        problems.append(
            Problem(
                "scheduler-without-optimizer",
                ("param_scheduler",),
                "param_scheduler is set but there is no optim_wrapper to schedule.",
                "Set optim_wrapper (and train_cfg, train_dataloader), or remove param_scheduler.",
            )
        )
    loop = exp.train_cfg
    problems += _validation_timing(exp)
    if loop is not None and exp.log_processor.by_epoch != loop.by_epoch:
        problems.append(
            Problem(
                "log-by-epoch-mismatch",
                ("log_processor", "by_epoch"),
                f"log_processor.by_epoch={exp.log_processor.by_epoch} does not fit the {loop.type} "
                f"({loop.unit}); progress would be shown as {'epochs' if not loop.by_epoch else 'iterations'}.",
                f"Set log_processor.by_epoch={loop.by_epoch}.",
            )
        )
    epoch_based = loop is not None and loop.by_epoch
    for name in DATALOADERS:
        problems += _dataloader(name, getattr(exp, name), epoch_based)
    wrapper = exp.optim_wrapper
    scaling = exp.auto_scale_lr is not None and exp.auto_scale_lr.enable
    if scaling and wrapper is not None and wrapper.accumulative_counts > 1:
        problems.append(
            Problem(
                "auto-scale-ignores-accumulation",
                ("auto_scale_lr", "enable"),
                f"auto_scale_lr scales by the per-step batch size and ignores accumulative_counts="
                f"{wrapper.accumulative_counts}, so the lr is scaled for a batch "
                f"{wrapper.accumulative_counts}x smaller than the effective one.",
                "Divide base_batch_size by accumulative_counts, or set accumulative_counts=1.",
                severity="warning",
            )
        )
    return problems
