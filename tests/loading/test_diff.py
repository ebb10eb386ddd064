"""The semantic diff: field by field, list items matched by type, defaults included."""

from __future__ import annotations

from typedseg.config.experiment import Experiment
from typedseg.config.replace import replace
from typedseg.config.schedulers import ConstantLR, LinearLR, PolyLR
from typedseg.loading import load_config
from typedseg.loading.diff import changes_json, diff_experiments, format_changes
from typedseg.problems import format_path


def quickstart() -> Experiment:
    experiment = load_config("configs/quickstart.py").experiment
    assert isinstance(experiment, Experiment)
    return experiment


def test_equal_configs_have_no_changes() -> None:
    assert diff_experiments(quickstart(), quickstart()) == []


def test_a_changed_value_and_a_changed_default() -> None:
    a = quickstart()
    b = replace(
        a, {"train_cfg.max_iters": 800, "param_scheduler[PolyLR].end": 800, "randomness.deterministic": True}
    )
    found = [(c.kind, format_path(c.path), c.before, c.after) for c in diff_experiments(a, b)]
    assert found == [
        ("changed", "train_cfg.max_iters", 400, 800),
        ("changed", "param_scheduler[PolyLR].end", 400, 800),
        ("changed", "randomness.deterministic", False, True),
    ]


def test_an_inserted_scheduler_is_one_addition_not_a_shift() -> None:
    a = quickstart()
    schedulers = [
        LinearLR(start_factor=0.1, begin=0, end=20, by_epoch=False),
        ConstantLR(factor=1.0, begin=20, end=40, by_epoch=False),
        PolyLR(eta_min=1e-4, power=0.9, begin=40, end=400, by_epoch=False),
    ]
    b = replace(a, param_scheduler=schedulers)
    found = [(c.kind, format_path(c.path)) for c in diff_experiments(a, b)]
    assert found == [
        ("added", "param_scheduler[ConstantLR]"),
        ("changed", "param_scheduler[PolyLR].begin"),
    ]


def test_a_changed_kind_is_a_removal_and_an_addition() -> None:
    a = quickstart()
    b = load_config("configs/quickstart.py", ["optim_wrapper.optimizer=AdamW"]).experiment
    [change] = diff_experiments(a, b)
    assert (change.kind, format_path(change.path)) == ("changed", "optim_wrapper.optimizer")
    assert change.before["type"] == "SGD" and change.after["type"] == "AdamW"


def test_text_and_json_forms() -> None:
    a = quickstart()
    b = replace(a, {"train_dataloader.batch_size": 4})
    changes = diff_experiments(a, b)
    assert format_changes(changes) == "~ train_dataloader.batch_size: 8 -> 4"
    assert format_changes(changes, color=True) == "\x1b[33m~ train_dataloader.batch_size: 8 -> 4\x1b[0m"
    assert changes_json(changes) == [
        {"kind": "changed", "path": "train_dataloader.batch_size", "before": 8, "after": 4}
    ]
