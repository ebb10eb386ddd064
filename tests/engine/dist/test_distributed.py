"""Distributed training for real: `typedseg run --nproc 2` (torch's elastic launcher, gloo, CPU), two launchers
as two nodes, SLURM's environment, and what must hold across ranks: gradients equal to one process with the
whole batch, metrics equal to one process over all the data, one set of outputs, a non-finite loss on one rank
stopping both, SIGTERM and SIGKILL to the launcher, and exact resume."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.engine.dist.cases import plain
from tests.engine.dist.group import free_port
from typedseg.engine.runner import Runner

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = 120


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "TORCHELASTIC_"))}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(name, None)
    env.update(PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", NO_COLOR="1", **extra)
    return env


def config_file(folder: Path, body: str, name: str = "cfg.py") -> Path:
    path = folder / name
    path.write_text(f"from tests.engine.dist.cases import *  # noqa: F403\n\nconfig = {body}\n")
    return path


def typedseg(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "typedseg", *map(str, args)],
        cwd=ROOT,
        env=env or environment(),
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def start(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "typedseg", *map(str, args)],
        cwd=ROOT,
        env=env or environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def weights(path: Path) -> dict[str, torch.Tensor]:
    state: dict[str, torch.Tensor] = torch.load(path, map_location="cpu", weights_only=True)["state_dict"]
    return state


def scalars(work_dir: Path) -> list[dict[str, Any]]:
    (log_dir,) = [p for p in work_dir.iterdir() if p.is_dir()]
    text = (log_dir / "vis_data" / "scalars.json").read_text()
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def two_process_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One SGD(lr=1) step of the plain model, batch 2 on each of 2 processes, then validation on 5 images."""
    folder = tmp_path_factory.mktemp("two")
    config = config_file(folder, "plain(batch_size=2)")
    result = typedseg("run", config, "--nproc", "2", "--work-dir", folder / "work")
    assert result.returncode == 0, result.stderr
    return folder / "work", result


def one_process(tmp_path: Path, batch_size: int) -> Runner:
    runner = Runner(plain(batch_size=batch_size), work_dir=tmp_path / f"one{batch_size}", progress=False)
    runner.train()
    return runner


def test_a_step_on_two_processes_equals_one_process_with_the_whole_batch(
    two_process_run: tuple[Path, Any], tmp_path: Path
) -> None:
    work_dir, _ = two_process_run
    two = weights(work_dir / "iter_1.pth")
    one_process(tmp_path, 4)
    whole = weights(tmp_path / "one4" / "iter_1.pth")
    one_process(tmp_path, 2)
    half = weights(tmp_path / "one2" / "iter_1.pth")  # one process, its own 2 samples only: a control
    for name, value in whole.items():  # lr=1, no momentum: the step is the gradient
        torch.testing.assert_close(two[name], value, rtol=1e-5, atol=1e-6)
    assert max(float((half[n] - whole[n]).abs().max()) for n in whole) > 1e-3  # the test can fail


def test_metrics_are_those_of_one_process_over_all_the_data(
    two_process_run: tuple[Path, Any], tmp_path: Path
) -> None:
    work_dir, _ = two_process_run
    logged = [line for line in scalars(work_dir) if "mIoU" in line]
    assert len(logged) == 1
    runner = Runner(plain(batch_size=2), work_dir=tmp_path / "val", progress=False)
    single = runner.val(work_dir / "iter_1.pth")  # one process, all 5 images, the same weights
    assert {k: logged[0][k] for k in ("aAcc", "mIoU", "mAcc")} == {
        k: single[k] for k in ("aAcc", "mIoU", "mAcc")
    }


