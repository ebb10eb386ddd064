"""Generate `typedseg/config/optimizers/`: a config model per optimizer exported by the installed torch.

The models are read from torch's own signatures, so their argument names and defaults are torch's, and a torch
upgrade is one command away: `python -m typedseg.codegen.optimizers` (add `--check` to only compare). The
generated modules are plain pydantic; they never import torch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from typedseg.codegen.render import config_module_source
from typedseg.codegen.signature import ClassSpec, class_spec
from typedseg.templating import render_template

COMMAND = "python -m typedseg.codegen.optimizers"
"""How to regenerate the module."""
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "config" / "optimizers"
"""The committed generated package."""
MMENGINE_NAMES = {"Adafactor": "TorchAdafactor"}
"""torch names MMEngine registers under another name (`transformers.Adafactor` took the plain one)."""
_ENGINE_FILLS = {"params": "the engine passes the model's parameters"}

NON_NEGATIVE = frozenset({"lr", "eps", "weight_decay", "momentum", "lr_decay", "initial_accumulator_value"})
"""Arguments torch refuses when negative (`Invalid learning rate: -0.05`): checked before a run instead."""


def optimizer_classes() -> dict[str, type]:
    """MMEngine type name -> class, for every `torch.optim.Optimizer` subclass exported by `torch.optim`.

    The same set MMEngine registers: it walks `dir(torch.optim)` the same way.
    """
    import torch.optim

    found: dict[str, type] = {}
    for attr in dir(torch.optim):
        obj = getattr(torch.optim, attr)
        if (
            not attr.startswith("_")
            and isinstance(obj, type)
            and issubclass(obj, torch.optim.Optimizer)
            and obj is not torch.optim.Optimizer
        ):
            found[MMENGINE_NAMES.get(attr, attr)] = obj
    return dict(sorted(found.items()))


def optimizer_specs() -> list[ClassSpec]:
    """One spec per optimizer, sorted by type name; `params` is left out (the engine fills it)."""
    return [
        _non_negative(class_spec(cls, name=name, source=f"torch.optim.{cls.__name__}", skip=_ENGINE_FILLS))
        for name, cls in optimizer_classes().items()
    ]


def _non_negative(spec: ClassSpec) -> ClassSpec:
    fields = tuple(
        replace(
            field,
            annotation=f"Annotated[{field.annotation}, Field(ge=0.0)]",
            imports=field.imports | {("typing", "Annotated"), ("pydantic", "Field")},
        )
        if field.name in NON_NEGATIVE and field.annotation == "float"
        else field
        for field in spec.fields
    )
    return replace(spec, fields=fields)


def module_name(type_name: str) -> str:
    """The module of one optimizer model: its type name in lower case (`AdamW` -> `adamw`)."""
    return type_name.lower()


def generate_optimizers() -> dict[str, str]:
    """File name -> source, for every module of `typedseg/config/optimizers/` under the installed torch.

    One module per optimizer, so that a config loads only the optimizer it names (defining a model costs
    about a millisecond; there are 15); `_shared` and `_tagged` hold what the rules and type checkers need.
    """
    import torch

    specs = optimizer_specs()
    torch_names = {name: cls.__name__ for name, cls in optimizer_classes().items()}
    version = torch.__version__.split("+")[0]
    modules = sorted((module_name(spec.name), spec.name) for spec in specs)
    files = {
        f"{module_name(spec.name)}.py": config_module_source(
            [spec],
            module_doc=f"Config model of `torch.optim.{torch_names[spec.name]}` (torch {version}), type `{spec.name}`.",
            generated_by=COMMAND,
            postponed_annotations=False,
        )
        for spec in specs
    }
    files["_shared.py"] = render_template(
        "optimizers_user.py.j2",
        generated_by=COMMAND,
        names=[s.name for s in specs],
        without_weight_decay=[s.name for s in specs if not any(f.name == "weight_decay" for f in s.fields)],
    )
    files["_tagged.py"] = render_template("optimizers_union.py.j2", generated_by=COMMAND, modules=modules)
    module_doc = (
        f"Config models of the optimizers in `torch.optim` (torch {version}), under MMEngine's type names."
        "\n\nEach model has the optimizer's own argument names and defaults, read from torch's signatures. "
        "`params` is left out: the engine passes the model's parameters. `OptimizerConfig` accepts any of "
        "them, or a `UserOptimizer` subclass for an optimizer from another package. Each model has its own "
        "module, imported on first use; none imports torch."
    )
    files["__init__.py"] = render_template(
        "optimizers_package.py.j2", generated_by=COMMAND, module_doc=module_doc, modules=modules
    )
    return dict(sorted(files.items()))


def main(argv: Sequence[str] | None = None) -> int:
    """Write the generated package, or with `--check` exit 1 when the committed one differs."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when --out is stale")
    args = parser.parse_args(argv)
    out: Path = args.out
    files = generate_optimizers()
    if args.check:
        current = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.py")} if out.is_dir() else {}
        if current != files:
            print(f"{out} is stale for the installed torch; regenerate it with: {COMMAND}", file=sys.stderr)
            return 1
        print(f"{out} is up to date.")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.py"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {out} ({len(files)} modules)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
