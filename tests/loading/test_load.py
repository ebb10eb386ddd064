"""Loading Python, YAML and JSON configs: equal results, and every mistake located at its FILE:LINE."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from typedseg.config.experiment import Experiment
from typedseg.loading import load_config
from typedseg.loading.dump import to_json, to_python, to_yaml
from typedseg.problems import ConfigError, Problem, format_path

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "configs" / "quickstart.py"

HEADER = """\
from typedseg.config.data import DataLoaderConfig
from typedseg.config.datasets import ADE20KDataset
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks, LoggerHook
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD, AdamW
from typedseg.config.runtime import LogProcessor
from typedseg.config.schedulers import LinearLR, PolyLR
from typedseg.config.transforms import LoadAnnotations, LoadImageFromFile, PackSegInputs
from typedseg.presets import fcn_unet_s5_d16
"""


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def problems_of(path: Path, overrides: tuple[str, ...] = ()) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    return info.value.problems


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_quickstart_loads_in_every_format_to_an_equal_experiment(tmp_path: Path) -> None:
    original = load_config(QUICKSTART).experiment
    assert isinstance(original, Experiment)
    for name, text in (
        ("q.yaml", to_yaml(original)),
        ("q.json", to_json(original)),
        ("q.py", to_python(original)),
    ):
        copy = load_config(write(tmp_path, name, text)).experiment
        assert copy == original, name
        assert to_json(copy) == to_json(original)


def test_a_changed_value_makes_configs_unequal() -> None:
    original = load_config(QUICKSTART).experiment
    changed = load_config(QUICKSTART, ["optim_wrapper.optimizer.lr=0.02"]).experiment
    assert changed != original
    assert changed.optim_wrapper.optimizer.lr == 0.02


CROSS_FIELD = (
    HEADER
    + """
dataset = ADE20KDataset(pipeline=[LoadImageFromFile(), LoadAnnotations(), PackSegInputs()])
config = Experiment(
    model=fcn_unet_s5_d16(num_classes=150, crop_size=(256, 256)),
    train_dataloader=DataLoaderConfig(dataset=dataset),
    train_cfg=IterBasedTrainLoop(max_iters=80000),
    optim_wrapper=OptimWrapper(optimizer=SGD(lr=0.01)),
    param_scheduler=[
        LinearLR(start_factor=1e-6, begin=0, end=1500, by_epoch=False),
        PolyLR(
            eta_min=0.0,
            begin=1500,
            end=40000,
            by_epoch=False,
        ),
    ],
    log_processor=LogProcessor(by_epoch=False),
    default_hooks=DefaultHooks(
        logger=LoggerHook(interval=50, log_metric_by_epoch=False),
        checkpoint=CheckpointHook(by_epoch=False, interval=8000),
    ),
)
"""
)


def test_cross_field_problem_points_at_the_keyword_line(tmp_path: Path) -> None:
    path = write(tmp_path, "cfg.py", CROSS_FIELD)
    [problem] = problems_of(path)
    assert (problem.code, format_path(problem.path)) == ("schedule-ends-early", "param_scheduler[1].end")
    assert problem.file == str(path.resolve())
    assert problem.line == line_of(path, "end=40000")
    assert "40000" in problem.message and "80000" in problem.message


def test_objects_built_on_other_lines_are_followed(tmp_path: Path) -> None:
    body = CROSS_FIELD.replace(
        "config = Experiment(",
        "poly = PolyLR(eta_min=0.0, begin=1500, end=40000, by_epoch=False)\nconfig = Experiment(",
    )
    body = body.replace(
        """        PolyLR(
            eta_min=0.0,
            begin=1500,
            end=40000,
            by_epoch=False,
        ),""",
        "        poly,",
    )
    path = write(tmp_path, "cfg.py", body)
    [problem] = problems_of(path)
    assert problem.line == line_of(path, "poly = PolyLR(")


def test_problem_in_a_nested_construction_has_the_path_from_the_root(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cfg.py",
        HEADER
        + """
