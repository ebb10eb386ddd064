"""Static typing and editor completion of configs: mypy catches mistakes, jedi completes real field names."""

from __future__ import annotations

import textwrap
from pathlib import Path

import jedi
import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]

MISTAKES = """\
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.models.backbones import ResNetV1c
from typedseg.config.models.heads import FCNHead
from typedseg.config.optimizers import SGD, AdamW
from typedseg.config.schedulers import PolyLR
from typedseg.presets import cityscapes, fcn_r50_d8, upernet_convnext

IterBasedTrainLoop(max_iters="80k")  # E: wrong type
CheckpointHook(save_bset="mIoU")  # E: typo
AdamW(lr=1e-4, momentum=0.9)  # E: argument of another optimizer
PolyLR(power="0.9")  # E: wrong type
config = Experiment(train_cfg=IterBasedTrainLoop(max_iters=10))
config.default_hooks.chekpoint  # E: typo in attribute
x: str = config.default_hooks.checkpoint.interval  # E: int is not str
FCNHead(in_channels=2048, channels=512, num_classes="19")  # E: wrong type in a head
ResNetV1c(depth=50, dilation=(1, 1, 2, 4))  # E: wrong backbone argument (dilations)
ResNetV1c(depth=51)  # E: not a ResNet depth
ResNetV1c(depth=50, deep_stem=True)  # E: fixed by the variant, not an argument
fcn_r50_d8(num_classes="19")  # E: a preset's parameters are typed too
upernet_convnext(arch="huge")  # E: MMSeg has no UPerNet for ConvNeXt-huge
cityscapes(crop_size=512)  # E: crop_size is (h, w)
SGD(lr=0.01, momentum=0.9, weight_decay=5e-4)
DefaultHooks(checkpoint=CheckpointHook(interval=8000, by_epoch=False))
FCNHead(in_channels=2048, channels=512, num_classes=19)
ResNetV1c(depth=50, dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1))
"""


def test_mypy_reports_each_mistake_in_a_config(tmp_path: Path) -> None:
    config = tmp_path / "mistakes.py"
    config.write_text(MISTAKES, encoding="utf-8")
    stdout, _, status = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            str(config),
        ]
    )
    expected = {number for number, line in enumerate(MISTAKES.splitlines(), start=1) if "# E:" in line}
    reported = {int(line.split(":")[1]) for line in stdout.splitlines() if line.startswith(str(config))}
    assert status == 1
    assert reported == expected, stdout


def _completions(source: str) -> set[str]:
    source = textwrap.dedent(source)
    lines = source.splitlines()
    script = jedi.Script(source, path=ROOT / "configs" / "_completion_probe.py", project=jedi.Project(ROOT))
    return {c.name for c in script.complete(len(lines), len(lines[-1]))}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            """\
            from typedseg.config.hooks import CheckpointHook
            CheckpointHook(""",
            {"interval=", "by_epoch=", "save_best=", "max_keep_ckpts=", "save_last=", "rule="},
        ),
        (
            """\
            from typedseg.config.experiment import Experiment
            config = Experiment()
            config.default_hooks.""",
            {"checkpoint", "logger", "timer", "param_scheduler", "sampler_seed", "visualization"},
        ),
        (
            """\
            from typedseg.config.experiment import Experiment
            config = Experiment()
            config.default_hooks.checkpoint.""",
            {"interval", "by_epoch", "save_best", "max_keep_ckpts"},
        ),
        (
            """\
            from typedseg.config.optimizers import AdamW
            AdamW(""",
            {"lr=", "betas=", "weight_decay=", "amsgrad="},
        ),
        # The model reached other ways than `config.model.` (which test_kind_views.py checks with every other
        # section): narrowed by isinstance, a variable annotated as EncoderDecoder, and a preset's return value.
        # `decode_head` is the union of the heads (HeadConfig), so its completions are every head's fields.
        (
            """\
            from typedseg.config.experiment import Experiment
            from typedseg.config.models.segmentor import EncoderDecoder
            config = Experiment()
            model = config.model
            assert isinstance(model, EncoderDecoder)
            model.decode_head.""",
            {"num_classes", "in_channels", "channels", "loss_decode", "ignore_index"},
        ),
        (
            """\
            from typedseg.config.models.segmentor import EncoderDecoder
            def edit(model: EncoderDecoder) -> None:
                model.decode_head.""",
            {"num_classes", "in_channels", "channels", "loss_decode", "ignore_index"},
        ),
        (
            """\
            from typedseg.presets import fcn_r50_d8
            model = fcn_r50_d8()
            model.decode_head.""",
            {"num_classes", "in_channels", "channels", "loss_decode", "ignore_index"},
        ),
        (
            """\
            from typedseg.presets import upernet_convnext
            upernet_convnext().backbone.""",
            {"arch", "drop_path_rate", "out_indices", "gap_before_final_norm"},
        ),
        (  # names of a lazy family package, each defined in its own module
            """\
            from typedseg.config.schedulers import Pol""",
            {"PolyLR", "PolyLRRatio", "PolyMomentum", "PolyParamScheduler"},
        ),
        (
            """\
            from typedseg.config.optimizers import AdamW
            AdamW().""",
            {"lr", "betas", "weight_decay", "amsgrad"},
        ),
        (
            """\
            from typedseg.presets import cityscapes
            cityscapes().""",
            {"train_dataloader", "val_dataloader", "train_pipeline", "tta_pipeline", "as_kwargs"},
        ),
    ],
)
def test_jedi_completes_real_field_names(source: str, expected: set[str]) -> None:
    found = _completions(source)
    assert expected <= found, sorted(found)
