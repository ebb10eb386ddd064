"""configs/quickstart.py on a tiny synthetic dataset (real files, real loading), trained 2 iterations: what the
visualization, predict and `test` tests run."""

from __future__ import annotations

from pathlib import Path

from typedseg.config.experiment import Experiment
from typedseg.datasets.synthetic import SynthSpec, write_synthetic
from typedseg.loading import load_config

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "configs" / "quickstart.py"
PALETTE = [[0, 0, 0], [220, 20, 60], [0, 128, 255], [255, 200, 0]]


def write_data(root: Path) -> Path:
    write_synthetic(root, SynthSpec(classes=4, train=4, val=3, size=(32, 32), seed=1))
    return root


def overrides(data: Path) -> list[str]:
    """`--set`s that point the quickstart at `data` and make it 2 iterations, validated at the end."""
    return [
        f"train_dataloader.dataset.data_root={data}",
        f"val_dataloader.dataset.data_root={data}",
        f"test_dataloader.dataset.data_root={data}",
        "train_dataloader.num_workers=0",
        "train_dataloader.persistent_workers=false",
        "train_dataloader.batch_size=2",
        "train_cfg.max_iters=2",
        "train_cfg.val_interval=2",
        "val_dataloader.batch_size=2",
        "param_scheduler=[]",
        "default_hooks.logger.interval=1",
        "default_hooks.checkpoint.interval=1",
    ]


def experiment(data: Path) -> Experiment:
    result: Experiment = load_config(QUICKSTART, overrides(data)).experiment
    return result
