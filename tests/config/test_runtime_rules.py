"""Rules across the runtime sections: when validation happens, and what a stage needs."""

from __future__ import annotations

import pytest

from typedseg.config.replace import replace
from typedseg.config.rules.experiment import check_experiment
from typedseg.loading import load_config
from typedseg.problems import ConfigError, Problem, format_path

QUICKSTART = "configs/quickstart.py"  # IterBasedTrainLoop(max_iters=400, val_interval=100), with a val stage


def _found(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.code, format_path(p.path), p.severity) for p in problems]


def test_a_val_interval_longer_than_the_run_is_reported() -> None:
    loaded = load_config(QUICKSTART, ["train_cfg.val_interval=1000"])
    [problem] = [p for p in loaded.warnings if p.code == "val-interval-exceeds-run"]
    assert _found([problem]) == [("val-interval-exceeds-run", "train_cfg.val_interval", "warning")]
    assert "val_interval=1000 iterations is longer than the whole run (400 iterations)" in problem.message
    assert "only once, after the last iteration" in problem.message


def test_a_val_interval_within_the_run_or_without_validation_is_fine() -> None:
    assert not load_config(QUICKSTART, ["train_cfg.val_interval=400"]).warnings
    experiment = load_config(QUICKSTART).experiment
    no_val = replace(
        experiment,
        {"train_cfg.val_interval": 1000, "default_hooks.checkpoint.save_best": None},
        val_dataloader=None,
        val_cfg=None,
        val_evaluator=None,
    )
    assert "val-interval-exceeds-run" not in [p.code for p in check_experiment(no_val)]


def test_a_later_dynamic_interval_within_the_run_validates_periodically() -> None:
    overrides = ["train_cfg.val_interval=1000", "train_cfg.dynamic_intervals=[[200, 50]]"]
    assert "val-interval-exceeds-run" not in [p.code for p in load_config(QUICKSTART, overrides).warnings]


def test_validation_that_begins_after_the_run_is_an_error() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(QUICKSTART, ["train_cfg.val_begin=401"])
    assert _found(info.value.problems) == [("starts-after-run", "train_cfg.val_begin", "error")]
    assert "validation would never run" in info.value.problems[0].message