config = Experiment(
    optim_wrapper=OptimWrapper(
        optimizer=AdamW(
            lr=1e-4,
            momentum=0.9,
        ),
    ),
)
""",
    )
    [problem] = problems_of(path)
    assert (problem.code, problem.path) == ("unknown-key", ("optim_wrapper", "optimizer", "momentum"))
    assert problem.line == line_of(path, "momentum=0.9")
    assert "SGD" in problem.hint and "AdamW does not" in problem.hint


def test_objects_built_in_a_variable_get_the_path_where_the_config_uses_them(tmp_path: Path) -> None:
    body = (
        HEADER
        + "\nopt = AdamW(lr=1e-4, momentum=0.9)\nconfig = Experiment(optim_wrapper=OptimWrapper(optimizer=opt))\n"
    )
    path = write(tmp_path, "cfg.py", body)
    [problem] = problems_of(path)
    assert (problem.path, problem.line) == (
        ("optim_wrapper", "optimizer", "momentum"),
        line_of(path, "opt = "),
    )


def test_objects_built_out_of_sight_are_named_by_their_class(tmp_path: Path) -> None:
    helper = "\ndef opt() -> AdamW:\n    return AdamW(lr=1e-4, momentum=0.9)\n\n\n"
    body = HEADER + helper + "config = Experiment(optim_wrapper=OptimWrapper(optimizer=opt()))\n"
    path = write(tmp_path, "cfg.py", body)
    [problem] = problems_of(path)
    assert (problem.path, problem.line) == (("AdamW", "momentum"), line_of(path, "return AdamW"))


def test_default_values_in_a_rule_point_at_the_experiment_call(tmp_path: Path) -> None:
    # log_processor is left at its default (by_epoch=True) under an iteration loop: no line sets it.
    path = write(
        tmp_path,
        "cfg.py",
        CROSS_FIELD.replace("end=40000", "end=80000").replace(
            "    log_processor=LogProcessor(by_epoch=False),\n", ""
        ),
    )
    [problem] = problems_of(path)
    assert (problem.code, format_path(problem.path)) == ("log-by-epoch-mismatch", "log_processor.by_epoch")
    assert problem.line == line_of(path, "config = Experiment(")


YAML = """\
train_dataloader:
  dataset:
    type: ADE20KDataset
    pipeline: [{type: LoadImageFromFile}, {type: LoadAnnotations}, {type: PackSegInputs}]
train_cfg:
  type: IterBasedTrainLoop
  max_iters: 80000
optim_wrapper:
  optimizer: {type: AdamW, lr: 6e-5, betas: [0.9, 0.999], weight_decay: 0.01}
param_scheduler:
  - {type: LinearLR, start_factor: 1.0e-6, by_epoch: false, begin: 0, end: 1500}
  - type: PolyLR
    power: 1.0
    begin: 1500
    end: 80000
    by_epoch: false
log_processor: {by_epoch: false}
default_hooks:
  logger: {interval: 50, log_metric_by_epoch: false}
  checkpoint: {by_epoch: false, interval: 8000}
model:  # a training stage needs a model (stage-without-model)
  type: EncoderDecoder
  data_preprocessor: {type: SegDataPreProcessor, mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375],
                      size_divisor: 32}
  backbone: {type: ResNetV1c, depth: 18}
  decode_head: {type: FCNHead, in_channels: 512, channels: 128, num_classes: 150}
  test_cfg: {mode: whole}
