"""Whole-process time of `typedseg validate`, beside the floor of our stack, in one run.

The floor is a process that imports typer and pydantic and builds one tiny model: nothing typedseg does can start
faster than that. The goal (DESIGN.md) is a whole validate within 1.25x of the floor. Given an MMSegmentation
config (MMSEG_CONFIG) and a Python with mmengine (MMENGINE_PYTHON; `pip install mmengine-lite packaging` in a
separate venv), MMEngine's `Config.fromfile` on it is measured too (it validates nothing).

    python bench/bench_validate.py [--runs 21] [--config configs/quickstart.py] [--config2 configs/...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = """
import typer
from pydantic import BaseModel
class Tiny(BaseModel):
    x: int = 1
Tiny(x=2)
"""


def _run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, cwd=ROOT, env=env, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr.decode()}")
    return elapsed


def _time_interleaved(cases: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Every case once per round, `runs` rounds: a machine that speeds up or slows down mid-benchmark shifts all
    cases alike, so the ratios to the floor stay fair (this machine's speed varies by 1.5x within minutes)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    for command in cases.values():  # write the bytecode caches, warm the file cache
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, command in cases.items():
            times[name].append(_run(command, env))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--config", default="configs/quickstart.py")
    parser.add_argument("--config2", default="configs/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py")
    args = parser.parse_args()

    typedseg = [sys.executable, "-m", "typedseg.cli.main"]
    with tempfile.TemporaryDirectory() as tmp:
        yaml_config = Path(tmp) / "config.yaml"
        shown = subprocess.run(
            [*typedseg, "show", args.config, "--format", "yaml"], capture_output=True, check=True
        )
        yaml_config.write_bytes(shown.stdout)
        cases = {
            "floor (typer + pydantic + 1 model)": [sys.executable, "-c", FLOOR],
            f"typedseg validate {args.config}": [*typedseg, "validate", args.config],
            "typedseg validate (same config as YAML)": [*typedseg, "validate", str(yaml_config)],
            f"typedseg validate {Path(args.config2).name}": [*typedseg, "validate", args.config2],
        }
        mmseg_config = os.environ.get("MMSEG_CONFIG")
        if mmseg_config:
            code = f"from mmengine.config import Config; Config.fromfile({mmseg_config!r}, import_custom_modules=False)"
            python = os.environ.get("MMENGINE_PYTHON", sys.executable)
            cases[f"mmengine Config.fromfile {Path(mmseg_config).name} (validates nothing)"] = [
                python,
                "-c",
                code,
            ]
        medians = {name: statistics.median(t) for name, t in _time_interleaved(cases, args.runs).items()}
    floor = next(iter(medians.values()))
    width = max(len(name) for name in medians) + 2
    print(
        f"{'case':<{width}} {'median':>9} {'vs floor':>9}   "
        f"({args.runs} interleaved rounds, {os.cpu_count()} cores)"
    )
    for name, value in medians.items():
        print(f"{name:<{width}} {value * 1000:7.1f}ms {value / floor:8.2f}x")


if __name__ == "__main__":
    main()
