"""Images per second of the training pipeline, typedseg beside MMSegmentation 1.2.2, on the same images, in one run.

The pipeline is MMSeg's Cityscapes training pipeline: LoadImageFromFile -> LoadAnnotations -> RandomResize
(scale (2048, 1024), ratio 0.5-2.0, keep_ratio) -> RandomCrop (512x1024, cat_max_ratio 0.75) -> RandomFlip (0.5)
-> PhotoMetricDistortion -> PackSegInputs, over 1024x512 PNG images with 19-class PNG labels (typedseg's synthetic
generator). Each side runs in one process on one thread (as in a dataloader worker: torch sets one thread there,
MMEngine sets OpenCV's threads to 0); rounds alternate between the two (each side's process stays up), and the
medians of the per-round rates are compared. MMSeg runs in the oracle venv (ORACLE_PYTHON, default
/work/oracle-venv/bin/python) as a subprocess.

    python bench/bench_pipeline.py [--images 12] [--rounds 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ORACLE_PYTHON = os.environ.get("ORACLE_PYTHON", "/work/oracle-venv/bin/python")

MMSEG_SIDE = r"""
import json, sys, time
import mmseg_stub  # noqa: F401
import cv2
import numpy as np
import torch
from mmcv.transforms import Compose, LoadImageFromFile, RandomResize
from mmseg.datasets.transforms import LoadAnnotations, PackSegInputs
from mmseg.datasets.transforms.transforms import PhotoMetricDistortion, RandomCrop, RandomFlip
from mmseg.utils import register_all_modules

register_all_modules()
cv2.setNumThreads(0)
torch.set_num_threads(1)
paths = json.loads(sys.argv[1])
pipeline = Compose([
    LoadImageFromFile(),
    LoadAnnotations(),
    RandomResize(scale=(2048, 1024), ratio_range=(0.5, 2.0), keep_ratio=True),
    RandomCrop(crop_size=(512, 1024), cat_max_ratio=0.75),
    RandomFlip(prob=0.5),
    PhotoMetricDistortion(),
    PackSegInputs(),
])
np.random.seed(0)
print("ready", flush=True)
for _ in sys.stdin:  # one round per line, so that the caller interleaves the two sides round by round
    start = time.perf_counter()
    for img, seg in paths:
        sample = {"img_path": img, "seg_map_path": seg, "reduce_zero_label": False, "label_map": None}
        pipeline({**sample, "seg_fields": []})
    print(len(paths) / (time.perf_counter() - start), flush=True)
"""


def make_images(folder: Path, count: int) -> list[tuple[str, str]]:
    from typedseg.datasets.image_io import write_png
    from typedseg.datasets.synthetic import SynthSpec, palette, synth_sample

    spec = SynthSpec(classes=19, size=(512, 1024), seed=0)
    colours = __import__("numpy").array(palette(19), dtype="uint8")
    paths = []
    for index in range(count):
        image, labels = synth_sample(spec, "train", index)
        img, seg = folder / f"{index:03d}_img.png", folder / f"{index:03d}_seg.png"
        write_png(img, image)
        write_png(seg, labels, palette=colours)
        paths.append((str(img), str(seg)))
    return paths


class TypedsegSide:
    """typedseg's pipeline in this process, one round at a time."""

    def __init__(self, paths: list[tuple[str, str]]) -> None:
        import torch

        from typedseg.config import transforms as t
        from typedseg.datasets.transforms import build_pipeline

        torch.set_num_threads(1)
        self.paths = paths
        self.rounds = 0
        self.pipeline = build_pipeline(
            [
                t.LoadImageFromFile(),
                t.LoadAnnotations(),
                t.RandomResize(scale=(2048, 1024), ratio_range=(0.5, 2.0), keep_ratio=True),
                t.RandomCrop(crop_size=(512, 1024), cat_max_ratio=0.75),
                t.RandomFlip(prob=0.5),
                t.PhotoMetricDistortion(),
                t.PackSegInputs(),
            ]
        )
        self.round()  # warm up

    def round(self) -> float:
        from typedseg.datasets.datasets import sample_rng

        self.rounds += 1
        start = time.perf_counter()
        for index, (img, seg) in enumerate(self.paths):
            results = {"img_path": img, "seg_map_path": seg, "reduce_zero_label": False, "label_map": None}
            self.pipeline(
                {**results, "seg_fields": [], "sample_idx": index}, sample_rng(0, self.rounds, index)
            )
        return len(self.paths) / (time.perf_counter() - start)


class MMSegSide:
    """MMSeg's pipeline in the oracle venv, one round per request."""

    def __init__(self, paths: list[tuple[str, str]]) -> None:
        self.process = subprocess.Popen(
            [ORACLE_PYTHON, "-c", MMSEG_SIDE, json.dumps(paths)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit(f"the MMSeg side failed:\n{self.process.communicate()[1][-3000:]}")
        self.round()  # warm up

    def round(self) -> float:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("round\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=9, help="rounds per side, interleaved")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_images(Path(tmp), args.images)
        mmseg, typedseg = MMSegSide(paths), TypedsegSide(paths)
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(args.rounds):  # interleaved: a machine that changes speed affects both sides alike
            theirs.append(mmseg.round())
            ours.append(typedseg.round())
        mmseg.close()
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"training pipeline, {args.images} images of 1024x512, {args.rounds} rounds per side, one thread")
    print(f"  typedseg  {ours_median:7.1f} images/s  (rounds: {', '.join(f'{r:.1f}' for r in ours)})")
    print(f"  MMSeg     {theirs_median:7.1f} images/s  (rounds: {', '.join(f'{r:.1f}' for r in theirs)})")
    print(f"  ratio typedseg/MMSeg: {ours_median / theirs_median:.2f}")


if __name__ == "__main__":
    main()