"""


def test_yaml_with_yaml_1_2_numbers_and_tuples_loads(tmp_path: Path) -> None:
    exp = load_config(write(tmp_path, "cfg.yaml", YAML)).experiment
    assert exp.optim_wrapper.optimizer.lr == 6e-5
    assert exp.optim_wrapper.optimizer.betas == (0.9, 0.999)
    assert exp.param_scheduler[0].start_factor == 1e-6


@pytest.mark.parametrize(
    ("change", "code", "path", "needle"),
    [
        (("max_iters: 80000", "max_iters: '80000'"), "invalid-value", "train_cfg.max_iters", "max_iters"),
        (("    power: 1.0", "    powr: 1.0"), "unknown-key", "param_scheduler[1].powr", "powr"),
        (("  - type: PolyLR", "  - type: PolyLr"), "unknown-type", "param_scheduler[1]", "PolyLr"),
        (("    end: 80000", "    end: 40000"), "schedule-ends-early", "param_scheduler[1].end", "end: 40000"),
        (("  logger:", "  loger:"), "unknown-key", "default_hooks.loger", "loger"),
    ],
)
def test_yaml_problems_are_located_at_the_key(
    tmp_path: Path, change: tuple[str, str], code: str, path: str, needle: str
) -> None:
    assert change[0] in YAML
    file = write(tmp_path, "cfg.yaml", YAML.replace(*change))
    [problem] = problems_of(file)
    assert (problem.code, format_path(problem.path)) == (code, path)
    assert problem.line == line_of(file, needle)


def test_unknown_type_suggests_the_right_one(tmp_path: Path) -> None:
    [problem] = problems_of(write(tmp_path, "cfg.yaml", YAML.replace("type: PolyLR", "type: PolyLr")))
    assert problem.hint == "Did you mean 'PolyLR'?"


def test_json_problems_are_located(tmp_path: Path) -> None:
    exp = load_config(write(tmp_path, "ok.yaml", YAML)).experiment
    text = to_json(exp).replace('"max_iters": 80000', '"max_iter": 80000')
    file = write(tmp_path, "cfg.json", text)
    [problem] = problems_of(file)
    assert (problem.code, format_path(problem.path), problem.hint) == (
        "unknown-key",
        "train_cfg.max_iter",
        "Did you mean 'max_iters'?",
    )
    assert problem.line == line_of(file, '"max_iter"')


@pytest.mark.parametrize(
    ("name", "text", "code", "line"),
    [
        ("bad.py", "config = (\n", "syntax-error", 1),
        ("bad.yaml", "a: [1, 2\nb: 3\n", "syntax-error", 2),
        ("bad.json", '{"a": 1,\n "b": }\n', "syntax-error", 2),
        ("bad.py", "import os\nconfig = undefined_name\n", "config-raised", 2),
        ("bad.py", "x = 1\n", "no-config", 1),
        ("bad.py", "x = 1\nconfig = 3\n", "not-an-experiment", 2),
        ("bad.yaml", "- 1\n- 2\n", "not-a-mapping", 1),
        ("bad.yaml", "train_cfg: !!python/object/apply:os.system ['true']\n", "yaml-tag-refused", 1),
        ("bad.py", "import sys\nsys.exit(3)\n", "config-raised", 2),
        ("bad.yaml", "custom_hooks:\n  - {type: '...'}\n", "user-type-import", 2),
        ("bad.yaml", "optim_wrapper: {optimizer: {type: SGD, lr: .inf}}\n", "invalid-value", 1),
    ],
)
def test_file_level_mistakes(tmp_path: Path, name: str, text: str, code: str, line: int | None) -> None:
    [problem] = problems_of(write(tmp_path, name, text))
    assert (problem.code, problem.line) == (code, line)


def test_a_file_that_is_not_text(tmp_path: Path) -> None:
    for name in ("bad.yaml", "bad.py"):
        path = tmp_path / name
        path.write_bytes(b"\xff\xfe\x00junk")
        [problem] = problems_of(path)
        assert problem.code == "not-text"


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    [missing] = problems_of(tmp_path / "nope.py")
    assert missing.code == "missing-file"
    [unknown] = problems_of(write(tmp_path, "cfg.toml", "x = 1\n"))
    assert unknown.code == "unknown-format"


def test_every_field_error_of_one_section_is_reported_at_once(tmp_path: Path) -> None:
    text = YAML.replace("max_iters: 80000", "max_iters: 0\n  val_intervl: 5").replace("lr: 6e-5", "lr: fast")
    problems = problems_of(write(tmp_path, "cfg.yaml", text))
    assert sorted(format_path(p.path) for p in problems) == [
        "optim_wrapper.optimizer.lr",
        "train_cfg.max_iters",
        "train_cfg.val_intervl",
    ]


def test_model_errors_in_yaml_have_the_config_path_and_line(tmp_path: Path) -> None:
    text = """\
model:
  type: EncoderDecoder
  backbone: {type: ResNetV1c, depth: 50}
  decode_head:
    type: ASPPHead
    in_channels: 2048
    channels: 512
    num_classes: 19
    dilations: []
"""
    [problem] = problems_of(write(tmp_path, "cfg.yaml", text))
    assert (problem.code, format_path(problem.path), problem.line) == (
        "aspp-no-dilations",
        "model.decode_head.dilations",
        9,
    )
