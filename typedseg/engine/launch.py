"""`typedseg run --nproc N`: N workers on this node through torch's elastic launcher (what `torchrun` runs).

Nothing home-made: `torch.distributed.launcher.api.elastic_launch` starts `python -m typedseg run ...` per
worker, sets RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT, watches them, tears all down when one fails,
and forwards SIGTERM to every worker (then SIGKILL after the grace period). Rendezvous, as torchrun's:

- one node, no address given: a private rendezvous on 127.0.0.1 with a free port (torchrun's `--standalone`);
- `--nnodes M --node-rank R --master-addr A --master-port P`: torchrun's static rendezvous (node 0 serves it);
- `--rdzv-endpoint HOST:PORT`: torchrun's c10d rendezvous (ranks assigned as nodes join).

What goes wrong is one message, not a traceback per rank: a port in use, a rendezvous that timed out, a worker
that failed (its own message was printed by rank 0; the exit code is passed on).
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from typedseg import startup
from typedseg.engine.dist import LAUNCHER_PID
from typedseg.engine.errors import PEER_GONE_EXIT, RunError

SIGTERM_EXIT = 143


@dataclass(frozen=True)
class LaunchOptions:
    """Where the workers of one node start and how the nodes meet (torchrun's options, same names)."""

    nproc: int = 1
    nnodes: int = 1
    node_rank: int = 0
    master_addr: str | None = None
    master_port: int | None = None
    rdzv_endpoint: str | None = None
    rdzv_id: str | None = None
    rdzv_timeout: int = 900
    """Seconds the nodes have to meet (torchrun's default)."""
    grace_period: int = 30
    """Seconds workers get after SIGTERM before SIGKILL (torchrun's default)."""

    def rendezvous(self) -> tuple[str, str, dict[str, object], str]:
        """(backend, endpoint, configs, run id) for the elastic agent."""
        configs: dict[str, object] = {"timeout": self.rdzv_timeout}
        if self.rdzv_endpoint is not None:
            return "c10d", self.rdzv_endpoint, configs, self.rdzv_id or "typedseg"
        if self.nnodes == 1 and self.master_port is None:
            return "c10d", f"{self.master_addr or '127.0.0.1'}:0", configs, uuid.uuid4().hex
        configs["rank"] = self.node_rank
        endpoint = f"{self.master_addr or '127.0.0.1'}:{self.master_port or 29500}"
        return "static", endpoint, configs, self.rdzv_id or "typedseg"


def check_options(options: LaunchOptions) -> None:
    if options.nproc < 1 or options.nnodes < 1:
        raise RunError("launch-invalid", "--nproc and --nnodes must be at least 1.")
    if not 0 <= options.node_rank < options.nnodes:
        raise RunError(
            "launch-invalid",
            f"--node-rank {options.node_rank} is outside 0..{options.nnodes - 1} (--nnodes {options.nnodes}).",
        )
    if options.master_port is not None and not 0 < options.master_port < 65536:
        raise RunError("launch-invalid", f"--master-port {options.master_port} is not a port number.")


def _quiet_elastic_logs() -> None:
    """torch's elastic agent logs each worker's failure at length; the launcher says it once instead."""
    for name in ("torch.distributed.elastic", "torch.distributed.launcher"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def launch(options: LaunchOptions, worker_args: Sequence[str]) -> int:
    """Run `python -m typedseg *worker_args` on `options.nproc` workers; the exit code for this node."""
    check_options(options)
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.elastic.rendezvous.api import RendezvousError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    backend, endpoint, configs, run_id = options.rendezvous()
    config = LaunchConfig(
        min_nodes=options.nnodes,
        max_nodes=options.nnodes,
        nproc_per_node=options.nproc,
        run_id=run_id,
        rdzv_backend=backend,
        rdzv_endpoint=endpoint,
        rdzv_configs=configs,
        max_restarts=0,
        monitor_interval=0.1,
        start_method="spawn",
        shutdown_timeout=options.grace_period,
    )
    os.environ[LAUNCHER_PID] = str(os.getpid())
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # torchrun's default: N workers do not oversubscribe cores
    _quiet_elastic_logs()
    startup.resume()  # the launcher watches its workers for the whole run
    try:
        elastic_launch(config, sys.executable)("-m", "typedseg", *worker_args)
    except ChildFailedError as exc:
        failures = exc.failures
        # The worker that failed on its own, not one whose collective failed because of it (PEER_GONE_EXIT);
        # torch's get_first_failure() cannot tell them apart when both stop within one monitor pass.
        origins = [r for r, f in failures.items() if f.exitcode != PEER_GONE_EXIT] or list(failures)
        rank = min(origins, key=lambda r: (failures[r].timestamp, r))
        failure = failures[rank]
        main_code = failures[0].exitcode if 0 in failures else None
        if rank != 0 or failure.exitcode < 0:
            how = f"signal {-failure.exitcode}" if failure.exitcode < 0 else f"exit code {failure.exitcode}"
            print(
                f"worker rank {rank} stopped first ({how}); the other workers were stopped.", file=sys.stderr
            )
        code = main_code if main_code is not None and main_code > 0 else failure.exitcode
        if code == PEER_GONE_EXIT:  # rank 0 only lost its peer: the run failed, the reason is elsewhere
            code = 1 if failure.exitcode == PEER_GONE_EXIT else failure.exitcode
        return code if code > 0 else 1
    except SignalException as exc:
        print(f"launcher: {exc.sigval.name} received; the workers stopped after saving.", file=sys.stderr)
        return SIGTERM_EXIT
    except RendezvousError as exc:  # includes RendezvousTimeoutError
        raise RunError(
            "rendezvous-failed",
            f"the {options.nnodes} nodes did not meet at {endpoint} ({type(exc).__name__}: {_first_line(exc)}).",
            "Start every node with the same --nnodes and --master-addr/--master-port (or --rdzv-endpoint), "
            "within --rdzv-timeout seconds of each other.",
        ) from None
    except RuntimeError as exc:  # DistNetworkError / DistStoreError: the rendezvous store
        text = str(exc)
        if "EADDRINUSE" in text or "address already in use" in text.lower():
            raise RunError(
                "dist-port-in-use",
                f"the rendezvous port {endpoint} is in use (another run, or another program).",
                "Pick a free port with --master-port, or leave it out on one node to get a free one.",
            ) from None
        if type(exc).__name__ in ("DistNetworkError", "DistStoreError"):
            raise RunError(
                "rendezvous-failed",
                f"the nodes could not meet at {endpoint}: {_first_line(exc)}",
                "Check --master-addr/--master-port (or --rdzv-endpoint) and that node 0 is running.",
            ) from None
        raise
    return 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
