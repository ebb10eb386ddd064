"""The generated optimizer models: fresh, faithful to torch's signatures, torch-free, and routed by type."""

from __future__ import annotations

import inspect
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from pydantic import BaseModel, TypeAdapter, ValidationError

from typedseg.codegen.optimizers import COMMAND, DEFAULT_OUT, generate_optimizers, main, optimizer_classes
from typedseg.config import optimizers
from typedseg.config.optimizers import (
    LBFGS,
    OPTIMIZER_TYPES,
    SGD,
    AdamW,
    OptimizerConfig,
    TorchAdafactor,
    UserOptimizer,
    optimizer_lr,
    optimizer_weight_decay,
)

ROOT = Path(__file__).resolve().parents[2]
ADAPTER: TypeAdapter[OptimizerConfig] = TypeAdapter(OptimizerConfig)


class Lion(UserOptimizer):
    """A user's optimizer from another package."""

    betas: tuple[float, float] = (0.9, 0.99)


def _committed() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in DEFAULT_OUT.glob("*.py")}


def test_committed_package_is_fresh() -> None:
    assert _committed() == generate_optimizers(), (
        f"{DEFAULT_OUT} is stale for torch {torch.__version__}; regenerate it with: {COMMAND}"
    )


def test_check_flag_reports_a_stale_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "optimizers"
    assert main(["--out", str(out), "--check"]) == 1
    assert COMMAND in capsys.readouterr().err
    assert main(["--out", str(out)]) == 0
    assert {path.name: path.read_text(encoding="utf-8") for path in out.glob("*.py")} == _committed()
    assert main(["--out", str(out), "--check"]) == 0
    (out / "adamw.py").write_text("# edited by hand\n", encoding="utf-8")
    (out / "lion.py").write_text("# an optimizer torch no longer has\n", encoding="utf-8")
    assert main(["--out", str(out), "--check"]) == 1
    assert main(["--out", str(out)]) == 0
    assert not (out / "lion.py").exists()
    assert main(["--out", str(out), "--check"]) == 0


def test_a_config_naming_one_optimizer_defines_only_that_one() -> None:
    code = (
        "import sys\n"
        "from typedseg.config.optimizers import AdamW\n"
        "print(sorted(m.rpartition('.')[2] for m in sys.modules if m.startswith('typedseg.config.optimizers.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "['adamw']"


def test_every_torch_optimizer_has_a_model_named_as_mmengine_registers_it() -> None:
    exported = {
        name
        for name in dir(torch.optim)
        if isinstance(obj := getattr(torch.optim, name), type)
        and issubclass(obj, torch.optim.Optimizer)
        and obj is not torch.optim.Optimizer
    }
    expected = {"TorchAdafactor" if name == "Adafactor" else name for name in exported}
    assert set(OPTIMIZER_TYPES) == expected == set(optimizer_classes())
    assert {"SGD", "Adam", "AdamW", "RMSprop", "LBFGS", "SparseAdam", "TorchAdafactor"} <= expected
    assert list(OPTIMIZER_TYPES) == sorted(OPTIMIZER_TYPES)


SOURCE = (DEFAULT_OUT / "sgd.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("type_name", sorted(optimizer_classes()))
def test_model_fields_equal_torch_signature(type_name: str) -> None:
    torch_class = optimizer_classes()[type_name]
    model: type[BaseModel] = getattr(optimizers, type_name)
    parameters = {
        name: p for name, p in inspect.signature(torch_class).parameters.items() if name != "params"
    }
    fields = {name: f for name, f in model.model_fields.items() if name != "type"}
    assert list(fields) == list(parameters), "an argument was dropped, renamed or reordered"
    for name, parameter in parameters.items():
        default = fields[name].default
        # torch writes `weight_decay: float = 0`; the model keeps the value as a float (0.0), as its type says.
        expected_type = float if fields[name].annotation is float else type(parameter.default)
        assert default == parameter.default and type(default) is expected_type, (
            f"{type_name}.{name}: model default {default!r}, torch default {parameter.default!r}"
        )
    assert model.model_fields["type"].default == type_name
    assert model().model_dump() == {"type": type_name, **{n: p.default for n, p in parameters.items()}}


def test_tensor_unions_become_numbers_and_docstrings_descriptions() -> None:
    assert SGD.model_fields["lr"].annotation is float
    assert SGD.model_fields["lr"].metadata[0].ge == 0.0  # torch refuses a negative lr
    assert AdamW.model_fields["betas"].annotation == tuple[float, float]
    assert TorchAdafactor.model_fields["eps"].annotation == tuple[float | None, float]
    # Attribute docstrings become descriptions in the JSON Schema (see typedseg.config.schema).
    assert (
        '    momentum: Annotated[float, Field(ge=0.0)] = 0.0\n    """momentum factor (default: 0)"""'
        in SOURCE
    )
    assert SGD.__doc__ is not None and SGD.__doc__.startswith("Implements stochastic gradient descent")
    with pytest.raises(ValidationError):
        SGD.model_validate({"lr": "0.1"})  # strict: a string is not a number


def test_generated_modules_never_import_torch() -> None:
    code = "import sys, typedseg.config.optimizers, typedseg.config.optim; print('torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"


def test_optimizer_config_routes_by_type() -> None:
    assert ADAPTER.validate_python({"type": "SGD", "lr": 0.01, "momentum": 0.9}) == SGD(lr=0.01, momentum=0.9)
    assert isinstance(ADAPTER.validate_python({"type": "TorchAdafactor"}), TorchAdafactor)
    user = ADAPTER.validate_python({"type": f"{__name__}.Lion", "lr": 1e-4, "betas": (0.95, 0.98)})
    assert isinstance(user, Lion)
    assert (user.lr, user.betas, user.type) == (1e-4, (0.95, 0.98), f"{__name__}.Lion")
    with pytest.raises(ValidationError):
        ADAPTER.validate_python({"type": "Adafactor"})  # MMEngine's name for torch's is TorchAdafactor


def test_lr_and_weight_decay_accessors() -> None:
    assert optimizer_lr(SGD(lr=0.01, weight_decay=5e-4)) == 0.01
    assert optimizer_weight_decay(SGD(lr=0.01, weight_decay=5e-4)) == 5e-4
    assert optimizer_weight_decay(AdamW()) == 0.01
    assert optimizer_lr(LBFGS()) == 1
    assert optimizer_weight_decay(LBFGS()) is None
    assert optimizer_lr(Lion()) is None and optimizer_weight_decay(Lion(weight_decay=0.1)) == 0.1


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(), reason="no ruff"
)
@pytest.mark.parametrize("name", sorted(generate_optimizers()))
def test_generated_text_is_ruff_clean(name: str) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    text = generate_optimizers()[name]
    for command in (["format", "--diff"], ["check"]):
        result = subprocess.run(
            [ruff, *command, "--stdin-filename", str(DEFAULT_OUT / name), "-"],
            input=text,
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
