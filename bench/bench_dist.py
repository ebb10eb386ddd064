"""Iteration time on 1 process vs 2 processes (gloo, CPU), in one run on one machine.

Each arm is a real `typedseg run` of the engine's tiny model (conv-BN-ReLU-dropout-conv) on in-memory 64x64
images, SGD + PolyLR, logging every iteration with a window of 1 (so `scalars.json` holds each iteration's
`time`), one checkpoint at the end, no validation:

- `1 proc, batch 4`: one process, the whole batch of 4;
- `1 proc, batch 2`: one process, half of it (the per-process work of the 2-process arm);
- `2 proc, batch 2 each`: `typedseg run --nproc 2` (torch's elastic launcher, gloo): the same 4 samples per step.

The median over iterations (the first 10 dropped: warm-up) of each run, then the median over --rounds rounds
(arms interleaved). On a 2-core machine shared with other jobs, the numbers move with the load; the ratios
printed are of medians measured in this run only.

    python bench/bench_dist.py [--iters 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """from tests.engine.tiny import experiment
from typedseg.config.hooks import CheckpointHook
from typedseg.config.replace import replace
from typedseg.config.runtime import DistConfig, EnvConfig, LogProcessor

config = replace(
    experiment(
        max_iters={iters},
        batch_size={batch},
        with_val=False,
        logger_interval=1,
        checkpoint=CheckpointHook(by_epoch=False, interval={iters}),
    ),
    {{"train_dataloader.dataset.hw": 64, "train_dataloader.dataset.size": 64}},
    log_processor=LogProcessor(by_epoch=False, window_size=1),
    env_cfg=EnvConfig(dist_cfg=DistConfig(backend="gloo")),
)
"""

ARMS = (("1 proc, batch 4", 4, 0), ("1 proc, batch 2", 2, 0), ("2 proc, batch 2 each", 2, 2))


def run_arm(folder: Path, iters: int, batch: int, nproc: int) -> tuple[float, float]:
    """(median seconds per iteration, wall seconds of the whole command)."""
    config = folder / f"cfg_b{batch}_n{nproc}.py"
    config.write_text(CONFIG.format(iters=iters, batch=batch))
    work = folder / f"work_b{batch}_n{nproc}_{time.monotonic_ns()}"
    command = [sys.executable, "-m", "typedseg", "run", str(config), "--work-dir", str(work)]
    if nproc:
        command += ["--nproc", str(nproc)]
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    began = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - began
    (log_dir,) = [p for p in work.iterdir() if p.is_dir()]
    lines = [json.loads(line) for line in (log_dir / "vis_data" / "scalars.json").read_text().splitlines()]
    times = [line["time"] for line in lines if "time" in line][10:]
    return statistics.median(times), wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in ARMS}
    with tempfile.TemporaryDirectory() as temp:
        for _ in range(args.rounds):
            for name, batch, nproc in ARMS:
                results[name].append(run_arm(Path(temp), args.iters, batch, nproc))
    base = statistics.median(t for t, _ in results[ARMS[0][0]])
    print(f"{args.iters} iterations, {args.rounds} rounds, {os.cpu_count()} CPUs (medians)")
    print(f"{'arm':24} {'ms / iter':>10} {'vs 1 proc b4':>13} {'samples/s':>10} {'run wall s':>11}")
    for name, batch, nproc in ARMS:
        per_iter = statistics.median(t for t, _ in results[name])
        wall = statistics.median(w for _, w in results[name])
        samples = batch * max(nproc, 1) / per_iter
        print(f"{name:24} {per_iter * 1e3:10.2f} {per_iter / base:12.2f}x {samples:10.0f} {wall:11.1f}")


if __name__ == "__main__":
    main()
