"""Loop semantics (MMEngine's): when validation runs (val_begin, val_interval, dynamic_intervals, the last step),
and the Python API's lazy exports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.engine.tiny import experiment
from typedseg.config.hooks import CheckpointHook
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.config.replace import replace
from typedseg.engine.hooks.base import Hook
from typedseg.engine.runner import Runner


def validations(runner: Runner) -> list[tuple[int, int]]:
    """(iteration, epoch) of every validation a training run makes."""
    seen: list[tuple[int, int]] = []

    class Spy(Hook):
        def before_val(self, state: Any) -> None:
            seen.append((state.iter, state.epoch))

    runner.build_for_training()
    assert runner.hooks is not None and runner.train_loop is not None
    runner.hooks.add(Spy(), 50)
    runner.train_loop.run(None)
    return seen


def test_iteration_loop_validates_at_intervals_dynamic_intervals_and_the_end(tmp_path: Path) -> None:
    exp = replace(
        experiment(checkpoint=CheckpointHook(by_epoch=False, interval=-1, save_last=False)),
        train_cfg=IterBasedTrainLoop(max_iters=10, val_interval=4, dynamic_intervals=[(6, 2)]),
    )
    assert [it for it, _ in validations(Runner(exp, work_dir=tmp_path, progress=False))] == [4, 6, 8, 10]


def test_epoch_loop_validates_from_val_begin_and_after_the_last_epoch(tmp_path: Path) -> None:
    exp = replace(
        experiment(max_epochs=3),
        train_cfg=EpochBasedTrainLoop(max_epochs=3, val_begin=2, val_interval=2),
    )
    runner = Runner(exp, work_dir=tmp_path, progress=False)
    assert validations(runner) == [(12, 2), (18, 3)]  # 6 iterations per epoch; epoch 3 is the last
    assert sorted(p.name for p in tmp_path.glob("epoch_*.pth")) == [
        "epoch_1.pth",
        "epoch_2.pth",
        "epoch_3.pth",
    ]


def test_import_typedseg_stays_torch_free() -> None:
    code = (
        "import sys, typedseg\n"
        "assert 'torch' not in sys.modules\n"
        "experiment = typedseg.load_config('configs/quickstart.py')\n"
        "assert type(experiment).__name__ == 'Experiment' and 'torch' not in sys.modules\n"
        "assert typedseg.Runner.__name__ == 'Runner' and 'torch' in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
