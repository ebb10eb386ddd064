"""The tiny experiment as a process, for the tests that kill it: `python -m tests.engine.run_tiny WORK_DIR`.

Options: --resume, --kill-after N (SIGKILL after iteration N), --kill-in-save N (SIGKILL inside the N-th
checkpoint save, after the temp file is written and synced, before it is moved into place), --epochs N (an epoch
loop), --max-keep N, --ema. `tiny_runner` builds the same runner in-process.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Any

from tests.engine.tiny import KillAt, experiment
from typedseg.config.hooks import CheckpointHook, EMAHook
from typedseg.engine import checkpoint as checkpoint_module
from typedseg.engine.errors import TrainingFault, TrainingInterrupted
from typedseg.engine.runner import Runner


def tiny_runner(
    work_dir: Path | str,
    *,
    resume: bool = False,
    ema: bool = True,
    epochs: int = 0,
    kill_after: int = 0,
    max_keep: int = -1,
    hooks: tuple[Any, ...] = (),
    on_nonfinite: Any = "stop",
) -> Runner:
    """12 iterations (or `epochs` epochs of 6), checkpoints every 4 iterations, validation in the iteration loop."""
    custom: list[Any] = [EMAHook(momentum=0.1)] if ema else []
    if kill_after:
        custom.append(KillAt(at=kill_after))
    exp = experiment(
        max_iters=12,
        max_epochs=epochs or None,
        custom_hooks=(*custom, *hooks),
        checkpoint=CheckpointHook(by_epoch=False, interval=4, max_keep_ckpts=max_keep),
        logger_interval=4,
        with_val=not epochs,
    )
    return Runner(
        exp, work_dir=work_dir, resume=True if resume else None, progress=False, on_nonfinite=on_nonfinite
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("work_dir")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--kill-after", type=int, default=0)
    parser.add_argument("--kill-in-save", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=0)
    parser.add_argument("--max-keep", type=int, default=-1)
    parser.add_argument("--ema", action="store_true")
    args = parser.parse_args()
    if args.kill_in_save:
        real = checkpoint_module.sha256_of
        calls = {"n": 0}

        def killing_sha256(path: Path) -> str:
            calls["n"] += 1
            if calls["n"] == args.kill_in_save:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(path)

        checkpoint_module.sha256_of = killing_sha256
    runner = tiny_runner(
        args.work_dir,
        resume=args.resume,
        ema=args.ema,
        epochs=args.epochs,
        kill_after=args.kill_after,
        max_keep=args.max_keep,
    )
    try:
        runner.train()
    except TrainingInterrupted as exc:
        print(exc, file=sys.stderr)
        return 143
    except TrainingFault as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
