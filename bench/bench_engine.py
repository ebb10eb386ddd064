"""Engine overhead per iteration, and process start to iteration 0: a hand-written PyTorch loop, typedseg's Runner
and MMEngine 0.10.7's Runner on the same tiny model and data, in one run.

Every arm trains the same 1x1-conv segmentation model on the same in-memory 8x8 images (batch 2, SGD, PolyLR over
the run) from a plain DataLoader with an infinite shuffled sampler; typedseg and MMEngine run with their default
hooks (timer, logger every 10 iterations, param scheduler, one checkpoint at the end, sampler seed, runtime info;
by-iteration logging and checkpointing, which typedseg requires of an iteration loop). The compute is deliberately
tiny, so the time an engine adds per iteration is what differs: overhead = time per iteration minus the raw loop's.
"start -> iter 0" is from the parent starting the process to the first iteration beginning (imports, building,
hooks), with every module's bytecode written by a short run before (as installing a wheel compiles it). Each arm is
a script that calls its Runner: the `typedseg` command's pause of the garbage collector while it starts
(typedseg/startup.py) is not in these figures. Each arm runs in its own process, arms interleaved over --rounds
rounds. Two per-iteration figures: "mean", over all timed iterations, and "blocks", the median over blocks of 10
iterations (each holds one log line) of their mean, which still counts the log line's share but not a stray
interruption by another process. The table shows each figure's median over rounds, and each overhead as the median
over rounds of the difference with the raw loop of the same round (on 2 shared cores, processes differ by +-10 us;
use 9 or more rounds). The last line gives typedseg's overhead as a share of MMEngine's, per round: the issue's
goal, 25 us where MMEngine's was 220 us, is 11.4%: the figure to compare on a machine faster or slower than the one
that measured those 220 us. The "no log lines" arm is typedseg with the logger's interval set to the whole run: the
cost of MMEngine's log line every 10 iterations is the difference between the two typedseg rows. MMEngine runs from
the oracle venv (ORACLE_PYTHON, default /work/oracle-venv/bin/python).

On a shared machine wall time varies by +-30% between processes, more than the engines differ; `--instructions`
counts instead the instructions each arm executes per iteration (valgrind's cachegrind, the difference between a run
of --iters and one of twice as many). The count repeats to a few instructions for the same files in the same place,
but anything that shifts the memory layout (other code, another checkout path, another argument) moves it by up to
1.5% (12k instructions per iteration was seen for the same code in two folders): it separates engines, not small
changes to one. It counts work, not cache misses or system calls, and the gathering of fast train lines
(typedseg.engine.logs.TrainLines) does not happen there (an iteration takes 50 times longer under valgrind).

    python bench/bench_engine.py --iters 3000 --rounds 9     # the figures in the closing notes (3 minutes)
    python bench/bench_engine.py [--iters 400] [--rounds 3] [--warmup 50]
    python bench/bench_engine.py --instructions [--iters 400]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ORACLE_PYTHON = os.environ.get("ORACLE_PYTHON", "/work/oracle-venv/bin/python")
ROOT = Path(__file__).resolve().parent.parent

# The model, data and loop shared by the arms: plain torch, written once and run by each interpreter.
WORKLOAD = r"""
import json
import time
T_IMPORTED = time.time()
import torch
import torch.nn.functional as F
from torch import nn

SIZE, HW, CLASSES, BATCH = 64, 8, 3, 2
STARTS = []  # perf_counter() at the start of each iteration


def summary(iter0, warmup):
    # The mean time per iteration from `warmup` to the one before the last (the last saves a checkpoint), and
    # the median over blocks of 10 iterations (each holds one log line) of their mean: robust to a stray
    # interruption by another process, while still counting the log line's share.
    import statistics
    timed = STARTS[warmup:]
    blocks = [(timed[i + 10] - timed[i]) / 10 for i in range(0, len(timed) - 10, 10)]
    return json.dumps(
        {"iter0": iter0, "per_iter": (timed[-1] - timed[0]) / (len(timed) - 1), "block": statistics.median(blocks)}
    )


