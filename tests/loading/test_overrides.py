"""`--set PATH=VALUE`: typed by the field, variant switches, selectors, all applied together."""

from __future__ import annotations

import pytest

from typedseg.config.optimizers import SGD, AdamW
from typedseg.config.schedulers import PolyLR
from typedseg.loading import load_config
from typedseg.problems import ConfigError, Problem, format_path

QUICKSTART = "configs/quickstart.py"


def load(*overrides: str):  # type: ignore[no-untyped-def]
    return load_config(QUICKSTART, list(overrides)).experiment


def problems(*overrides: str) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        load_config(QUICKSTART, list(overrides))
    return info.value.problems


def test_values_are_typed_by_their_field() -> None:
    exp = load(
        "optim_wrapper.optimizer.lr=2e-2", "train_dataloader.batch_size=4", "randomness.deterministic=true"
    )
    assert exp.optim_wrapper.optimizer.lr == 0.02
    assert exp.train_dataloader.batch_size == 4
    assert exp.randomness.deterministic is True


def test_a_text_field_takes_the_text_as_written() -> None:
    assert load("work_dir=123").work_dir == "123"
    assert load("experiment_name=true").experiment_name == "true"


def test_switching_the_optimizer_kind_keeps_the_section_typed() -> None:
    exp = load("optim_wrapper.optimizer=AdamW")
    assert isinstance(exp.optim_wrapper.optimizer, AdamW)
    assert exp.optim_wrapper.optimizer.lr == 0.001  # AdamW's own default, not SGD's value


def test_switch_and_fields_in_any_order() -> None:
    first = load(
        "optim_wrapper.optimizer.lr=1e-4",
        "optim_wrapper.optimizer=AdamW",
        "optim_wrapper.optimizer.betas=[0.9, 0.99]",
    )
    second = load(
        "optim_wrapper.optimizer=AdamW",
        "optim_wrapper.optimizer.betas=[0.9, 0.99]",
        "optim_wrapper.optimizer.lr=1e-4",
    )
    assert first == second
    assert first.optim_wrapper.optimizer.betas == (0.9, 0.99)


def test_a_mapping_merges_into_the_current_kind() -> None:
    exp = load("optim_wrapper.optimizer={lr: 0.1}")
    assert isinstance(exp.optim_wrapper.optimizer, SGD)
    assert (exp.optim_wrapper.optimizer.lr, exp.optim_wrapper.optimizer.momentum) == (0.1, 0.9)


def test_list_items_by_index_and_by_type() -> None:
    exp = load(
        "train_cfg.max_iters=800",
        "param_scheduler[PolyLR].end=800",
        "param_scheduler.0.end=20",
        "param_scheduler[1].begin=20",
    )
    assert exp.param_scheduler[0].end == 20
    assert isinstance(exp.param_scheduler[1], PolyLR) and exp.param_scheduler[1].end == 800


def test_a_bad_value_is_blamed_on_its_override() -> None:
    [problem] = problems("optim_wrapper.optimizer=AdamW", "optim_wrapper.optimizer.lr=fast")
    assert problem.file == "--set #2 'optim_wrapper.optimizer.lr=fast'"
    assert format_path(problem.path) == "optim_wrapper.optimizer.lr"


def test_a_broken_rule_stays_located_in_the_file() -> None:
    [problem] = problems("train_cfg.max_iters=800")
    assert problem.code == "schedule-ends-early"
    assert problem.file is not None and problem.file.endswith("configs/quickstart.py")
    assert problem.line is not None


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ("train_cfg.max_iter=5", "unknown-key"),
        ("param_scheduler[9].end=5", "index-out-of-range"),
        ("max_iters", "invalid-override"),
        ("train_cfg..max_iters=5", "invalid-path"),
        ("train_cfg.max_iters=abc", "invalid-value"),
    ],
)
def test_bad_overrides(override: str, code: str) -> None:
    [problem] = problems(override)
    assert problem.code == code
    assert problem.file is not None and problem.file.startswith("--set #1")
