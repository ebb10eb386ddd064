"""The garbage collector is paused while a command starts (typedseg.startup) and runs again once a loop begins."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.tiny import experiment
from typedseg import startup
from typedseg.config.hooks import UserHook
from typedseg.engine.runner import Runner


@pytest.fixture(autouse=True)
def collector_as_it_was() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    startup._Pause.held = False
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


SEEN: dict[str, bool] = {}


class CollectorWatch(UserHook):
    def build(self, *args: Any, **kwargs: Any) -> Any:
        return _Watch()


class _Watch:
    priority = 50

    def before_run(self, state: Any) -> None:
        SEEN["before_run"] = gc.isenabled()

    def before_train_iter(self, state: Any) -> None:
        SEEN.setdefault("first_iteration", gc.isenabled())

    def before_test_epoch(self, state: Any) -> None:
        SEEN["test"] = gc.isenabled()


def test_resume_undoes_its_own_pause_only() -> None:
    gc.disable()  # disabled by someone else: resume leaves it so, and freezes nothing
    startup.resume()
    assert not gc.isenabled() and gc.get_freeze_count() == 0
    gc.enable()
    startup.pause()
    assert not gc.isenabled() and startup.paused()
    startup.resume()
    assert gc.isenabled() and not startup.paused()
    assert gc.get_freeze_count() > 1000  # everything alive at the resume is left out of later collections
    startup.resume()  # twice: nothing more
    assert gc.isenabled()


def test_a_paused_collector_runs_again_when_the_train_loop_begins(tmp_path: Path) -> None:
    SEEN.clear()
    startup.pause()
    exp = experiment(max_iters=2, interval=2, val_interval=2, custom_hooks=(CollectorWatch(),))
    Runner(exp, work_dir=tmp_path / "work").train()
    assert SEEN == {"before_run": False, "first_iteration": True}
    assert gc.get_freeze_count() > 1000


def test_a_paused_collector_runs_again_when_the_test_loop_begins(tmp_path: Path) -> None:
    SEEN.clear()
    exp = experiment(max_iters=2, interval=2, val_interval=2, custom_hooks=(CollectorWatch(),))
    Runner(exp, work_dir=tmp_path / "train").train()
    SEEN.clear()
    startup.pause()
    Runner(exp, work_dir=tmp_path / "test").test(tmp_path / "train" / "iter_2.pth")
    assert SEEN == {"before_run": False, "test": True}


def test_the_api_leaves_the_collector_alone(tmp_path: Path) -> None:
    SEEN.clear()
    gc.disable()  # a user's choice, not startup's: the runner keeps it
    exp = experiment(max_iters=2, interval=2, val_interval=2, custom_hooks=(CollectorWatch(),))
    Runner(exp, work_dir=tmp_path / "work").train()
    assert SEEN == {"before_run": False, "first_iteration": False}
    assert gc.get_freeze_count() == 0


def test_the_command_line_pauses_the_collector_while_a_command_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import cli.main as command_line

    during: list[bool] = []

    def command() -> None:  # a command that runs no loop, and exits as Typer's do
        during.append(gc.isenabled())
        raise SystemExit(0)

    monkeypatch.setattr(command_line, "app", command)
    with pytest.raises(SystemExit):
        command_line.main()
    assert during == [False]
    assert gc.isenabled() and not startup.paused()


def test_the_data_commands_resume_the_collector_before_their_first_file(tmp_path: Path) -> None:
    from typedseg.config.datasets import BaseSegDataset, DataPrefix
    from typedseg.datasets.datasets import build_dataset, check_readable
    from typedseg.datasets.synthetic import SynthSpec, write_synthetic

    startup.pause()
    write_synthetic(tmp_path / "synth", SynthSpec(classes=3, train=2, val=1, size=(16, 16), seed=0))
    assert gc.isenabled() and not startup.paused()
    gc.unfreeze()
    dataset = BaseSegDataset(
        data_root=str(tmp_path / "synth"),
        data_prefix=DataPrefix(img_path="images/train", seg_map_path="labels/train"),
        img_suffix=".png",
        seg_map_suffix=".png",
    )
    startup.pause()
    assert check_readable(build_dataset(dataset)) == 4
    assert gc.isenabled() and not startup.paused()