class Data(torch.utils.data.Dataset):
    def __init__(self):
        g = torch.Generator().manual_seed(0)
        self.images = torch.randint(0, 255, (SIZE, 3, HW, HW), dtype=torch.uint8, generator=g)
        self.labels = torch.randint(0, CLASSES, (SIZE, 1, HW, HW), generator=g)

    def __len__(self):
        return SIZE

    def __getitem__(self, index):
        return {"inputs": self.images[index], "data_samples": self.labels[index]}


def collate(samples):
    return {"inputs": [s["inputs"] for s in samples], "data_samples": [s["data_samples"] for s in samples]}


class Infinite(torch.utils.data.Sampler):
    def __init__(self, size):
        self.size = size

    def __len__(self):  # one pass, as MMEngine's InfiniteSampler reports
        return self.size

    def __iter__(self):
        g = torch.Generator().manual_seed(0)
        while True:
            yield from torch.randperm(self.size, generator=g).tolist()


def loader():
    return torch.utils.data.DataLoader(Data(), batch_size=BATCH, sampler=Infinite(SIZE), collate_fn=collate)


def stack(batch):
    return torch.stack(batch["inputs"]).float() / 255.0, torch.cat(batch["data_samples"])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, CLASSES, 1)

    def losses(self, images, labels):
        return {"loss_ce": F.cross_entropy(self.conv(images), labels)}
"""

RAW = (
    WORKLOAD
    + r"""
import json, sys
iters, warmup = int(sys.argv[1]), int(sys.argv[2])
torch.manual_seed(0)
model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
data = iter(loader())
base_lr, marks = 0.01, {}
for it in range(iters):
    STARTS.append(time.perf_counter())
    if it == 0:
        marks["iter0"] = time.time()
    images, labels = stack(next(data))
    loss = model.losses(images, labels)["loss_ce"]
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    for group in optimizer.param_groups:  # PolyLR, power 1, eta_min 1e-4, stepped after the iteration
        group["lr"] = (base_lr - 1e-4) * (1 - min(it + 1, iters - 1) / (iters - 1)) + 1e-4
print(summary(marks["iter0"], warmup))
"""
)

MMENGINE = (
    WORKLOAD
    + r"""
import json, sys, tempfile
sys.modules["torchvision"] = None  # the oracle venv's torchvision does not load with its torch; MMEngine's
# environment report skips it on ModuleNotFoundError (which also spares MMEngine that import's time here)
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner

iters, warmup = int(sys.argv[1]), int(sys.argv[2])
marks = {}


class Model(BaseModel):
    def __init__(self):
        super().__init__()
        self.net = Net()

    def forward(self, inputs, data_samples=None, mode="tensor"):
        images, labels = stack({"inputs": inputs, "data_samples": data_samples})
        return self.net.losses(images, labels)


class Marks(Hook):
    priority = "LOWEST"

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        STARTS.append(time.perf_counter())
        if batch_idx == 0:
            marks["iter0"] = time.time()


with tempfile.TemporaryDirectory() as work_dir:
    runner = Runner(
        model=Model(),
        work_dir=work_dir,
        train_dataloader=loader(),
        train_cfg=dict(by_epoch=False, max_iters=iters, val_interval=10**9),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.01, momentum=0.9)),
        param_scheduler=dict(type="PolyLR", eta_min=1e-4, power=1.0, by_epoch=False, begin=0, end=iters),
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", by_epoch=False, interval=iters)),
        log_processor=dict(by_epoch=False),
        custom_hooks=[Marks()],
        randomness=dict(seed=0),
    )
    runner.train()
print(summary(marks["iter0"], warmup))
"""
)

TYPEDSEG = (
    WORKLOAD
    + r"""
import json, sys, tempfile
from typing import Any
from typedseg.config.data import DataLoaderConfig
from typedseg.config.datasets import UserDataset
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook, UserHook
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.models.segmentor import UserModel
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.runtime import LogProcessor, RandomnessConfig
from typedseg.config.schedulers import PolyLR
from typedseg.engine.components import Builders
from typedseg.engine.hooks import Hook
from typedseg.engine.runner import Runner

iters, warmup = int(sys.argv[1]), int(sys.argv[2])
marks = {}


class Stack(nn.Module):
    def forward(self, batch, training=False):
        images, labels = stack(batch)
        return {"inputs": images, "data_samples": labels}


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.data_preprocessor = Stack()
        self.net = Net()

    def forward(self, inputs, data_samples=None, mode="tensor"):
        return self.net.losses(inputs, data_samples)


