"""A real 2-process gloo group on 127.0.0.1 for tests (torch.multiprocessing): each rank runs a module-level
`checks(rank, world, folder)` and its result (or its traceback) comes back to the test process."""

from __future__ import annotations

import os
import socket
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch.multiprocessing.spawn import spawn

Checks = Callable[[int, int, Path], Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker(rank: int, world: int, port: int, out: str, checks: Checks) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world))
    try:
        dist.init_process_group("gloo", rank=rank, world_size=world)
        result: Any = checks(rank, world, Path(out))
    except Exception:  # reported to the test, which fails with it
        result = {"error": traceback.format_exc()}
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    torch.save(result, Path(out) / f"rank{rank}.pt")


def in_two_processes(checks: Checks, folder: Path) -> list[Any]:
    """`checks` run on ranks 0 and 1 of a fresh group; their results, by rank (saved under `folder`)."""
    spawn(_worker, args=(2, free_port(), str(folder), checks), nprocs=2, join=True)  # type: ignore[no-untyped-call]
    return [torch.load(folder / f"rank{rank}.pt", weights_only=False) for rank in (0, 1)]
