"""One training iteration of FCN R18-D8 (MMSegmentation's fcn_r18-d8 config, BN instead of SyncBN, 19 classes) at
256x256, batch 2: `typedseg run`'s Runner against MMSegmentation 1.2.2's own Runner (MMEngine 0.10.7), same model,
data and pipeline, in one run.

Both arms read the same synthetic dataset (`typedseg data synth`, 256x256 PNGs, 19 classes) in the BaseSegDataset
layout through LoadImageFromFile -> LoadAnnotations -> RandomFlip(0.5) -> PackSegInputs, batch 2 from an infinite
shuffled sampler with no workers (the data loading is in the iteration), SGD (lr 0.01, momentum 0.9, wd 5e-4) with
PolyLR, BN in train mode, and their default hooks (logger every 10, a checkpoint at the end only). typedseg's model
comes from the very MMSeg config file (read by typedseg's importer, never executed); both arms print their parameter
count, which must match. Each arm runs in its own process (torch threads: --threads), arms interleaved over --rounds
rounds; the time per iteration is timed from iteration --warmup to the one before the last; medians are shown.
MMSeg runs from the oracle venv (ORACLE_PYTHON, default /work/oracle-venv/bin/python).

    python bench/bench_train.py [--iters 12] [--warmup 2] [--rounds 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ORACLE_PYTHON = os.environ.get("ORACLE_PYTHON", "/work/oracle-venv/bin/python")
ROOT = Path(__file__).resolve().parent.parent
SIZE = 256


def mmseg_config() -> str:
    """The fcn_r18-d8 config in the oracle venv's MMSeg."""
    found = glob.glob(
        str(Path(ORACLE_PYTHON).parent.parent / "lib/python3*/site-packages/mmseg/.mim/configs/fcn")
        + "/fcn_r18-d8_4xb2-80k_cityscapes-512x1024.py"
    )
    if not found:
        raise SystemExit(f"no MMSeg fcn_r18-d8 config next to {ORACLE_PYTHON}")
    return found[0]


MMSEG = r"""
import json, sys, tempfile, time
import mmseg_stub  # noqa: F401  (before any mmseg import: stands in for mmcv.ops)
sys.modules["torchvision"] = None
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmseg.utils import register_all_modules

config_path, data_root, iters, warmup, threads = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
torch.set_num_threads(threads)
register_all_modules()
marks = {}


class Marks(Hook):
    priority = "LOWEST"

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if batch_idx == 0:
            marks["params"] = sum(p.numel() for p in runner.model.parameters())
        if batch_idx == warmup:
            marks["timed"] = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if batch_idx == iters - 2:
            marks["end"] = time.perf_counter()


model = Config.fromfile(config_path).model
model.pretrained = None
bn = dict(type="BN", requires_grad=True)
model.backbone.norm_cfg = model.decode_head.norm_cfg = model.auxiliary_head.norm_cfg = bn
model.data_preprocessor.size = (SIZE, SIZE)
pipeline = [
    dict(type="LoadImageFromFile"),
    dict(type="LoadAnnotations"),
    dict(type="RandomFlip", prob=0.5),
    dict(type="PackSegInputs"),
]
classes = tuple(f"c{i}" for i in range(19))
with tempfile.TemporaryDirectory() as work_dir:
    runner = Runner(
        model=model.to_dict(),
        work_dir=work_dir,
        train_dataloader=dict(
            batch_size=2,
            num_workers=0,
            sampler=dict(type="InfiniteSampler", shuffle=True),
            dataset=dict(
                type="BaseSegDataset",
                data_root=data_root,
                data_prefix=dict(img_path="images/train", seg_map_path="labels/train"),
                img_suffix=".png",
                seg_map_suffix=".png",
                metainfo=dict(classes=classes),
                pipeline=pipeline,
            ),
        ),
        train_cfg=dict(type="IterBasedTrainLoop", max_iters=iters, val_interval=10**9),
        optim_wrapper=dict(type="OptimWrapper", optimizer=dict(type="SGD", lr=0.01, momentum=0.9, weight_decay=5e-4)),
        param_scheduler=[dict(type="PolyLR", eta_min=1e-4, power=0.9, begin=0, end=iters, by_epoch=False)],
        default_hooks=dict(
            logger=dict(type="LoggerHook", interval=min(10, iters), log_metric_by_epoch=False),
            checkpoint=dict(type="CheckpointHook", by_epoch=False, interval=iters),
        ),
        log_processor=dict(by_epoch=False),
        custom_hooks=[Marks()],
        randomness=dict(seed=0),
        default_scope="mmseg",
    )
    runner.train()
print(json.dumps({"params": marks["params"], "per_iter": (marks["end"] - marks["timed"]) / (iters - 1 - warmup)}))
""".replace("SIZE", str(SIZE))

