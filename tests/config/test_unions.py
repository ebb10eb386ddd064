"""The lazy unions validate exactly like the real tagged unions they stand for, building only what is named."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from typedseg.config import unions
from typedseg.config.datasets._tagged import DatasetConfig as RealDatasetConfig
from typedseg.config.errors import model_tag, problems_from_validation, strip_annotated, union_members
from typedseg.config.hooks._tagged import CustomHookConfig as RealHookConfig
from typedseg.config.lazy import tags_of
from typedseg.config.models.segmentor import ModelConfig as RealModelConfig
from typedseg.config.optimizers import OPTIMIZER_TYPES
from typedseg.config.optimizers._tagged import OptimizerConfig as RealOptimizerConfig
from typedseg.config.schedulers._tagged import SchedulerConfig as RealSchedulerConfig
from typedseg.config.transforms import _TaggedTransformConfig as RealTransformConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("tags", "real"),
    [
        (unions.SCHEDULER_TAGS, RealSchedulerConfig),
        (unions.OPTIMIZER_TAGS, RealOptimizerConfig),
        (unions.HOOK_TAGS, RealHookConfig),
        (unions.MODEL_TAGS, RealModelConfig),
        (unions.DATASET_TAGS, RealDatasetConfig),
        (unions.TRANSFORM_TAGS, RealTransformConfig),
    ],
)
def test_lazy_tag_lists_equal_the_real_unions(tags: frozenset[str], real: object) -> None:
    assert tags == tags_of(real)


def test_layer_config_tag_lists_equal_the_real_unions() -> None:
    from typedseg.config.models.common import _unions as layer
    from typedseg.config.models.common._tagged import (
        _ActConfigUnion,
        _ConvConfigUnion,
        _InitializerUnion,
        _NormConfigUnion,
    )

    assert tags_of_members(_NormConfigUnion) == layer.NORM_TAGS
    assert tags_of_members(_ActConfigUnion) == layer.ACT_TAGS
    assert tags_of_members(_ConvConfigUnion) == layer.CONV_TAGS
    members = {
        model_tag(strip_annotated(m)): strip_annotated(m).__name__ for m in union_members(_InitializerUnion)
    }
    assert members == layer.INIT_CLASSES


def test_backbone_and_head_tag_lists_equal_the_real_unions() -> None:
    from typedseg.config.models.backbones import BACKBONE_TYPES
    from typedseg.config.models.backbones._tagged import _BackboneConfigUnion
    from typedseg.config.models.heads import HEAD_TYPES
    from typedseg.config.models.heads._tagged import _HeadConfigUnion

    assert tags_of(_BackboneConfigUnion) == BACKBONE_TYPES
    assert tags_of(_HeadConfigUnion) == HEAD_TYPES


def tags_of_members(union: object) -> frozenset[str]:
    """The `type` of each member of a union discriminated by the field `type`."""
    return frozenset(str(model_tag(strip_annotated(m))) for m in union_members(union))


def test_optimizer_tags_follow_the_generated_module() -> None:
    assert frozenset(OPTIMIZER_TYPES) == unions.OPTIMIZER_TAGS


CASES = [
    (
        unions.SchedulerConfig,
        RealSchedulerConfig,
        {"type": "PolyLR", "power": 0.9, "end": 100, "by_epoch": False},
    ),
    (unions.SchedulerConfig, RealSchedulerConfig, {"type": "PolyLR", "powr": 0.9}),
    (unions.SchedulerConfig, RealSchedulerConfig, {"type": "PolyLr"}),
    (unions.SchedulerConfig, RealSchedulerConfig, {"power": 1.0}),
    (unions.SchedulerConfig, RealSchedulerConfig, {"type": "LinearLR", "start_factor": 0.0}),
    (unions.OptimizerConfig, RealOptimizerConfig, {"type": "Adam", "momentum": 0.9}),
    (unions.OptimizerConfig, RealOptimizerConfig, {"type": "AdamW", "betas": [0.9, 0.99], "lr": "x"}),
    (unions.CustomHookConfig, RealHookConfig, {"type": "EMAHook", "momentum": 2.0}),
    (unions.CustomHookConfig, RealHookConfig, {"type": "CheckpointHook", "save_bset": "mIoU"}),
]


@pytest.mark.parametrize(("lazy", "real", "data"), CASES)
def test_lazy_and_real_unions_agree(lazy: Any, real: Any, data: dict[str, object]) -> None:
    outcomes = []
    for union in (lazy, real):
        adapter: TypeAdapter[object] = TypeAdapter(union)
        try:
            outcomes.append(("ok", adapter.validate_json(json.dumps(data))))
        except ValidationError as exc:
            # Same problems, as a user sees them (codes, paths, hints): the raw error objects may differ in wording.
            outcomes.append(
                ("error", [(p.code, p.path, p.hint) for p in problems_from_validation(exc, _Root(union))])
            )
    assert outcomes[0] == outcomes[1]


def _Root(union: Any) -> Any:  # a one-field model around the union, as an experiment holds it
    from typedseg.config.base import ConfigModel

    return type("Root", (ConfigModel,), {"__annotations__": {"value": union}, "__module__": __name__})


MINIMAL = """\
train_dataloader:
  dataset:
    type: ADE20KDataset
    pipeline: [{type: LoadImageFromFile}, {type: LoadAnnotations}, {type: PackSegInputs}]
train_cfg: {type: IterBasedTrainLoop, max_iters: 1000}
optim_wrapper: {optimizer: {type: SGD, lr: 0.01}}
log_processor: {by_epoch: false}
default_hooks:
  logger: {interval: 50, log_metric_by_epoch: false}
  checkpoint: {interval: 100, by_epoch: false}
"""

MODEL = """\
model:
  type: EncoderDecoder
  data_preprocessor: {mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], size_divisor: 16}
  backbone: {type: UNet}
  decode_head: {type: FCNHead, in_channels: 64, in_index: 4, channels: 64, num_classes: 150}
  test_cfg: {mode: whole}
"""


@pytest.mark.parametrize(
    ("text", "has_model"), [(MINIMAL, False), (MODEL + MINIMAL, True)], ids=["data", "model"]
)
def test_validating_a_yaml_config_builds_only_what_it_names(
    tmp_path: Path, text: str, has_model: bool
) -> None:
    config = tmp_path / "cfg.yaml"
    config.write_text(text, encoding="utf-8")
    code = (
        "import sys\n"
        "from typedseg.loading import load_config\n"
        "from typedseg.problems import ConfigError\n"
        "try:\n"
        f"    load_config({str(config)!r})\n"
        "except ConfigError as exc:\n"  # the model-less one: a training stage needs a model
        "    assert [p.code for p in exc.errors] == ['stage-without-model'], exc.errors\n"
        "print('typedseg.config.schedulers' in sys.modules)\n"
        "print('typedseg.config.models' in sys.modules)\n"
        "from typedseg.config import optimizers\n"
        "print(optimizers.SGD.__pydantic_complete__, optimizers.AdamW.__pydantic_complete__)\n"
    )
    # A fresh process: nothing else has built the models first.
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    # No param_scheduler: no scheduler module; the model families only for a config with a `model` section (the
    # one without is refused, stage-without-model, and still builds no model family).
    assert result.stdout.split() == ["False", str(has_model), "True", "False"]