class TinyModel(UserModel):
    def build(self, *args: Any, **kwargs: Any) -> Any:
        return Model()


class TinyData(UserDataset):
    def build(self, *args: Any, **kwargs: Any) -> Any:
        return Data()


class Marker(Hook):
    priority = 100

    def before_train_iter(self, state):
        STARTS.append(time.perf_counter())
        if state.iter == 0:
            marks["iter0"] = time.time()


class Marks(UserHook):
    def build(self, *args: Any, **kwargs: Any) -> Any:
        return Marker()


experiment = Experiment(
    model=TinyModel(),
    train_dataloader=DataLoaderConfig(batch_size=2, dataset=TinyData()),
    train_cfg=IterBasedTrainLoop(max_iters=iters, val_interval=iters),
    optim_wrapper=OptimWrapper(optimizer=SGD(lr=0.01, momentum=0.9)),
    param_scheduler=[PolyLR(eta_min=1e-4, power=1.0, by_epoch=False, begin=0, end=iters)],
    default_hooks=DefaultHooks(
        checkpoint=CheckpointHook(by_epoch=False, interval=iters),
        logger=LoggerHook(interval=iters if "--no-log-lines" in sys.argv else 10),
    ),
    log_processor=LogProcessor(by_epoch=False),
    custom_hooks=[Marks()],
    randomness=RandomnessConfig(seed=0),
)
builders = Builders(dataloader=lambda cfg, **kw: loader())
with tempfile.TemporaryDirectory() as work_dir:
    Runner(experiment, work_dir=work_dir, builders=builders, progress=False).train()
