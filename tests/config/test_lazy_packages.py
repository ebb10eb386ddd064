"""Family packages load lazily, and what type checkers see is what the runtime gives.

Each family package (`typedseg.config.schedulers`, `.datasets`, `.hooks`, `.optimizers`, `.models.common`,
`.models.backbones`, `.models.heads`) and `typedseg.presets` exports every name in its `if TYPE_CHECKING:` imports
(for mypy and editors) and in its `lazy_exports` map (for the runtime); both are generated
(typedseg.codegen.families, .optimizers). These tests keep the two equal and check that a config loads only the
modules of the classes it names.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "typedseg.config.schedulers",
    "typedseg.config.datasets",
    "typedseg.config.hooks",
    "typedseg.config.optimizers",
    "typedseg.config.models.common",
    "typedseg.config.models.backbones",
    "typedseg.config.models.heads",
    "typedseg.presets",
]
LAZY_VIEWS = {"typedseg.config.unions"}
"""Modules a package may map a union to at run time: the lazy view of the real union type checkers see."""


def _type_checking_imports(package: str) -> dict[str, str]:
    """name -> module, from the package's `if TYPE_CHECKING:` block."""
    source = Path(importlib.import_module(package).__file__ or "").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module is not None
                for alias in statement.names:
                    assert alias.asname == alias.name, "re-export as `X as X` (mypy --strict)"
                    found[alias.name] = statement.module
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checkers_and_the_runtime_see_the_same_names(package: str) -> None:
    module = importlib.import_module(package)
    runtime: dict[str, str] = vars(module)["__getattr__"].exports
    static = _type_checking_imports(package)
    assert set(runtime) == set(static)
    for name, where in runtime.items():
        assert where == static[name] or where in LAZY_VIEWS or where.endswith("._unions"), name
        assert getattr(module, name) is not None
    assert set(runtime) <= set(dir(module))


@pytest.mark.parametrize("package", PACKAGES)
def test_an_unknown_name_is_an_attribute_error(package: str) -> None:
    assert not hasattr(importlib.import_module(package), "Nope")  # an AttributeError, as for any module


def test_a_config_loads_only_the_families_it_names() -> None:
    code = (
        "import json, sys\n"
        "from typedseg.loading import load_config\n"
        "load_config('configs/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('typedseg.config.'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    loaded = set(json.loads(result.stdout))
    named = {
        "typedseg.config.schedulers.linear",
        "typedseg.config.schedulers.poly",
        "typedseg.config.optimizers.adamw",
        "typedseg.config.models.backbones.convnext",
        "typedseg.config.models.heads.uper",
        "typedseg.config.models.heads.fcn",
        "typedseg.config.hooks.default",
    }
    assert named <= loaded
    unused = {
        "typedseg.config.schedulers.one_cycle",
        "typedseg.config.schedulers.cosine_annealing",
        "typedseg.config.schedulers._tagged",
        "typedseg.config.optimizers.adam",
        "typedseg.config.optimizers._tagged",
        "typedseg.config.models.backbones.resnet",
        "typedseg.config.models.backbones.unet",
        "typedseg.config.models.backbones.mit",
        "typedseg.config.models.heads.aspp",
        "typedseg.config.models.heads.segformer",
        "typedseg.config.models.common.conv",
        "typedseg.config.hooks.ema",
        "typedseg.config.hooks.profiler",
        "typedseg.config.hooks._tagged",
        "typedseg.config.datasets.wrappers",
        "typedseg.config.datasets._tagged",
        "typedseg.config.datasets.cityscapes",
    }
    assert not (unused & loaded)


def test_rules_ask_the_kinds_a_config_uses_and_import_no_other() -> None:
    # The rules ask a hook, backbone, head, neck or dataset through its family's base class (`check_run()`,
    # `input_divisor()`, `wrapped()`, ...), so a config that uses UNet, an EMA hook and a ConcatDataset gets their
    # rules, and a config without them imports none of their modules (the test above).
    code = (
        "import sys\n"
        "from typedseg.config.datasets import ConcatDataset, ADE20KDataset\n"
        "from typedseg.config.hooks import EMAHook\n"
        "from typedseg.config.loops import IterBasedTrainLoop\n"
        "from typedseg.config.rules.data import check_dataset, dataset_classes\n"
        "from typedseg.config.rules.hooks import check_hooks\n"
        "from typedseg.config.hooks.default import DefaultHooks\n"
        "wrapped = ConcatDataset(datasets=[ADE20KDataset(filter_cfg={}), ADE20KDataset()])\n"
        "print([p.path for p in check_dataset(('train_dataloader', 'dataset'), wrapped)][:1])\n"
        "print(len(dataset_classes(wrapped)))\n"
        "loop = IterBasedTrainLoop(max_iters=100)\n"
        "found = check_hooks(DefaultHooks(), [EMAHook(begin_iter=500)], loop, metrics=None)\n"
        "print([(p.code, p.path) for p in found if p.path[0] == 'custom_hooks'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.splitlines() == [
        "[('train_dataloader', 'dataset', 'datasets', 0, 'filter_cfg')]",
        "150",
        "[('starts-after-run', ('custom_hooks', 0, 'begin_iter'))]",
    ]


def test_written_python_imports_from_the_family_package() -> None:
    from typedseg.config.lazy import public_module
    from typedseg.config.models.backbones import ConvNeXt
    from typedseg.config.schedulers import PolyLR
    from typedseg.config.schedulers._base import UserScheduler

    assert public_module(PolyLR) == "typedseg.config.schedulers"
    assert public_module(ConvNeXt) == "typedseg.config.models.backbones"
    assert public_module(UserScheduler) == "typedseg.config.schedulers"
    assert public_module(Path) == "pathlib"


def test_known_types_in_a_fresh_process_cover_the_lazy_packages() -> None:
    # The importer's list of supported types walks the families; a lazy package's namespace holds only the names
    # asked of it so far, so the walk must reach the submodules (a fresh process has asked for none).
    code = (
        "from typedseg.migrate.supported import known_types\n"
        "k = known_types()\n"
        "print(len(k), all(t in k for t in ('PolyLR', 'OneCycleParamScheduler', 'AdamW', 'EMAHook', 'SyncBN', "
        "'GELU', 'Kaiming', 'ConvNeXt', 'UPerHead', 'FPN', 'CityscapesDataset', 'RepeatDataset')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    count, covered = result.stdout.split()
    assert covered == "True"
    assert int(count) == 146  # 145 config types, and MMDistributedDataParallel (model_wrapper_cfg)


@pytest.mark.parametrize(
    "module",
    [
        "typedseg.config.schedulers._tagged",
        "typedseg.config.optimizers._tagged",
        "typedseg.config.hooks._tagged",
        "typedseg.config.datasets._tagged",
        "typedseg.config.models.common._tagged",
        "typedseg.config.models.backbones._tagged",
        "typedseg.config.models.heads._tagged",
        "typedseg.config.models.common._overrides",
        "typedseg.config.models.common.init",
    ],
)
def test_a_real_union_module_imports_first_in_schema_mode(module: str) -> None:
    # In the schema export the lazy views import the real unions; a real union that took its tag list from its
    # lazy view made an import cycle when imported first.
    env = {**os.environ, "TYPEDSEG_FIELD_DOCS": "1"}
    subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env, check=True, capture_output=True
    )
