"""torch.distributed for the engine: joining the process group, and the few collectives a run needs.

A worker joins the group its launcher describes (`launcher='pytorch'`: the variables torchrun's elastic agent
sets; `launcher='slurm'`: SLURM's). In one process every helper here is a no-op, so the single-process path
pays nothing. What the runner relies on:

- `agree()`: one all-reduce per step carries each rank's "loss not finite" and "SIGTERM seen" flags, so every
  rank stops before the optimizer step, or after the same iteration;
- `gather_objects()` / `broadcast_object()`: per-rank RNG states into rank 0's checkpoint, rank 0's timestamp;
- `sync_metric()`: an IoU confusion matrix summed over ranks (all_reduce), so the metrics are those of one
  process that saw all the data;
- `wrap_model()`: DistributedDataParallel with the config's options (MMEngine's `model_wrapper_cfg`, or its
  defaults and the top-level `find_unused_parameters`), whose error for parameters without a gradient becomes one
  message naming them.
"""

from __future__ import annotations

import ctypes
import inspect
import logging
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from typedseg.config.data import DataLoaderConfig, DefaultSampler
from typedseg.config.model_wrapper import MMDistributedDataParallel, ddp_options
from typedseg.config.replace import replace
from typedseg.config.runtime import DistConfig, Launcher
from typedseg.engine.errors import RunError, TrainingFault
from typedseg.engine.hooks.base import Hooks
from typedseg.engine.hooks.logger import LoggerHook
from typedseg.engine.hooks.profiler import ProfilerHook

log = logging.getLogger("typedseg")

LAUNCHER_PID = "TYPEDSEG_LAUNCHER_PID"
"""Set by `typedseg run --nproc`: a worker whose parent is no longer this process exits (no orphans)."""
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class DistContext:
    """This process's place in the run: its rank among `world_size` processes, and its rank on its node."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    owns_group: bool = False
    """The process group was started by the runner (which then ends it), not by its caller."""

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that writes logs, TensorBoard events and checkpoints."""
        return self.rank == 0


def effective_launcher(launcher: Launcher) -> Launcher:
    """The config's launcher; 'none' inside a torchrun (elastic) worker of several processes reads as 'pytorch',
    so `torchrun ... -m typedseg run CFG` needs no setting."""
    if (
        launcher == "none"
        and "TORCHELASTIC_RUN_ID" in os.environ
        and int(os.environ.get("WORLD_SIZE", "1")) > 1
    ):
        return "pytorch"
    return launcher


def _env_int(name: str, launcher: str) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip().lstrip("-").isdigit():
        hint = (
            "Start the run with `typedseg run CFG --nproc N` or torchrun, which set it."
            if launcher == "pytorch"
            else "Start the workers with srun inside a SLURM allocation, which sets it."
        )
        raise RunError(
            "dist-env-missing", f"launcher='{launcher}' needs the environment variable {name}.", hint
        )
    return int(value)


