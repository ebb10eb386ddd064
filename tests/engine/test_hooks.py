"""Hooks: MMEngine's order (priority, then registration), user hooks (class priority, typos refused), and each
hook's real job checked by value: EMA formulas, best/kept checkpoints, early stopping, profiler traces,
TensorBoard events read back, LogProcessor windows."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from tests.engine.tiny import experiment
from typedseg.config.hooks import CheckpointHook, EarlyStoppingHook, EMAHook, ProfilerHook, UserHook
from typedseg.config.runtime import CustomLogConfig, LogProcessor, TensorboardVisBackend, Visualizer
from typedseg.engine.errors import RunError
from typedseg.engine.hooks.base import Hook, Hooks
from typedseg.engine.hooks.build import build_hook
from typedseg.engine.hooks.ema import AveragedModel
from typedseg.engine.hooks.extras import EarlyStoppingHook as EarlyStopping
from typedseg.engine.runner import Runner
from typedseg.engine.scalars import ScalarLog


class Recorder(Hook):
    def __init__(self, name: str, calls: list[str]) -> None:
        self.label, self.calls = name, calls

    def after_train_iter(self, state: Any) -> None:
        self.calls.append(self.label)


def test_hooks_run_by_priority_then_registration() -> None:
    calls: list[str] = []
    hooks = Hooks()
    for name, priority in (("late", 90), ("first", 10), ("normal_a", 50), ("normal_b", 50)):
        hooks.add(Recorder(name, calls), priority)
    hooks.call("after_train_iter", None)  # type: ignore[arg-type]
    assert calls == ["first", "normal_a", "normal_b", "late"]
    assert hooks.handlers("before_train_iter") == []  # a hook costs nothing at events it does not handle


class Typo(UserHook):
    def build(self, *args: Any, **kwargs: Any) -> Any:
        class Hooked(Hook):
            def after_train_itr(self, state: Any) -> None: ...

        return Hooked()


class OwnPriority(UserHook):
    def build(self, *args: Any, **kwargs: Any) -> Any:
        class High(Hook):
            priority = 30

            def before_train(self, state: Any) -> None: ...

        return High()


def test_user_hooks_keep_their_class_priority_and_typos_are_refused() -> None:
    with pytest.raises(RunError, match="after_train_itr, which is no hook event") as refused:
        build_hook(Typo())
    assert "Did you mean 'after_train_iter'?" in refused.value.problems[0].hint
    built = build_hook(OwnPriority())
    assert built is not None and built[1] == 30
    built = build_hook(OwnPriority(priority="LOWEST"))
    assert built is not None and built[1] == 100  # the config's explicit priority wins


@pytest.mark.parametrize(
    ("ema_type", "expected"),  # the expected average after each update
    [
        ("ExponentialMovingAverage", lambda avg, new, step: avg + 0.1 * (new - avg)),
        ("MomentumAnnealingEMA", lambda avg, new, step: avg + max(0.1, 100 / (100 + step)) * (new - avg)),
        ("StochasticWeightAverage", lambda avg, new, step: avg + (new - avg) / (step + 1)),
    ],
)
def test_ema_formulas_are_mmengines(ema_type: Any, expected: Any) -> None:
    model = nn.Linear(2, 1, bias=False)
    cfg = (
        EMAHook(ema_type=ema_type)
        if ema_type == "StochasticWeightAverage"
        else EMAHook(ema_type=ema_type, momentum=0.1)
    )
    averaged = AveragedModel(model, cfg)
    values = [1.0, 3.0, -2.0, 5.0]
    reference = None
    for step, value in enumerate(values):
        with torch.no_grad():
            model.weight.fill_(value)
        averaged.update_parameters(model)
        reference = value if step == 0 else expected(reference, value, step)
    weight: Any = averaged.module.weight
    assert weight[0, 0].item() == pytest.approx(reference, rel=1e-6)


def test_ema_weights_are_used_for_validation_and_saved(tmp_path: Path) -> None:
    exp = experiment(max_iters=4, interval=4, val_interval=4, custom_hooks=(EMAHook(momentum=0.5),))
    runner = Runner(exp, work_dir=tmp_path, progress=False)
    seen: dict[str, torch.Tensor] = {}

    class Spy(Hook):
        def before_val_iter(self, state: Any) -> None:
            seen["val"] = state.model.head.weight.detach().clone()

    runner.build_for_training()
    assert runner.hooks is not None and runner.train_loop is not None and runner.state is not None
    runner.hooks.add(Spy(), 60)
    runner.train_loop.run(None)
    ema = next(h for h in runner.hooks.hooks if type(h).__name__ == "EMAHook")
    averaged = ema.ema.module.head.weight  # type: ignore[attr-defined]
    model: Any = runner.state.model
    assert torch.equal(seen["val"], averaged) and not torch.equal(model.head.weight, averaged)
    saved = torch.load(tmp_path / "iter_4.pth", weights_only=True)
    assert torch.equal(saved["state_dict"]["head.weight"], averaged)
    assert torch.equal(saved["ema_state_dict"]["module.head.weight"], model.head.weight.detach())


def test_save_best_keeps_one_best_file_and_max_keep_deletes_after_saving(tmp_path: Path) -> None:
    exp = experiment(
        max_iters=8,
        val_interval=2,
        checkpoint=CheckpointHook(
            by_epoch=False, interval=2, max_keep_ckpts=2, save_best="mIoU", save_begin=2
        ),
    )
    runner = Runner(exp, work_dir=tmp_path, progress=False)
    runner.train()
    assert sorted(p.name for p in tmp_path.glob("iter_*.pth")) == ["iter_6.pth", "iter_8.pth"]
    best = list(tmp_path.glob("best_mIoU_iter_*.pth"))
    assert len(best) == 1
    metrics = [
        json.loads(line) for line in next(tmp_path.glob("*/vis_data/scalars.json")).read_text().splitlines()
    ]
    scores = [(line["step"], line["mIoU"]) for line in metrics if "mIoU" in line]
    best_step = max(scores, key=lambda item: (item[1], -item[0]))[
        0
    ]  # first of the highest (strictly greater)
    assert best[0].name == f"best_mIoU_iter_{best_step}.pth"
    assert "optimizer" not in torch.load(
        best[0], weights_only=True
    )  # MMEngine's best files hold weights only


def test_early_stopping_follows_mmengines_rule() -> None:
    hook = EarlyStopping(EarlyStoppingHook(monitor="mIoU", patience=2, min_delta=0.5))

    class State:
        metrics: dict[str, float] = {}  # noqa: RUF012
        stopped = False

        def request_stop(self) -> None:
            self.stopped = True

    state = State()
    for value, stop in ((10.0, False), (10.4, False), (10.2, True)):
        state.metrics = {"mIoU": value}
        hook.after_val_epoch(state)  # type: ignore[arg-type]
        assert state.stopped is stop
    assert hook.best == 10.0  # 10.4 was not better by min_delta
    loss_hook = EarlyStopping(EarlyStoppingHook(monitor="loss", stopping_threshold=0.5))
    state = State()
    state.metrics = {"loss": 0.4}
    loss_hook.after_val_epoch(state)  # type: ignore[arg-type]
    assert state.stopped  # less is better for 'loss': 0.4 passed the threshold


def test_profiler_writes_a_chrome_trace(tmp_path: Path) -> None:
    exp = experiment(
        max_iters=2, with_val=False, interval=2, custom_hooks=(ProfilerHook(by_epoch=False, profile_times=1),)
    )
    Runner(exp, work_dir=tmp_path, progress=False).train()
    (trace,) = tmp_path.glob("*/profiler_trace.json")
    assert json.loads(trace.read_text())["traceEvents"]


def test_tensorboard_events_and_log_processor_windows(tmp_path: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import (  # type: ignore[import-untyped]
        EventAccumulator,
    )

    exp = experiment(
        max_iters=6,
        with_val=False,
        interval=6,
        visualizer=Visualizer(vis_backends=[TensorboardVisBackend()]),
    )
    exp = exp.model_copy(
        update={
            "log_processor": LogProcessor(
                by_epoch=False,
                window_size=2,
                custom_cfg=[
                    CustomLogConfig(
                        data_src="loss", method_name="max", window_size="global", log_name="loss_max"
                    )
                ],
            )
        }
    )
    runner = Runner(exp, work_dir=tmp_path, progress=False)
    runner.train()
    (events_dir,) = {p.parent for p in tmp_path.glob("*/vis_data/events.out.tfevents.*")}
    events = EventAccumulator(str(events_dir))
    events.Reload()
    losses = [(e.step, e.value) for e in events.Scalars("loss")]
    assert [step for step, _ in losses] == [2, 4, 6]
    history = runner.state.scalars.history("train/loss")  # type: ignore[union-attr]
    raw = [float(v) for v in history.recent]
    assert losses[-1][1] == pytest.approx(sum(raw[-2:]) / 2, rel=1e-6)  # mean over window_size=2
    loss_max = [e.value for e in events.Scalars("loss_max")]
    assert loss_max[-1] >= max(v for _, v in losses) - 1e-6


def test_scalar_windows() -> None:
    log = ScalarLog(window=3, track_totals=frozenset({"loss"}), track_extremes=frozenset({"loss"}))
    for value in (1.0, 2.0, 3.0, 4.0):
        log.update("train/loss", torch.tensor(value))
    history = log.history("train/loss")
    assert history.reduce("mean", 3) == pytest.approx(3.0)
    assert history.reduce("mean", "global") == pytest.approx(2.5)
    assert history.reduce("max", 2) == 4.0 and history.current() == 4.0
    assert math.isclose(history.reduce("min", 3), 2.0)
