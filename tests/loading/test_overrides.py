"""`--set PATH=VALUE`: typed by the field, variant switches, selectors, all applied together."""

from __future__ import annotations

from pathlib import Path as FilePath

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


@pytest.mark.parametrize("order", [1, -1])
def test_fields_one_validator_reads_together_in_any_order(order: int) -> None:
    # ResNet's own validator refuses stage_with_dcn without dcn: checked alone, the second override would fail.
    overrides = ["model.backbone.dcn={type: DCN}", "model.backbone.stage_with_dcn=[false, true, true, true]"]
    exp = load_config("configs/fcn_r50-d8_4xb2-80k_cityscapes-512x1024.py", overrides[::order]).experiment
    assert exp.model.backbone.dcn.type == "DCN"
    assert exp.model.backbone.stage_with_dcn == (False, True, True, True)
    with pytest.raises(ConfigError) as info:
        load_config("configs/fcn_r50-d8_4xb2-80k_cityscapes-512x1024.py", overrides[1:])
    assert [p.code for p in info.value.errors] == ["stage-with-dcn-unused"]


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


# --- hostile or odd values: one clear problem each, never a traceback, never a silent change ---------------------


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ("optim_wrapper.optimizer.lr=[0.1", "invalid-override"),  # YAML syntax error in the value
        ("optim_wrapper.optimizer.lr={a: [}", "invalid-override"),
        ("param_scheduler[²].end=5", "invalid-path"),
        ("param_scheduler.--1.end=5", "invalid-path"),
        ("train_cfg.max_iters=" + "[" * 600 + "]" * 600, "invalid-override"),
        ("optim_wrapper.optimizer.lr=!!python/object:os.system 1", "yaml-tag-refused"),
        ("work_dir=!!binary aGVsbG8=", "yaml-tag-refused"),
        ("work_dir=#scratch", "invalid-override"),
        ("optim_wrapper.optimizer.lr=0.1 # fast", "invalid-override"),
        ("optim_wrapper.optimizer.lr=&a 0.1", "invalid-override"),
        ("optim_wrapper.optimizer.betas=[&a 0.9, *a]", "invalid-override"),
    ],
)
def test_odd_values_are_one_clear_problem(override: str, code: str) -> None:
    found = problems(override)
    assert [p.code for p in found] == [code], [(p.code, p.message) for p in found]
    assert found[0].file is not None and found[0].file.startswith("--set #1")


def test_quoted_hash_and_ampersand_are_plain_text() -> None:
    assert load("work_dir='#scratch'").work_dir == "#scratch"
    assert load("work_dir=runs#1").work_dir == "runs#1"  # not a comment: no space before '#'
    assert load("experiment_name=a&b").experiment_name == "a&b"


def test_every_bad_override_is_reported_once() -> None:
    found = problems(
        "train_cfg.max_iter=5",
        "optim_wrapper.optimizer.lr=fast",
        "param_scheduler[9].end=5",
        "train_dataloader.batch_size=0",
        "nonsense",
    )
    assert sorted((p.code, p.file) for p in found) == sorted(
        [
            ("unknown-key", "--set #1 'train_cfg.max_iter=5'"),
            ("invalid-value", "--set #2 'optim_wrapper.optimizer.lr=fast'"),
            ("index-out-of-range", "--set #3 'param_scheduler[9].end=5'"),
            ("invalid-value", "--set #4 'train_dataloader.batch_size=0'"),
            ("invalid-override", "--set #5 'nonsense'"),
        ]
    )


def test_warnings_are_kept_beside_errors() -> None:
    # val_interval=1000 > 400 iterations is a warning; lr=fast an error: both are reported.
    found = problems("train_cfg.val_interval=1000", "optim_wrapper.optimizer.lr=fast")
    assert sorted((p.code, p.severity) for p in found) == [
        ("invalid-value", "error"),
        ("val-interval-exceeds-run", "warning"),
    ]


BROKEN_RULE = "tests/broken/schedulers-poly-end-past-run.yaml"  # PolyLR end=500 with max_iters=400


def test_overrides_apply_to_a_file_that_breaks_a_rule() -> None:
    with pytest.raises(ConfigError):
        load_config(BROKEN_RULE)
    fixed = load_config(BROKEN_RULE, ["train_cfg.max_iters=500"]).experiment
    assert fixed.train_cfg.max_iters == 500


def test_overrides_apply_to_a_python_file_that_breaks_a_rule() -> None:
    broken = "tests/broken/schedulers-poly-end-past-run.py"
    with pytest.raises(ConfigError):
        load_config(broken)
    assert load_config(broken, ["train_cfg.max_iters=500"]).experiment.train_cfg.max_iters == 500


def test_overrides_apply_to_a_data_file_with_a_bad_value(tmp_path: FilePath) -> None:
    config = tmp_path / "config.yaml"
    text = (
        FilePath(BROKEN_RULE).read_text(encoding="utf-8").replace("max_iters: 400", "max_iters: four hundred")
    )
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert [p.code for p in info.value.problems] == ["invalid-value"]
    assert load_config(config, ["train_cfg.max_iters=500"]).experiment.train_cfg.max_iters == 500
    # A bad value the overrides do not touch is still reported at its line in the file.
    with pytest.raises(ConfigError) as info:
        load_config(config, ["optim_wrapper.optimizer.lr=0.1"])
    [problem] = info.value.problems
    assert (problem.code, problem.file, problem.line) == ("invalid-value", str(config), 13)