def _slurm_master_addr() -> str:
    """The first host of SLURM_NODELIST (MMEngine's rule), or MASTER_ADDR when it is set."""
    if "MASTER_ADDR" in os.environ:
        return os.environ["MASTER_ADDR"]
    nodes = os.environ.get("SLURM_NODELIST", "")
    try:
        hosts = subprocess.run(
            ["scontrol", "show", "hostnames", nodes], capture_output=True, text=True, check=True, timeout=30
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        hosts = []
    if not hosts:
        raise RunError(
            "dist-env-missing",
            f"launcher='slurm': cannot name the first host of SLURM_NODELIST={nodes!r} (scontrol failed).",
            "Set MASTER_ADDR to the first node's address, or run inside a SLURM allocation.",
        )
    return hosts[0]


def _read_environment(launcher: Launcher) -> DistContext:
    match launcher:
        case "pytorch":
            return DistContext(
                rank=_env_int("RANK", launcher),
                world_size=_env_int("WORLD_SIZE", launcher),
                local_rank=_env_int("LOCAL_RANK", launcher),
            )
        case "slurm":
            context = DistContext(
                rank=_env_int("SLURM_PROCID", launcher),
                world_size=_env_int("SLURM_NTASKS", launcher),
                local_rank=_env_int("SLURM_LOCALID", launcher),
            )
            os.environ["MASTER_ADDR"] = _slurm_master_addr()
            os.environ.setdefault("MASTER_PORT", "29500")
            os.environ["RANK"], os.environ["WORLD_SIZE"] = str(context.rank), str(context.world_size)
            os.environ["LOCAL_RANK"] = str(context.local_rank)
            return context
        case "mpi":
            raise RunError(
                "launcher-unsupported",
                "launcher='mpi' is not supported: typedseg starts workers with torch's elastic launcher or SLURM.",
                "Use launcher='pytorch' (typedseg run --nproc N, or torchrun) or launcher='slurm'.",
            )
        case _:
            return DistContext()


def check_backend(backend: str, device: torch.device) -> None:
    """nccl needs CUDA devices; a backend this torch was built without is named before anything starts."""
    if backend == "nccl" and device.type != "cuda":
        raise RunError(
            "dist-backend-mismatch",
            f"env_cfg.dist_cfg.backend='nccl' needs CUDA devices, and this run is on {device.type}.",
            "Set env_cfg.dist_cfg.backend='gloo' for CPU training (--set env_cfg.dist_cfg.backend=gloo).",
        )
    available = getattr(dist, "is_backend_available", None)
    if callable(available) and not available(backend):
        raise RunError(
            "dist-backend-mismatch",
            f"env_cfg.dist_cfg.backend='{backend}' is not available in this build of torch {torch.__version__}.",
            "Use 'nccl' on NVIDIA GPUs or 'gloo' on CPUs.",
        )


def die_with_launcher() -> None:
    """A worker of `typedseg run --nproc` dies with its launcher (Linux PR_SET_PDEATHSIG): SIGKILL to the
    launcher leaves no worker training on, writing checkpoints no one waits for."""
    expected = os.environ.get(LAUNCHER_PID)
    if expected is None or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if str(os.getppid()) != expected:  # the launcher died before prctl took effect
        os._exit(137)


def init_distributed(launcher: Launcher, cfg: DistConfig, device: torch.device) -> DistContext:
    """Join the process group `launcher` describes (nothing for 'none'); the CUDA device is the local rank's."""
    launcher = effective_launcher(launcher)
    if dist.is_available() and dist.is_initialized():  # started by the caller (a notebook, a test)
        return DistContext(dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", "0")))
    context = _read_environment(launcher)
    if launcher == "none":
        return context
    if not dist.is_available():
        raise RunError("dist-backend-mismatch", "this build of torch has no torch.distributed.")
    die_with_launcher()
    check_backend(cfg.backend, device)
    if device.type == "cuda":
        torch.cuda.set_device(context.local_rank)
    timeout = timedelta(seconds=cfg.timeout) if cfg.timeout is not None else None
    where = f"{os.environ.get('MASTER_ADDR', '?')}:{os.environ.get('MASTER_PORT', '?')}"
    try:
        dist.init_process_group(
            cfg.backend,
            init_method="env://",
            rank=context.rank,
            world_size=context.world_size,
            timeout=timeout,
        )
    except (RuntimeError, ValueError) as exc:  # DistNetworkError / DistStoreError are RuntimeErrors
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RunError(
            "dist-init-failed",
            f"rank {context.rank} of {context.world_size} could not join the process group at {where} "
            f"(backend {cfg.backend}): {first}",
            "Check that every node can reach MASTER_ADDR:MASTER_PORT, that the port is free, and that all "
            "nodes started within the timeout.",
        ) from None
    return DistContext(context.rank, context.world_size, context.local_rank, owns_group=True)


def shutdown() -> None:
    """Leave the process group (at the end of a run, so that the next one in this process starts clean)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def is_distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def agree(flags: list[bool]) -> tuple[list[list[int]], list[bool]]:
    """All-reduce `flags` over ranks: per flag, the ranks that raised it, and whether any did. One collective."""
    if not is_distributed():
        return [[0] if flag else [] for flag in flags], list(flags)
    world, rank = dist.get_world_size(), dist.get_rank()
    table = torch.zeros(len(flags), world, dtype=torch.int32)
    for index, flag in enumerate(flags):
        table[index, rank] = int(flag)
    dist.all_reduce(table, op=dist.ReduceOp.SUM)
    ranks = [[r for r in range(world) if table[i, r]] for i in range(len(flags))]
    return ranks, [bool(found) for found in ranks]


def gather_objects(value: Any) -> list[Any]:
    """`value` of every rank, in rank order (every rank gets the list)."""
    if not is_distributed():
        return [value]
    gathered: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, value)
    return gathered


def broadcast_object(value: Any) -> Any:
    """Rank 0's `value`, on every rank."""
    if not is_distributed():
        return value
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier() -> None:
    if is_distributed():
        dist.barrier()


def sync_metric(metric: object) -> None:
    """Merge a metric's accumulated state over ranks before `compute()`: a confusion matrix (IoUMetric's
    `matrix`) is summed with all_reduce, so the metrics equal those of one process over all the data. A metric
    with its own `sync_across_processes()` does its own merge; any other is computed per rank (said once)."""
    if not is_distributed():
        return
    own = getattr(metric, "sync_across_processes", None)
    if callable(own):
        own()
        return
    if not hasattr(metric, "matrix"):
        log.warning(
            "%s has no confusion matrix and no sync_across_processes(): each rank computes it on its share.",
            type(metric).__name__,
        )
        return
    matrix: torch.Tensor | None = metric.matrix
    sizes = gather_objects(None if matrix is None else tuple(matrix.shape))
    shape = next((s for s in sizes if s is not None), None)
    if shape is None:
        return
    local = matrix if matrix is not None else torch.zeros(shape, dtype=torch.int64)
    device = local.device
    summed = local.to("cpu" if dist.get_backend() == "gloo" else device, copy=True)
    dist.all_reduce(summed, op=dist.ReduceOp.SUM)
    metric.matrix = summed.to(device)


_UNFINISHED_REDUCTION = "Expected to have finished reduction in the prior iteration"
_UNUSED_INDICES = re.compile(r"Parameter indices which did not receive grad for rank (\d+): ([\d ]+)")


class DataParallelModel(DistributedDataParallel):
    """torch's DistributedDataParallel with MMEngine's `detect_anomalous_params`, and torch's error for
    parameters that got no gradient turned into one message that names them (a `TrainingFault`)."""

    def __init__(
        self, module: nn.Module, *, detect_anomalous_params: bool = False, setting: str, **kwargs: Any
    ) -> None:
        super().__init__(module, **kwargs)
        self.detect_anomalous_params = detect_anomalous_params
        self.setting = setting
        """The config path of find_unused_parameters this run reads (for the message)."""

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        try:
            outputs = super().forward(*inputs, **kwargs)  # type: ignore[no-untyped-call]
        except RuntimeError as exc:
            if _UNFINISHED_REDUCTION not in str(exc):
                raise
            raise TrainingFault("unused-parameters", self._unused_message(str(exc))) from None
        if self.detect_anomalous_params and isinstance(outputs, dict) and torch.is_grad_enabled():
            losses = [v for k, v in outputs.items() if "loss" in k and isinstance(v, torch.Tensor)]
            for name in anomalous_parameters(losses, self.module):
                log.error("%s is not in the computational graph of the loss", name)
        return outputs

    def _unused_message(self, error: str) -> str:
        found = _UNUSED_INDICES.search(error)
        names = reducer_parameter_names(self.module)
        if found is not None:
            unused = [names[int(i)] for i in found[2].split() if int(i) < len(names)]
            which = f" (rank {found[1]}: {_listed(unused)})"
        else:
            which = ""
        if self.find_unused_parameters:
            return (
                f"parameters of the model got no gradient in the previous training iteration{which}, although "
                "DistributedDataParallel looked for unused ones: a tensor the model's forward returned did not "
                "take part in the loss. Return only losses and detached values from mode='loss'."
            )
        return (
            f"parameters of the model got no gradient in the previous training iteration{which}, and "
            f"DistributedDataParallel runs with {self.setting}=False, so it waits for every parameter's gradient. "
            f"Set {self.setting}=True (it then finds the unused ones in each iteration), or make every parameter "
            "take part in the loss."
        )


def _listed(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def reducer_parameter_names(module: nn.Module) -> list[str]:
    """The names of the parameters DistributedDataParallel reduces, in its order (the indices in its errors)."""
    return [name for name, parameter in module.named_parameters() if parameter.requires_grad]


def anomalous_parameters(losses: list[torch.Tensor], module: nn.Module) -> list[str]:
    """The trainable parameters of `module` that are not in the autograd graph of `losses` (MMEngine's
    detect_anomalous_params: not used in the forward, or not used to compute a loss)."""
    in_graph: set[int] = set()
    seen: set[object] = set()
    pending: list[Any] = [loss.grad_fn for loss in losses if loss.grad_fn is not None]
    while pending:
        node = pending.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        variable = getattr(node, "variable", None)
        if variable is not None:
            in_graph.add(id(variable))
        pending.extend(parent for parent, _ in node.next_functions)
    return [
        name
        for name, parameter in module.named_parameters()
        if parameter.requires_grad and id(parameter) not in in_graph
    ]


def wrap_model(
    model: nn.Module,
    device: torch.device,
    model_wrapper_cfg: MMDistributedDataParallel | None = None,
    find_unused_parameters: bool = False,
) -> DataParallelModel:
    """DistributedDataParallel around `model` as MMEngine's Runner builds it: `model_wrapper_cfg`'s options, or,
    without one, broadcast_buffers=False (SyncBuffersHook averages buffers instead) and the top-level
    `find_unused_parameters`. Rank 0's parameters (and, on this torch, buffers) are broadcast once, here, so that
    every rank starts from the same weights."""
    options = ddp_options(model_wrapper_cfg, find_unused_parameters)
    device_ids = [device.index] if device.type == "cuda" and device.index is not None else None
    # torch >= 2.12 names it forward_sync_buffers (broadcast_buffers is deprecated there); forward_sync_buffers=False
    # still broadcasts rank 0's buffers once, here, where an older torch's broadcast_buffers=False did not.
    newer = "forward_sync_buffers" in inspect.signature(DistributedDataParallel.__init__).parameters
    extra: dict[str, Any] = {
        "forward_sync_buffers" if newer else "broadcast_buffers": options.broadcast_buffers
    }
    if options.bucket_cap_mb is not None:
        extra["bucket_cap_mb"] = options.bucket_cap_mb
    return DataParallelModel(
        model,
        detect_anomalous_params=options.detect_anomalous_params,
        setting="find_unused_parameters"
        if model_wrapper_cfg is None
        else "model_wrapper_cfg.find_unused_parameters",
        device_ids=device_ids,
        find_unused_parameters=options.find_unused_parameters,
        gradient_as_bucket_view=options.gradient_as_bucket_view,
        static_graph=options.static_graph,
        **extra,
    )


def eval_split(cfg: DataLoaderConfig) -> DataLoaderConfig:
    """A validation/test loader config whose DefaultSampler does not pad (round_up=False): each sample is seen by
    exactly one rank, so the summed counts are those of one process over the whole set (no duplicate)."""
    if isinstance(cfg.sampler, DefaultSampler) and cfg.sampler.round_up:
        return replace(cfg, sampler=replace(cfg.sampler, round_up=False))
    return cfg


def quiet_logger() -> None:
    """Ranks other than 0 write no log file and print only errors (MMEngine's rule)."""
    logger = logging.getLogger("typedseg")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.ERROR)
    logger.propagate = False


def rank0_hooks_removed(hooks: Hooks) -> Hooks:
    """The hooks of a rank other than 0: without those that write logs, scalars, TensorBoard or traces."""
    kept = [
        (hook, priority)
        for priority, _, hook in hooks.entries
        if not isinstance(hook, LoggerHook | ProfilerHook)
    ]
    return Hooks(kept)