def test_one_set_of_outputs_is_written(
    two_process_run: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    work_dir, result = two_process_run
    folders = [p for p in work_dir.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders  # one timestamped log folder, rank 0's
    assert sorted(p.name for p in work_dir.iterdir() if p.is_file()) == [
        "iter_1.pth",
        "iter_1.pth.sha256",
        "last_checkpoint",
    ]
    log_text = (folders[0] / f"{folders[0].name}.log").read_text()
    assert log_text.count("Saving checkpoint at 1 iterations") == 1
    assert "distributed: 2 processes, backend gloo" in log_text
    assert result.stdout.count("Iter(train) [1/1]") == 1  # rank 1 prints nothing
    assert len(scalars(work_dir)) == 2  # one train line, one validation line


def test_a_non_finite_loss_on_one_rank_stops_both_before_the_step(tmp_path: Path) -> None:
    config = config_file(
        tmp_path, "replace(plain(batch_size=2, max_iters=4), custom_hooks=(NanOnRank(rank=1, at=3),))"
    )
    config.write_text("from typedseg.config.replace import replace\n" + config.read_text())
    result = typedseg("run", config, "--nproc", "2", "--work-dir", tmp_path / "work")
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("iteration 3: the loss is not finite on rank 1") == 1, result.stderr
    assert "Traceback" not in result.stderr
    saved = sorted(p.name for p in (tmp_path / "work").glob("iter_*.pth"))
    assert saved == ["iter_1.pth", "iter_2.pth"]  # rank 0 (finite) did not step either


def test_a_worker_dying_mid_run_is_one_line_per_rank_not_a_traceback(tmp_path: Path) -> None:
    config = config_file(
        tmp_path, "replace(plain(batch_size=2, max_iters=6), custom_hooks=(ExitOnRank(rank=1, at=2),))"
    )
    config.write_text("from typedseg.config.replace import replace\n" + config.read_text())
    result = typedseg("run", config, "--nproc", "2", "--work-dir", tmp_path / "work")
    assert result.returncode == 1, result.stderr
    assert "worker rank 1 stopped first (exit code 1)" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    # rank 0's next collective found its peer gone: one line, when it got that far before the launcher stopped it
    assert result.stderr.count("another worker stopped") <= 1, result.stderr


def test_parameters_without_a_gradient_are_one_message(tmp_path: Path) -> None:
    config = config_file(tmp_path, "branched()")  # a head the forward never calls
    result = typedseg("run", config, "--nproc", "2", "--work-dir", tmp_path / "work")
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("[unused-parameters]") == 1, result.stderr  # rank 0 speaks for both
    assert "(rank 0: spare.weight, spare.bias)" in result.stderr
    assert "Set find_unused_parameters=True" in result.stderr
    assert "Traceback" not in result.stderr and "Expected to have finished" not in result.stderr


def test_sigterm_to_the_launcher_saves_once_and_every_rank_exits(tmp_path: Path) -> None:
    body = (
        'replace(plain(batch_size=2, max_iters=400), {"default_hooks.checkpoint.interval": 100}, '
        f"custom_hooks=(SignalLauncherAt(at=3, signum={int(signal.SIGTERM)}),))"
    )
    config = config_file(tmp_path, body)
    config.write_text("from typedseg.config.replace import replace\n" + config.read_text())
    began = time.monotonic()
    result = typedseg("run", config, "--nproc", "2", "--work-dir", tmp_path / "work")
    assert result.returncode == 143, result.stderr
    assert time.monotonic() - began < 30 + 15  # within the launcher's grace period (plus start-up)
    assert result.stderr.count("stopped by SIGTERM; saved ") == 1 and "Traceback" not in result.stderr
    saved = result.stderr.split("stopped by SIGTERM; saved ")[1].split()[0]
    files = sorted((tmp_path / "work").glob("iter_*.pth"), key=lambda p: int(p.stem[5:]))
    assert [str(p) for p in files] == [saved]  # the one checkpoint, at the boundary where both ranks stopped
    assert 3 <= int(Path(saved).stem[5:]) < 100
    assert (tmp_path / "work" / "last_checkpoint").read_text() == saved
    assert weights(Path(saved)).keys() == {"body.0.weight", "body.0.bias", "head.weight", "head.bias"}


def test_exact_resume_after_sigkill_to_the_launcher(tmp_path: Path) -> None:
    plain_config = config_file(tmp_path, "resumable()")
    killed = config_file(
        tmp_path, "replace(resumable(), custom_hooks=(SignalLauncherAt(at=5),))", "killed.py"
    )
    killed.write_text("from typedseg.config.replace import replace\n" + killed.read_text())
    reference = start("run", plain_config, "--nproc", "2", "--work-dir", tmp_path / "ref")
    result = typedseg("run", killed, "--nproc", "2", "--work-dir", tmp_path / "cut")
    assert result.returncode == -signal.SIGKILL, result.stderr
    time.sleep(1.0)  # had a worker outlived its launcher, it would write iter_6.pth now
    assert sorted(p.name for p in (tmp_path / "cut").glob("iter_*.pth")) == ["iter_2.pth", "iter_4.pth"]
    resumed = typedseg("run", plain_config, "--nproc", "2", "--work-dir", tmp_path / "cut", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "Resumed from" in resumed.stdout
    _, errors = reference.communicate(timeout=TIMEOUT)
    assert reference.returncode == 0, errors
    ref = torch.load(tmp_path / "ref" / "iter_8.pth", map_location="cpu", weights_only=True)
    cut = torch.load(tmp_path / "cut" / "iter_8.pth", map_location="cpu", weights_only=True)
    assert ref["state_dict"].keys() == cut["state_dict"].keys()
    for name, value in ref["state_dict"].items():
        assert torch.equal(value, cut["state_dict"][name]), name
    for index, state in ref["optimizer"]["state"].items():
        assert torch.equal(state["momentum_buffer"], cut["optimizer"]["state"][index]["momentum_buffer"])
    assert len(ref["rng_per_rank"]) == 2


def finish_together(processes: list[subprocess.Popen[str]]) -> list[tuple[str, str]]:
    """Every process's (stdout, stderr), read at the same time (no pipe fills up while another is awaited); one
    still running after TIMEOUT fails the test after all are killed (a launcher's workers die with it)."""
    with ThreadPoolExecutor(len(processes)) as pool:
        futures = [pool.submit(process.communicate, timeout=TIMEOUT) for process in processes]
        try:
            return [future.result() for future in futures]
        except subprocess.TimeoutExpired:
            running = [index for index, process in enumerate(processes) if process.poll() is None]
            for process in processes:
                process.kill()
            pytest.fail(f"processes {running} (in start order) still running after {TIMEOUT} s")


@pytest.mark.parametrize("rendezvous", ["static", "c10d"])
def test_two_nodes_simulated_with_two_launchers(tmp_path: Path, rendezvous: str) -> None:
    """Two launchers on one machine as two nodes. static: torchrun's --master-addr/--master-port (what a cluster's
    nodes run), node 1 started first (it waits for node 0's store); c10d: --rdzv-endpoint, ranks by arrival."""
    config = config_file(tmp_path, "plain(batch_size=2, max_iters=2)")
    port, work = str(free_port()), tmp_path / "work"
    common: list[str | Path] = ["run", config, "--nnodes", "2", "--nproc", "1", "--work-dir", work]
    if rendezvous == "static":
        common += ["--master-addr", "127.0.0.1", "--master-port", port]
        nodes = [start(*common, "--node-rank", rank) for rank in ("1", "0")]
    else:
        nodes = [start(*common, "--rdzv-endpoint", f"127.0.0.1:{port}") for _ in range(2)]
    outputs = finish_together(nodes)
    assert [node.returncode for node in nodes] == [0, 0], outputs
    speaks = ["distributed: 2 processes" in out for out, _ in outputs]  # rank 0 logs it, on its node's output
    if rendezvous == "static":
        assert speaks == [False, True]  # rank 0 is on node 0, started second
    else:
        assert sum(speaks) == 1  # on whichever node joined first
    assert (work / "iter_2.pth").is_file()


def test_slurm_environment(tmp_path: Path, two_process_run: tuple[Path, Any]) -> None:
    config = config_file(tmp_path, "plain(batch_size=2)")
    port = str(free_port())
    tasks = [
        start(
            "run",
            config,
            "--launcher",
            "slurm",
            "--work-dir",
            tmp_path / "work",
            env=environment(
                SLURM_PROCID=str(rank),
                SLURM_NTASKS="2",
                SLURM_LOCALID=str(rank),
                SLURM_NODELIST="localhost",
                MASTER_ADDR="127.0.0.1",
                MASTER_PORT=port,
            ),
        )
        for rank in (0, 1)
    ]
    outputs = [task.communicate(timeout=TIMEOUT) for task in tasks]
    assert [task.returncode for task in tasks] == [0, 0], outputs
    assert "distributed: 2 processes, backend gloo" in outputs[0][0] and not outputs[1][0].strip()
    slurm, torchrun = weights(tmp_path / "work" / "iter_1.pth"), weights(two_process_run[0] / "iter_1.pth")
    assert all(
        torch.equal(slurm[name], torchrun[name]) for name in torchrun
    )  # the same run, started by SLURM


def test_setup_problems_are_one_message(tmp_path: Path) -> None:
    config = config_file(tmp_path, "plain(batch_size=2)")
    nccl = typedseg("run", config, "--nproc", "2", "--set", "env_cfg.dist_cfg.backend=nccl")
    assert nccl.returncode == 2 and nccl.stderr.count("[dist-backend-mismatch]") == 1, nccl.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = typedseg("run", config, "--nnodes", "2", "--nproc", "1", "--master-port", port)
    assert busy.returncode == 2 and busy.stderr.count("[dist-port-in-use]") == 1, busy.stderr
    for result in (nccl, busy):
        assert "Traceback" not in result.stderr
