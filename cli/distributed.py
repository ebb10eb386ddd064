"""The launcher options of `typedseg run` (torchrun's names) and the worker command line they start.

`typedseg run CFG --nproc N [--nnodes M --node-rank R --master-addr A --master-port P | --rdzv-endpoint H:P]`
starts N workers on this node through torch's elastic launcher (typedseg.engine.launch); each worker runs
`python -m typedseg run CFG ... --launcher pytorch`. Ranks other than 0 print no messages: rank 0 speaks for all.
"""

import os
from pathlib import Path
from typing import Annotated, Literal

import typer

NprocOption = Annotated[
    int | None,
    typer.Option(
        "--nproc", "--nproc-per-node", help="Start this many workers on this node (torch's launcher)."
    ),
]
NnodesOption = Annotated[int, typer.Option("--nnodes", help="Nodes taking part (each runs this command).")]
NodeRankOption = Annotated[int, typer.Option("--node-rank", help="This node's rank, 0..nnodes-1.")]
MasterAddrOption = Annotated[
    str | None, typer.Option("--master-addr", help="Address of node 0 (default 127.0.0.1).")
]
MasterPortOption = Annotated[
    int | None, typer.Option("--master-port", help="Port of node 0 (default: a free one on one node; 29500).")
]
RdzvEndpointOption = Annotated[
    str | None,
    typer.Option("--rdzv-endpoint", help="HOST:PORT of a c10d rendezvous (instead of --master-*)."),
]
RdzvTimeoutOption = Annotated[int, typer.Option("--rdzv-timeout", help="Seconds the nodes have to meet.")]
LauncherOption = Annotated[
    Literal["none", "pytorch", "slurm"] | None,
    typer.Option("--launcher", help="Override the config's launcher (workers of --nproc get 'pytorch')."),
]


def is_secondary_rank() -> bool:
    """This process is a worker of several, not rank 0 (whose messages speak for all)."""
    for rank, world in (("RANK", "WORLD_SIZE"), ("SLURM_PROCID", "SLURM_NTASKS")):
        if int(os.environ.get(world, "1") or "1") > 1 and int(os.environ.get(rank, "0") or "0") > 0:
            return True
    return False


def worker_argv(
    config: Path,
    *,
    work_dir: Path,
    checkpoint: Path | None,
    resume: bool,
    overrides: list[str],
    amp: bool,
    mmseg: bool,
    skip_nonfinite: bool,
    allow_import: list[str],
) -> list[str]:
    """`typedseg run ...` as each worker runs it (everything but the launcher options)."""
    argv = ["run", str(config), "--work-dir", str(work_dir), "--launcher", "pytorch"]
    if resume:
        argv.append("--resume")
        if checkpoint is not None:
            argv.append(str(checkpoint))
    for override in overrides:
        argv += ["--set", override]
    for package in allow_import:
        argv += ["--allow-import", package]
    argv += [
        flag for flag, on in (("--amp", amp), ("--mmseg", mmseg), ("--skip-nonfinite", skip_nonfinite)) if on
    ]
    return argv
