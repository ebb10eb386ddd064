"""`typedseg new`: every combination it offers is a valid config; a representative set passes mypy --strict."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from mypy import api as mypy_api
from typer.testing import CliRunner

from cli.main import app
from typedseg.codegen.scaffold import (
    DATASETS,
    MODELS,
    OPTIMIZERS,
    SCHEDULES,
    ScaffoldError,
    new_config_source,
)
from typedseg.config.hooks import EMAHook
from typedseg.config.optim import AmpOptimWrapper, OptimWrapper
from typedseg.config.optimizers import SGD, AdamW
from typedseg.loading import load_config

ROOT = Path(__file__).resolve().parents[2]
COMBINATIONS = list(itertools.product(MODELS, DATASETS, SCHEDULES, OPTIMIZERS, (False, True), (False, True)))


def _name(model: str, dataset: str, schedule: str, optimizer: str, amp: bool, ema: bool) -> str:
    return f"{model}__{dataset}__{schedule}_{optimizer}{'_amp' if amp else ''}{'_ema' if ema else ''}.py"


def _representative() -> list[tuple[str, str, str, str, bool, bool]]:
    """Every value of every option at least once (8 files: one per model, the others cycled)."""
    datasets, schedules, optimizers = list(DATASETS), list(SCHEDULES), list(OPTIMIZERS)
    return [
        (model, datasets[i % 4], schedules[i % 5], optimizers[i % 2], i % 3 == 0, i % 4 == 1)
        for i, model in enumerate(MODELS)
    ]


def test_every_combination_loads_valid(tmp_path: Path) -> None:
    assert len(COMBINATIONS) == 8 * 4 * 5 * 2 * 2 * 2
    for combination in COMBINATIONS:
        path = tmp_path / _name(*combination)
        path.write_text(new_config_source(*combination), encoding="utf-8")
        loaded = load_config(path)  # raises ConfigError on any error; warnings are allowed
        _model, dataset, schedule, optimizer, amp, ema = combination
        experiment = loaded.experiment
        assert experiment.train_cfg.max_iters == int(schedule[:-1]) * 1000
        assert experiment.model.decode_head.num_classes == DATASETS[dataset].num_classes
        wrapper = experiment.optim_wrapper
        assert isinstance(wrapper, AmpOptimWrapper if amp else OptimWrapper)
        assert isinstance(wrapper.optimizer, AdamW if optimizer == "adamw" else SGD)
        assert any(isinstance(hook, EMAHook) for hook in experiment.custom_hooks) == ema


def test_representative_set_passes_mypy_strict_and_ruff_format(tmp_path: Path) -> None:
    combos = _representative()
    offered: list[object] = [MODELS, DATASETS, SCHEDULES, OPTIMIZERS, (False, True), (False, True)]
    for index, values in enumerate(offered):
        assert {combination[index] for combination in combos} == set(values)  # type: ignore[call-overload]
    out = tmp_path / "generated"
    out.mkdir()
    for combination in combos:
        (out / _name(*combination)).write_text(new_config_source(*combination), encoding="utf-8")
    (out / "quickstart.py").write_text(new_config_source(), encoding="utf-8")
    stdout, _, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / ".mypy"), str(out)]
    )
    assert status == 0, stdout


def test_no_options_is_the_quickstart(tmp_path: Path) -> None:
    path = tmp_path / "quickstart.py"
    path.write_text(new_config_source(), encoding="utf-8")
    assert load_config(path).experiment == load_config(ROOT / "configs" / "quickstart.py").experiment


def test_content_calls_the_chosen_presets() -> None:
    source = new_config_source("segformer_mit_b2", "pascal_voc12", "40k", "adamw", amp=True, ema=True)
    assert (
        "from typedseg.presets import MIT_CHECKPOINTS, default_runtime, pascal_voc12, schedule_40k," in source
    )
    assert "data = pascal_voc12(crop_size=CROP)\n" in source
    assert "schedule = schedule_40k()" in source
    assert (
        'model = segformer_mit_b2(NUM_CLASSES, checkpoint=MIT_CHECKPOINTS["b2"], crop_size=CROP)\n' in source
    )
    assert "CROP = (512, 512)  # (h, w): pascal_voc12's crop size" in source
    assert "NUM_CLASSES = 21  # Pascal VOC 2012\n" in source
    assert 'optim_wrapper = AmpOptimWrapper(optimizer=optimizer, loss_scale="dynamic")' in source
    assert "optimizer = AdamW(" in source
    assert "custom_hooks=[EMAHook(momentum=0.0002)]," in source
    plain = new_config_source(model="deeplabv3_r50_d8")
    assert "model = deeplabv3_r50_d8(NUM_CLASSES, crop_size=CROP)\n" in plain
    assert "data = cityscapes(crop_size=CROP)\n" in plain and "schedule_80k()" in plain
    assert "optim_wrapper = OptimWrapper(optimizer=optimizer)\n" in plain
    assert "EMAHook" not in plain and "AmpOptimWrapper" not in plain and "AdamW" not in plain
    assert "    PolyLR(eta_min=1e-4, power=0.9, begin=0, by_epoch=False),  # MMSeg's schedules" in plain
    unet = new_config_source("fcn_unet_s5_d16", "cityscapes_769x769")
    assert "CROP = (768, 768)  # (h, w): cityscapes_769x769's 769x769, cut to a multiple of 16" in unet


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "pspnet"}, r"unknown --model 'pspnet'; one of: fcn_r50_d8, deeplabv3_r50_d8"),
        ({"dataset": "coco"}, r"unknown --dataset 'coco'; one of: ade20k, cityscapes"),
        ({"schedule": "10k"}, r"unknown --schedule '10k'; one of: 20k, 40k, 80k, 160k, 320k"),
        ({"optimizer": "adam"}, r"unknown --optimizer 'adam'; one of: sgd, adamw"),
    ],
)
def test_unknown_choices_are_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        new_config_source(**kwargs)  # type: ignore[arg-type]


runner = CliRunner()


def test_cli_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "exp.py"
    result = runner.invoke(app, ["new", str(out)])
    assert result.exit_code == 2 and "[output-not-writable]" in result.output  # the folder must exist
    out.parent.mkdir()
    result = runner.invoke(
        app, ["new", str(out), "--model", "upernet_convnext", "--dataset", "ade20k", "--ema"]
    )
    assert result.exit_code == 0, result.output
    assert "model = upernet_convnext(NUM_CLASSES, crop_size=CROP)" in out.read_text(encoding="utf-8")
    out.write_text("# mine\n", encoding="utf-8")
    result = runner.invoke(app, ["new", str(out)])
    assert result.exit_code == 2
    assert "the file exists. Pass --force to replace it.  [output-exists]" in result.output
    assert out.read_text(encoding="utf-8") == "# mine\n"
    result = runner.invoke(app, ["new", str(out), "--force"])
    assert result.exit_code == 0
    assert load_config(out).experiment == load_config(ROOT / "configs" / "quickstart.py").experiment


def test_cli_unknown_choice_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "x.py"), "--schedule", "7k"])
    assert result.exit_code == 2
    assert "unknown --schedule '7k'" in result.output
    assert not (tmp_path / "x.py").exists()


def test_cli_list_shows_every_choice() -> None:
    result = runner.invoke(app, ["new", "--list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for choices in (MODELS, DATASETS, SCHEDULES, OPTIMIZERS):
        for name, choice in choices.items():
            assert any(line.split()[:1] == [name] and choice.description in line for line in lines), name
    assert "  upernet_convnext      UPerNet on ConvNeXt-base, ImageNet weights, auxiliary FCN head" in lines
    assert "--model (default fcn_r50_d8):" in lines


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
def test_scheduler_ends_follow_the_run(tmp_path: Path, optimizer: str) -> None:
    path = tmp_path / "exp.py"
    path.write_text(new_config_source(model="deeplabv3_r50_d8", optimizer=optimizer), encoding="utf-8")
    schedulers = load_config(path).experiment.param_scheduler
    assert schedulers[-1].type == "PolyLR" and schedulers[-1].end is None
    # A shorter or longer run needs no other change: the decay follows train_cfg.max_iters.
    for length in ("40000", "160000"):
        experiment = load_config(path, [f"train_cfg.max_iters={length}"]).experiment
        assert experiment.train_cfg.max_iters == int(length)


def test_the_new_page_shows_what_new_writes() -> None:
    page = (ROOT / "docs" / "cli" / "new.md").read_text(encoding="utf-8")
    command = (
        "$ typedseg new build/segformer_ade20k.py --model segformer_mit_b0 --dataset ade20k --schedule 160k"
    )
    assert f"{command} --optimizer adamw --amp --ema --force\n" in page
    shown = page.split("It writes:\n\n```python\n", 1)[1].split("```\n", 1)[0]
    assert shown == new_config_source("segformer_mit_b0", "ade20k", "160k", "adamw", amp=True, ema=True)
