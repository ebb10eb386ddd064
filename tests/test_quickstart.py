"""The README's first command, shortened: `typedseg data synth` then `typedseg run configs/quickstart.py` in a fresh
folder, as a subprocess on real PNG files. The loss falls and the validation mIoU beats chance by far; the full
400-iteration run (README) reaches mIoU >= 90, which docs/getting-started.md shows."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITERS = 100


def _typedseg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "typedseg", *args],
        cwd=cwd,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_quickstart_learns(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    synth = _typedseg(
        "data", "synth", "data/synthetic", "--train", "60", "--val", "12", "--if-missing", cwd=tmp_path
    )
    assert synth.returncode == 0, synth.stderr
    shorter = [
        f"train_cfg.max_iters={ITERS}",
        f"train_cfg.val_interval={ITERS}",
        f"param_scheduler[1].end={ITERS}",
        f"default_hooks.checkpoint.interval={ITERS}",
    ]
    run = _typedseg("run", "configs/quickstart.py", *(f"--set={s}" for s in shorter), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "final validation metrics:" in run.stdout

    work_dir = tmp_path / "work_dirs" / "quickstart"
    [log_dir] = [p for p in work_dir.iterdir() if p.is_dir()]
    records = [json.loads(line) for line in (log_dir / "vis_data" / "scalars.json").read_text().splitlines()]
    train = [r for r in records if "lr" in r]
    # Every 20 iterations, and (as MMEngine's LoggerHook) at the end of each pass over the 60 images (8 batches).
    assert [r["iter"] for r in train] == [8, 20, 40, 60, 80, 100]
    losses = [r["loss"] for r in train]
    assert losses[-1] < 0.5 * losses[0], losses
    [metrics] = [r for r in records if "mIoU" in r]
    assert metrics["mIoU"] > 45.0, (
        metrics
    )  # chance is about 25 for 4 classes; 400 iterations on 200 give > 90
    assert (work_dir / f"iter_{ITERS}.pth").is_file()
    assert (work_dir / "last_checkpoint").read_text().strip().endswith(f"iter_{ITERS}.pth")
