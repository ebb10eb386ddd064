"""Generate `typedseg/config/optimizers.py`: a config model per optimizer exported by the installed torch.

The models are read from torch's own signatures, so their argument names and defaults are torch's, and a torch
upgrade is one command away: `python -m typedseg.codegen.optimizers` (add `--check` to only compare). The
generated module is plain pydantic; it never imports torch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from typedseg.codegen.render import config_module_source
from typedseg.codegen.signature import ClassSpec, class_spec
from typedseg.templating import Import, render_template

COMMAND = "python -m typedseg.codegen.optimizers"
"""How to regenerate the module."""
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "config" / "optimizers.py"
"""The committed generated module."""
MMENGINE_NAMES = {"Adafactor": "TorchAdafactor"}
"""torch names MMEngine registers under another name (`transformers.Adafactor` took the plain one)."""
_ENGINE_FILLS = {"params": "the engine passes the model's parameters"}

NON_NEGATIVE = frozenset({"lr", "eps", "weight_decay", "momentum", "lr_decay", "initial_accumulator_value"})
"""Arguments torch refuses when negative (`Invalid learning rate: -0.05`): checked before a run instead."""
_TAIL_IMPORTS: tuple[Import, ...] = (
    ("typing", "Annotated"),
    ("typing", "Union"),
    ("pydantic", "SerializeAsAny"),
    ("pydantic", "Tag"),
    ("pydantic", "WithJsonSchema"),
    ("typedseg.config.base", "USER_JSON_SCHEMA"),
    ("typedseg.config.base", "USER_TAG"),
    ("typedseg.config.base", "UserConfig"),
    ("typedseg.config.base", "discriminate"),
    ("typedseg.config.base", "user_validator"),
)


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


def generate_optimizers() -> str:
    """The source of `typedseg/config/optimizers.py` for the installed torch."""
    import torch

    specs = optimizer_specs()
    version = torch.__version__.split("+")[0]
    tail = render_template(
        "optimizer_config.py.j2",
        names=[s.name for s in specs],
        without_lr=[s.name for s in specs if not any(f.name == "lr" for f in s.fields)],
        without_weight_decay=[s.name for s in specs if not any(f.name == "weight_decay" for f in s.fields)],
    )
    module_doc = (
        f"Config models of the optimizers in `torch.optim` (torch {version}), under MMEngine's type names."
        "\n\nEach model has the optimizer's own argument names and defaults, read from torch's signatures. "
        "`params` is left out: the engine passes the model's parameters. `OptimizerConfig` accepts any of "
        "them, or a `UserOptimizer` subclass for an optimizer from another package. This module never "
        "imports torch."
    )
    return config_module_source(
        specs, module_doc=module_doc, generated_by=COMMAND, imports=_TAIL_IMPORTS, tail=tail
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write the generated module, or with `--check` exit 1 when the committed one differs."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when --out is stale")
    args = parser.parse_args(argv)
    out: Path = args.out
    text = generate_optimizers()
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} is stale for the installed torch; regenerate it with: {COMMAND}", file=sys.stderr)
            return 1
        print(f"{out} is up to date.")
        return 0
    out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
