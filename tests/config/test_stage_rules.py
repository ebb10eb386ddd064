"""A stage the Runner would run needs a model: `typedseg validate` reports it (stage-without-model), before a run."""

from __future__ import annotations

import textwrap
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from typedseg.loading import load_config
from typedseg.problems import ConfigError, Problem, format_path

QUICKSTART = "configs/quickstart.py"  # a model, and complete train, val and test stages
runner = CliRunner()

TRAINING_WITHOUT_MODEL = """\
# a training stage, and no model
train_dataloader:
  dataset:
    type: ADE20KDataset
    pipeline: [{type: LoadImageFromFile}, {type: LoadAnnotations}, {type: PackSegInputs}]
train_cfg: {type: EpochBasedTrainLoop, max_epochs: 12}
optim_wrapper: {optimizer: {type: SGD, lr: 0.01}}
"""


def _errors(*overrides: str, config: str = QUICKSTART) -> list[Problem]:
    try:
        load_config(config, list(overrides))
    except ConfigError as exc:
        return exc.errors
    return []


def test_validate_refuses_a_training_stage_without_a_model(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(TRAINING_WITHOUT_MODEL, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 2, result.output
    [line, summary] = result.output.splitlines()
    # the missing key is located at the document's first key (line 1 is a comment)
    assert line.startswith(f"{config}:2  model: the train stage is configured (train_dataloader, train_cfg, ")
    assert "there is no model to run it" in line
    assert line.endswith("  [stage-without-model]")
    assert summary == f"{config}: invalid (1 error)"


def test_a_python_config_is_located_at_its_experiment_call(tmp_path: Path) -> None:
    config = tmp_path / "train.py"
    config.write_text(
        textwrap.dedent(
            """\
            from typedseg.presets import ade20k, default_runtime, schedule_80k
            from typedseg.config.experiment import Experiment

            config = Experiment(
                **default_runtime().as_kwargs(), **schedule_80k().as_kwargs(), **ade20k().as_kwargs()
            )
            """
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(config)])
    assert result.exit_code == 2, result.output
    assert f"{config}:4  model: the train, val and test stages are configured" in result.output
    assert "  [stage-without-model]" in result.output


def test_every_complete_stage_is_named_and_an_override_is_blamed() -> None:
    [problem] = _errors("model=null")
    assert (problem.code, format_path(problem.path), problem.file) == (
        "stage-without-model",
        "model",
        "--set #1 'model=null'",
    )
    assert problem.message.startswith("the train, val and test stages are configured")
    evaluation = ("train_dataloader=null", "train_cfg=null", "optim_wrapper=null", "param_scheduler=[]")
    [problem] = _errors("model=null", *evaluation)
    assert problem.message.startswith("the val and test stages are configured")


def test_a_partial_stage_is_reported_as_incomplete_and_not_counted() -> None:
    errors = _errors("model=null", "test_evaluator=null")
    assert sorted(p.code for p in errors) == ["stage-without-model", "test-incomplete"]
    [problem] = [p for p in errors if p.code == "stage-without-model"]
    assert problem.message.startswith("the train and val stages are configured")


def test_no_complete_stage_or_a_model_needs_nothing(tmp_path: Path) -> None:
    assert _errors() == []  # the quickstart has its model
    fragment = tmp_path / "runtime.yaml"
    fragment.write_text("default_hooks:\n  logger: {interval: 10}\n", encoding="utf-8")
    assert load_config(fragment).experiment.model is None  # no stage: nothing would run, nothing to report
