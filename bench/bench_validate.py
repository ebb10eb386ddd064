"""Whole-process time of `typedseg validate`, beside the floor of our stack, in one run.

The floor is a process that imports typer and pydantic and builds one tiny model: nothing typedseg does can start
faster than that. The goal (DESIGN.md) is a whole validate within 1.25x of the floor. If mmengine is installed,
`Config.fromfile` on an MMSegmentation config is measured too (it validates nothing).

    python bench/bench_validate.py [--runs 15] [--config configs/quickstart.py]
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


def _time(command: list[str], runs: int) -> list[float]:
    times = []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)  # warm the bytecode cache
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, cwd=ROOT, env=env, check=False)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr.decode()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--config", default="configs/quickstart.py")
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
        }
        mmseg_config = os.environ.get("MMSEG_CONFIG")
        if mmseg_config:
            code = f"from mmengine.config import Config; Config.fromfile({mmseg_config!r})"
            cases["mmengine Config.fromfile (validates nothing)"] = [sys.executable, "-c", code]
        medians = {name: statistics.median(_time(command, args.runs)) for name, command in cases.items()}
    floor = next(iter(medians.values()))
    print(f"{'case':<52} {'median':>9} {'vs floor':>9}   ({args.runs} runs each, {os.cpu_count()} cores)")
    for name, value in medians.items():
        print(f"{name:<52} {value * 1000:7.1f}ms {value / floor:8.2f}x")


if __name__ == "__main__":
    main()