print(summary(marks["iter0"], warmup))
"""
)


def run_script(
    python: str, source: str, args: list[str], *, prefix: tuple[str, ...] = (), cache_bytecode: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run `source` as a script the way every arm runs: one torch thread, this checkout importable, hashes fixed.
    `cache_bytecode` lets the imports' bytecode be written even where PYTHONDONTWRITEBYTECODE is set."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(source)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    if cache_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        return subprocess.run(
            [*prefix, python, handle.name, *args], capture_output=True, text=True, env=env, check=False
        )
    finally:
        os.unlink(handle.name)


def run_arm(
    python: str, source: str, iters: int, warmup: int, *extra: str, cache_bytecode: bool = False
) -> dict[str, float]:
    started = time.time()
    done = run_script(python, source, [str(iters), str(warmup), *extra], cache_bytecode=cache_bytecode)
    if done.returncode != 0:
        raise SystemExit(f"{python} arm failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "start_to_iter0": result["iter0"] - started,
        "per_iter": result["per_iter"],
        "block": result["block"],
    }


VALGRIND = ("valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null")


def count_instructions(python: str, source: str, iters: int, *extra: str) -> int:
    """Instructions one run of an arm executes (valgrind's cachegrind, no cache simulation)."""
    done = run_script(python, source, [str(iters), "0", *extra], prefix=VALGRIND, cache_bytecode=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{python} arm failed under valgrind:\n{done.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def write_bytecode(arms: dict[str, tuple[str, str, tuple[str, ...]]]) -> None:
    """Run each arm once, briefly, with bytecode writing on: the timed or counted runs then load every module's
    bytecode, as an installed wheel does (pip compiles it), instead of compiling this checkout's modules at each
    start where PYTHONDONTWRITEBYTECODE is set (0.1 to 0.2 s of typedseg's start here)."""
    for python, source, extra in arms.values():
        run_arm(python, source, 20, 0, *extra, cache_bytecode=True)


def instructions(arms: dict[str, tuple[str, str, tuple[str, ...]]], iters: int) -> None:
    """Instructions per iteration of each arm: a run of 2 * iters minus a run of iters, over iters."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind).")
    if "MMEngine 0.10.7" in arms:  # its baseline: the raw loop on the oracle venv's own torch
        arms = {**arms, "raw loop (oracle venv)": (ORACLE_PYTHON, RAW, ())}
    write_bytecode(arms)  # no counted run compiles a module
    jobs = [(name, length) for name in arms for length in (iters, 2 * iters)]

    def count(job: tuple[str, int]) -> int:
        python, source, extra = arms[job[0]]
        return count_instructions(python, source, job[1], *extra)

    with ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1))) as pool:
        counts = dict(zip(jobs, pool.map(count, jobs), strict=True))
    per_iter = {name: (counts[(name, 2 * iters)] - counts[(name, iters)]) / iters for name in arms}
    print(
        f"instructions per iteration (valgrind cachegrind: a run of {2 * iters} iterations minus one of {iters}); "
        "overhead against the raw loop on the same interpreter"
    )
    print(f"{'arm':<24}{'instr/iter':>12}{'overhead':>11}{'x raw':>7}")
    for name in arms:
        oracle = name in ("MMEngine 0.10.7", "raw loop (oracle venv)")
        base = per_iter["raw loop (oracle venv)" if oracle else "raw loop"]
        print(
            f"{name:<24}{per_iter[name]:>12,.0f}{per_iter[name] - base:>11,.0f}{per_iter[name] / base:>7.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions per iteration under valgrind instead"
    )
    args = parser.parse_args()
    arms: dict[str, tuple[str, str, tuple[str, ...]]] = {
        "raw loop": (sys.executable, RAW, ()),
        "typedseg": (sys.executable, TYPEDSEG, ()),
        "  no log lines": (sys.executable, TYPEDSEG, ("--no-log-lines",)),
    }
    if Path(ORACLE_PYTHON).exists():
        arms["MMEngine 0.10.7"] = (ORACLE_PYTHON, MMENGINE, ())
    if args.instructions:
        instructions(arms, args.iters)
        return
    write_bytecode(arms)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in arms}
    for _ in range(args.rounds):
        for name, (python, source, extra) in arms.items():
            results[name].append(run_arm(python, source, args.iters, args.warmup, *extra))

    def medians(key: str) -> dict[str, float]:
        return {name: statistics.median(r[key] for r in runs) for name, runs in results.items()}

    def paired(key: str) -> dict[str, float]:
        """Per arm, the median over rounds of its figure minus the raw loop's in the same round: the machine's
        drift between rounds (a third of the time per iteration on a shared machine) cancels."""
        raw = results["raw loop"]
        return {
            name: statistics.median(r[key] - b[key] for r, b in zip(runs, raw, strict=True))
            for name, runs in results.items()
        }

    per_iter, block, start = medians("per_iter"), medians("block"), medians("start_to_iter0")
    per_iter_over, block_over, start_over = paired("per_iter"), paired("block"), paired("start_to_iter0")
    print(
        f"{args.iters} iterations (timed: {args.warmup} to the one before the last), {args.rounds} rounds; "
        f"{os.cpu_count()} CPUs, torch threads 1. mean: the timed iterations' mean; blocks: the median over "
        "10-iteration blocks (one log line each) of their mean. Times: medians over rounds; overheads: medians over "
        "rounds of the difference with the raw loop of the same round"
    )
    print(
        f"{'arm':<18}{'mean':>10}{'overhead':>11}{'blocks':>10}{'overhead':>11}{'x raw':>7}"
        f"{'start->iter0':>14}{'vs raw':>9}"
    )
    for name in arms:
        print(
            f"{name:<18}{per_iter[name] * 1e6:>8.1f}us{per_iter_over[name] * 1e6:>9.1f}us"
            f"{block[name] * 1e6:>8.1f}us{block_over[name] * 1e6:>9.1f}us"
            f"{block[name] / block['raw loop']:>7.2f}{start[name]:>13.2f}s{start_over[name]:>+8.2f}s"
        )
    if "MMEngine 0.10.7" in results:
        shares = [
            (t["block"] - r["block"]) / (m["block"] - r["block"])
            for t, m, r in zip(
                results["typedseg"], results["MMEngine 0.10.7"], results["raw loop"], strict=True
            )
        ]
        print(
            f"typedseg's overhead (blocks) is {statistics.median(shares):.1%} of MMEngine's (median over rounds; "
            f"rounds from {min(shares):.1%} to {max(shares):.1%}). The goal, 25 us where MMEngine's is 220 us, "
            f"is {25 / 220:.1%}."
        )


if __name__ == "__main__":
    main()
