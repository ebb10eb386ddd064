"""Every section and nested field that holds a kind reads as its kinds in jedi, mypy and pyright.

The lazy unions validate through `Annotated[Any, LazyUnion(...)]`; what type checkers and editors read is the plain
`A | B | ...` under `if TYPE_CHECKING:` (typedseg/config/unions.py, each family's `_unions`, and the section
modules). jedi reads neither `Annotated[...]` nor `if TYPE_CHECKING or ...`, and nothing after a two-kind alias
used with `| None`; these tests hold the form that all three read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import jedi
import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]

# (expression after PRELUDE: `config.*` reads a section, `model.*` the model narrowed to EncoderDecoder; fields it
#  must complete; kinds a type checker must see in it)
PROBES: list[tuple[str, set[str], set[str]]] = [
    ("config.model", {"backbone", "decode_head", "neck"}, {"EncoderDecoder", "UserModel"}),
    ("model.backbone", {"depth", "arch", "out_indices"}, {"ResNetV1c", "ConvNeXt", "UNet", "UserBackbone"}),
    ("model.decode_head", {"num_classes", "in_channels", "dilations"}, {"FCNHead", "UPerHead", "UserHead"}),
    ("model.auxiliary_head", {"num_classes", "in_index"}, {"FCNHead", "UserHead"}),
    ("model.neck", {"in_channels", "num_outs"}, {"FPN", "UserNeck"}),
    ("model.backbone.norm_cfg", {"requires_grad", "num_groups"}, {"BN", "SyncBN", "GN", "LN2d"}),
    ("model.backbone.act_cfg", {"inplace", "approximate"}, {"ReLU", "GELU"}),
    ("model.backbone.conv_cfg", {"type"}, {"Conv2d", "Conv"}),
    ("model.backbone.init_cfg", {"checkpoint", "layer", "std"}, {"PretrainedInit", "TruncNormalInit"}),
    ("model.decode_head.loss_decode", {"loss_weight", "use_sigmoid"}, {"CrossEntropyLoss", "DiceLoss"}),
    (
        "config.train_cfg",
        {"max_iters", "max_epochs", "val_interval"},
        {"IterBasedTrainLoop", "EpochBasedTrainLoop"},
    ),
    ("config.optim_wrapper", {"optimizer", "clip_grad", "loss_scale"}, {"OptimWrapper", "AmpOptimWrapper"}),
    ("config.optim_wrapper.optimizer", {"lr", "momentum", "betas"}, {"SGD", "AdamW", "UserOptimizer"}),
    ("config.optim_wrapper.clip_grad", {"max_norm", "clip_value"}, {"ClipGradNorm", "ClipGradValue"}),
    ("config.param_scheduler[0]", {"power", "eta_min", "begin"}, {"PolyLR", "LinearLR", "UserScheduler"}),
    ("config.custom_hooks[0]", {"momentum", "priority"}, {"EMAHook", "UserHook"}),
    ("config.val_evaluator", {"iou_metrics", "metrics"}, {"IoUMetric", "UserMetric"}),
    (
        "config.train_dataloader.dataset",
        {"data_root", "times", "datasets"},
        {"ADE20KDataset", "RepeatDataset"},
    ),
    ("config.train_dataloader.dataset.pipeline[0]", {"scale", "prob"}, {"Resize", "RandomFlip"}),
    ("config.visualizer", {"vis_backends", "alpha"}, {"Visualizer", "SegLocalVisualizer"}),
    (
        "config.visualizer.vis_backends[0]",
        {"save_dir", "init_kwargs"},
        {"LocalVisBackend", "WandbVisBackend"},
    ),
]

PRELUDE = """\
from typedseg.config.datasets import ADE20KDataset
from typedseg.config.experiment import Experiment
from typedseg.config.models.segmentor import EncoderDecoder

config = Experiment()
assert config.model is not None and config.train_cfg is not None and config.optim_wrapper is not None
assert config.val_evaluator is not None and config.train_dataloader is not None and config.visualizer is not None
assert config.optim_wrapper.clip_grad is not None and config.visualizer.vis_backends is not None
model = config.model
assert isinstance(model, EncoderDecoder) and model.neck is not None and model.auxiliary_head is not None
assert model.backbone.norm_cfg is not None and model.backbone.act_cfg is not None
assert model.backbone.conv_cfg is not None and model.backbone.init_cfg is not None
"""


@pytest.mark.parametrize(("probe", "fields", "kinds"), PROBES, ids=[p[0] for p in PROBES])
def test_jedi_completes_each_kind_field(probe: str, fields: set[str], kinds: set[str]) -> None:
    source = f"{PRELUDE}{probe}."
    lines = source.splitlines()
    script = jedi.Script(source, path=ROOT / "configs" / "_completion_probe.py", project=jedi.Project(ROOT))
    found = {c.name for c in script.complete(len(lines), len(lines[-1]))}
    assert fields <= found, sorted(found)


def _probe_file(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    lines = [*PRELUDE.splitlines()]
    at: dict[int, str] = {}
    for probe, _, _ in PROBES:
        lines.append(f"reveal_type({probe})")
        at[len(lines)] = probe
    path = tmp_path / "kinds_probe.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, at


def _revealed(output: str, path: Path, at: dict[int, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in output.splitlines():
        match = re.search(
            rf"{re.escape(path.name)}:(\d+):\d*:? ?.*?(?:Revealed type is|Type of .*? is) \"(.*)\"", line
        )
        if match and int(match.group(1)) in at:
            found[at[int(match.group(1))]] = match.group(2)
    return found


def _check(revealed: dict[str, str]) -> None:
    for probe, _, kinds in PROBES:
        names = set(re.findall(r"\w+", revealed.get(probe, "")))
        assert kinds <= names, f"{probe}: {revealed.get(probe)}"


def test_mypy_sees_each_kind(tmp_path: Path) -> None:
    path, at = _probe_file(tmp_path)
    stdout, _, _ = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            str(path),
        ]
    )
    _check(_revealed(stdout, path, at))


def _pyright() -> str | None:
    """basedpyright (PyPI, bundles pyright: nothing downloaded when it runs) or pyright, if installed."""
    configured = os.environ.get("TYPEDSEG_PYRIGHT")
    if configured:
        return configured
    for name in ("basedpyright", "pyright"):
        beside = Path(sys.executable).with_name(name)
        if beside.exists():
            return str(beside)
    return shutil.which("basedpyright")


def test_pyright_sees_each_kind(tmp_path: Path) -> None:
    pyright = _pyright()
    if pyright is None:
        pytest.skip("basedpyright is not installed (pip install -e '.[dev]' brings it)")
    path, at = _probe_file(tmp_path)
    (tmp_path / "pyrightconfig.json").write_text(
        f'{{"extraPaths": ["{ROOT}"], "typeCheckingMode": "basic"}}', encoding="utf-8"
    )
    env = dict(os.environ, VIRTUAL_ENV=str(Path(sys.executable).parent.parent))
    result = subprocess.run(
        [pyright, "--pythonpath", sys.executable, str(path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=600,
    )
    _check(_revealed(textwrap.dedent(result.stdout), path, at))