TYPEDSEG = r"""
import json, sys, tempfile, time
from typing import Any
import torch
from typedseg.config.data import DataLoaderConfig, InfiniteSampler
from typedseg.config.datasets import BaseSegDataset, DataPrefix, DatasetMetainfo
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook, UserHook
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.replace import replace
from typedseg.config.runtime import LogProcessor, RandomnessConfig
from typedseg.config.schedulers import PolyLR
from typedseg.config.transforms import LoadAnnotations, LoadImageFromFile, PackSegInputs, RandomFlip
from typedseg.engine.hooks import Hook
from typedseg.engine.runner import Runner
from typedseg.loading.overrides import apply_overrides
from typedseg.migrate.importer import import_mmengine_config

config_path, data_root, iters, warmup, threads = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
torch.set_num_threads(threads)
marks = {}


class Marker(Hook):
    priority = 100

    def before_train_iter(self, state):
        if state.iter == 0:
            marks["params"] = sum(p.numel() for p in state.model.parameters())
        if state.iter == warmup:
            marks["timed"] = time.perf_counter()

    def after_train_iter(self, state):
        if state.iter == iters - 2:
            marks["end"] = time.perf_counter()


class Marks(UserHook):
    def build(self, *args: Any, **kwargs: Any) -> Any:
        return Marker()


imported = import_mmengine_config(config_path)
assert imported.imported, imported.errors
bn = "{type: BN, requires_grad: true}"
experiment = apply_overrides(
    imported.experiment,
    [
        "model.pretrained=null",
        f"model.backbone.norm_cfg={bn}",
        f"model.decode_head.norm_cfg={bn}",
        f"model.auxiliary_head.norm_cfg={bn}",
    ],
)
model = experiment.model
model = replace(model, data_preprocessor=replace(model.data_preprocessor, size=(SIZE, SIZE)))
dataset = BaseSegDataset(
    data_root=data_root,
    data_prefix=DataPrefix(img_path="images/train", seg_map_path="labels/train"),
    img_suffix=".png",
    seg_map_suffix=".png",
    metainfo=DatasetMetainfo(classes=tuple(f"c{i}" for i in range(19))),
    pipeline=[LoadImageFromFile(), LoadAnnotations(), RandomFlip(prob=0.5), PackSegInputs()],
)
experiment = replace(
    experiment,
    model=model,
    train_dataloader=DataLoaderConfig(
        batch_size=2, num_workers=0, sampler=InfiniteSampler(shuffle=True), dataset=dataset
    ),
    train_cfg=IterBasedTrainLoop(max_iters=iters, val_interval=iters),
    val_dataloader=None, val_cfg=None, val_evaluator=None,
    test_dataloader=None, test_cfg=None, test_evaluator=None,
    optim_wrapper=OptimWrapper(optimizer=SGD(lr=0.01, momentum=0.9, weight_decay=5e-4)),
    param_scheduler=[PolyLR(eta_min=1e-4, power=0.9, begin=0, end=iters, by_epoch=False)],
    default_hooks=DefaultHooks(
        logger=LoggerHook(interval=min(10, iters), log_metric_by_epoch=False),
        checkpoint=CheckpointHook(by_epoch=False, interval=iters),
    ),
    log_processor=LogProcessor(by_epoch=False),
    custom_hooks=[Marks()],
    randomness=RandomnessConfig(seed=0),
)
with tempfile.TemporaryDirectory() as work_dir:
    Runner(experiment, work_dir=work_dir, progress=False).train()
print(json.dumps({"params": marks["params"], "per_iter": (marks["end"] - marks["timed"]) / (iters - 1 - warmup)}))
""".replace("SIZE", str(SIZE))


def run_arm(python: str, source: str, args: list[str], threads: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(source)
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([python, handle.name, *args], capture_output=True, text=True, env=env, check=False)
    os.unlink(handle.name)
    if done.returncode != 0:
        raise SystemExit(f"{python} arm failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    config = mmseg_config()
    from typedseg.datasets.synthetic import SynthSpec, write_synthetic

    with tempfile.TemporaryDirectory() as data_root:
        write_synthetic(Path(data_root), SynthSpec(classes=19, train=16, val=1, size=(SIZE, SIZE), seed=0))
        arm_args = [config, data_root, str(args.iters), str(args.warmup), str(args.threads)]
        arms = {"typedseg": (sys.executable, TYPEDSEG), "MMSeg 1.2.2": (ORACLE_PYTHON, MMSEG)}
        results: dict[str, list[dict[str, float]]] = {name: [] for name in arms}
        started = time.time()
        for _ in range(args.rounds):
            for name, (python, source) in arms.items():
                results[name].append(run_arm(python, source, arm_args, args.threads))
    params = {name: {int(r["params"]) for r in runs} for name, runs in results.items()}
    if len({p for ps in params.values() for p in ps}) != 1:
        raise SystemExit(f"the arms built different models: parameter counts {params}")
    per_iter = {name: statistics.median(r["per_iter"] for r in runs) for name, runs in results.items()}
    print(
        f"FCN R18-D8 ({next(iter(params['typedseg'])):,} parameters), {SIZE}x{SIZE}, batch 2: {args.iters} "
        f"iterations (timed: {args.warmup} to the one before the last), {args.rounds} rounds, medians; "
        f"{os.cpu_count()} CPUs, torch threads {args.threads}; {time.time() - started:.0f} s in all"
    )
    print(f"{'arm':<14}{'per iter':>12}{'all rounds':>40}")
    for name, runs in results.items():
        each = ", ".join(f"{r['per_iter']:.3f}" for r in runs)
        print(f"{name:<14}{per_iter[name]:>10.3f} s{each:>40}")
    ratio = per_iter["MMSeg 1.2.2"] / per_iter["typedseg"]
    print(f"typedseg is {ratio:.2f}x MMSeg's speed (MMSeg time / typedseg time; > 1: typedseg faster)")


if __name__ == "__main__":
    main()
