"""`replace` validates again, down to nested paths, and leaves the original alone."""

from __future__ import annotations

import pytest

from typedseg.config.experiment import Experiment
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.replace import parse_path, replace
from typedseg.config.schedulers import PolyLR
from typedseg.loading import load_config
from typedseg.problems import ConfigError, format_path


@pytest.fixture(scope="module")
def quickstart() -> Experiment:
    experiment = load_config("configs/quickstart.py").experiment
    assert isinstance(experiment, Experiment)
    return experiment


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("train_cfg.max_iters", ("train_cfg", "max_iters")),
        ("param_scheduler[1].end", ("param_scheduler", 1, "end")),
        ("param_scheduler.1.end", ("param_scheduler", 1, "end")),
        ("param_scheduler[PolyLR].end", ("param_scheduler", "PolyLR", "end")),
        ("custom_hooks[-1].priority", ("custom_hooks", -1, "priority")),
    ],
)
def test_paths(text: str, parts: tuple[str | int, ...]) -> None:
    assert parse_path(text) == parts


def test_top_level_fields_of_a_section() -> None:
    loop = IterBasedTrainLoop(max_iters=100)
    longer = replace(loop, max_iters=200)
    assert (loop.max_iters, longer.max_iters, longer.val_interval) == (100, 200, 1000)


def test_nested_paths_apply_together_and_validate_once(quickstart: Experiment) -> None:
    # Either change alone breaks the schedule rule; together they are valid, in any order.
    changed = replace(quickstart, {"param_scheduler[PolyLR].end": 800, "train_cfg.max_iters": 800})
    assert isinstance(changed.train_cfg, IterBasedTrainLoop) and changed.train_cfg.max_iters == 800
    assert isinstance(changed.param_scheduler[1], PolyLR) and changed.param_scheduler[1].end == 800
    assert isinstance(quickstart.train_cfg, IterBasedTrainLoop)
    assert quickstart.train_cfg.max_iters == 400  # the original is untouched
    assert changed.default_hooks is quickstart.default_hooks  # untouched sections are shared, not copied


def test_a_change_that_breaks_a_cross_field_rule_is_refused(quickstart: Experiment) -> None:
    with pytest.raises(ConfigError) as info:
        replace(quickstart, {"train_cfg.max_iters": 800})
    [problem] = info.value.problems
    assert (problem.code, format_path(problem.path)) == ("schedule-ends-early", "param_scheduler[1].end")


def test_a_wrong_type_is_refused_with_the_full_path(quickstart: Experiment) -> None:
    with pytest.raises(ConfigError) as info:
        replace(quickstart, {"optim_wrapper.optimizer.lr": "fast"})
    [problem] = info.value.problems
    assert (problem.code, format_path(problem.path)) == ("invalid-value", "optim_wrapper.optimizer.lr")


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("train_cfg.max_iter", "unknown-key"),
        ("param_scheduler[7].end", "index-out-of-range"),
        ("param_scheduler[StepLR].end", "no-such-item"),
        ("auto_scale_lr.enable", "not-a-section"),
    ],
)
def test_bad_paths_are_named(quickstart: Experiment, path: str, code: str) -> None:
    with pytest.raises(ConfigError) as info:
        replace(quickstart, {path: 1})
    assert [p.code for p in info.value.problems] == [code]


def test_unknown_key_suggests_the_field() -> None:
    with pytest.raises(ConfigError) as info:
        replace(IterBasedTrainLoop(max_iters=10), {"max_iter": 5})
    assert info.value.problems[0].hint == "Did you mean 'max_iters'?"


def test_model_copy_would_not_have_validated(quickstart: Experiment) -> None:
    # Why replace exists: pydantic's model_copy stores anything.
    assert isinstance(quickstart.train_cfg, IterBasedTrainLoop)
    broken = quickstart.train_cfg.model_copy(update={"max_iters": "many"})
    assert broken.max_iters == "many"  # type: ignore[comparison-overlap]
    with pytest.raises(ConfigError):
        replace(quickstart.train_cfg, max_iters="many")
