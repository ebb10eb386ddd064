"""The signature reader and the module renderer, on small local classes."""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any, Literal, Optional, Union

import pytest
import torch
from torch import Tensor

from typedseg.codegen.render import config_module_source
from typedseg.codegen.signature import (
    ClassSpec,
    FieldSpec,
    SignatureError,
    class_spec,
    default_source,
    param_descriptions,
)
from typedseg.templating import docstring, import_lines


class Documented:
    """Does a documented thing.

    More detail that is not the summary.

    Args:
        params (iterable): what the engine fills.
        lr (float, Tensor, optional): learning rate
            (default: 1e-3)
        betas (Tuple[float, float], optional): coefficients
            used for running averages.
        mode (str): one of "a" and "b".
        scale: a number without a type in the docstring.

    Example:
        >>> Documented([])
    """

    def __init__(
        self,
        params: list[Tensor],
        lr: Union[float, Tensor] = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        mode: Literal["a", "b"] = "a",
        scale: Optional[int] = None,
        *,
        names: list[str] | None = None,
        table: dict[str, float] | None = None,
        steps: tuple[int, ...] = (1, 2),
    ) -> None:
        del params, lr, betas, mode, scale, names, table, steps


def _fields(spec: ClassSpec) -> dict[str, FieldSpec]:
    return {f.name: f for f in spec.fields}


def test_fields_keep_names_defaults_and_docstring_text() -> None:
    spec = class_spec(Documented, skip={"params": "the engine fills it"})
    fields = _fields(spec)
    assert list(fields) == ["lr", "betas", "mode", "scale", "names", "table", "steps"]
    assert spec.name == spec.type_name == "Documented"
    assert spec.description.startswith("Does a documented thing.\n\nArguments of `")
    assert spec.comments == ("`params` is not a setting: the engine fills it.",)
    assert (fields["lr"].annotation, fields["lr"].default) == ("float", "0.001")
    assert fields["lr"].description == "learning rate (default: 1e-3)"
    assert (fields["betas"].annotation, fields["betas"].default) == ("tuple[float, float]", "(0.9, 0.999)")
    assert fields["betas"].description == "coefficients used for running averages."
    assert (fields["mode"].annotation, fields["mode"].default) == ('Literal["a", "b"]', '"a"')
    assert fields["mode"].imports == {("typing", "Literal")}
    assert (fields["scale"].annotation, fields["scale"].default) == ("int | None", "None")
    assert fields["scale"].description == "a number without a type in the docstring."
    assert fields["names"].annotation == "Seq[str] | None"
    assert fields["names"].imports == {("typedseg.config.base", "Seq")}
    assert fields["table"].annotation == "dict[str, float] | None"
    assert (fields["steps"].annotation, fields["steps"].default) == ("tuple[int, ...]", "(1, 2)")


def test_params_is_refused_as_a_field_unless_skipped() -> None:
    with pytest.raises(SignatureError, match=r"parameter 'params'.*Tensor"):
        class_spec(Documented)


def test_var_args_are_refused_unless_skipped_and_then_noted() -> None:
    class Loose:
        def __init__(self, size: int = 3, *args: int, **kwargs: float) -> None:
            del size, args, kwargs

    with pytest.raises(
        SignatureError, match=r"Loose.__init__: parameter 'args': \*args cannot be a config field"
    ):
        class_spec(Loose)
    spec = class_spec(Loose, skip_var_args=True)
    assert [f.name for f in spec.fields] == ["size"]
    assert spec.comments == (
        "*args of Loose.__init__ is not modelled: keys beyond these fields are refused.",
        "**kwargs of Loose.__init__ is not modelled: keys beyond these fields are refused.",
    )


def test_unannotated_parameter_is_typed_any_with_a_comment() -> None:
    class Plain:
        def __init__(self, ratio=0.5, name: str = "x") -> None:  # type: ignore[no-untyped-def]
            del ratio, name

    ratio, name = class_spec(Plain).fields
    assert (ratio.annotation, ratio.default, ratio.imports) == ("Any", "0.5", frozenset({("typing", "Any")}))
    assert "no annotation" in ratio.comment
    assert (name.annotation, name.default, name.comment) == ("str", '"x"', "")


@pytest.mark.parametrize(
    ("default", "shown"),
    [(object(), "<object object"), (float("inf"), "inf"), (torch.float16, "torch.float16")],
)
def test_non_literal_default_is_refused_naming_the_parameter(default: object, shown: str) -> None:
    class Odd:
        def __init__(self, value: float = 0.0) -> None:
            del value

    Odd.__init__.__defaults__ = (default,)
    with pytest.raises(SignatureError, match=r"Odd.__init__: parameter 'value': its default") as info:
        class_spec(Odd)
    assert shown in str(info.value)


def test_types_a_config_cannot_hold_are_refused() -> None:
    class Holder:
        def __init__(self, module: torch.nn.Module, weight: Tensor) -> None:
            del module, weight

    with pytest.raises(
        SignatureError, match=r"parameter 'module': type Module cannot be written in a config"
    ):
        class_spec(Holder)
    with pytest.raises(SignatureError, match=r"parameter 'weight': a Tensor cannot be written"):
        class_spec(Holder, skip={"module": "built by the engine"})


def test_positional_only_and_model_attribute_names_are_refused() -> None:
    class Positional:
        def __init__(self, size: int, /) -> None:
            del size

    class Shadow:
        def __init__(self, schema: str = "") -> None:
            del schema

    with pytest.raises(SignatureError, match="positional-only"):
        class_spec(Positional)
    with pytest.raises(SignatureError, match="shadow the config model's own attribute 'schema'"):
        class_spec(Shadow)


def test_unresolvable_hints_fall_back_to_each_raw_annotation() -> None:
    class Lazy:
        def __init__(self, model: object, lr: float = 0.1, decay: float = 0.0) -> None:
            del model, lr, decay

    # As under `if TYPE_CHECKING: from torch.nn import Module`: get_type_hints fails for the whole signature.
    Lazy.__init__.__annotations__.update(model="Module", lr="Union[float, Tensor]", decay="Optional[float]")
    with pytest.raises(SignatureError, match=r"parameter 'model': cannot resolve its annotation 'Module'"):
        class_spec(Lazy)
    lr, decay = class_spec(Lazy, skip={"model": "the engine passes it"}).fields
    assert (lr.annotation, lr.default) == ("float", "0.1")
    assert (decay.annotation, decay.default) == ("float | None", "0.0")


def test_default_source_is_ruff_style() -> None:
    assert default_source("it's", "x") == '"it\'s"'
    assert default_source((None, 1e-3), "x") == "(None, 0.001)"
    assert default_source([1], "x") == "(1,)"
    assert default_source({"a": True}, "x") == '{"a": True}'


def test_param_descriptions_stop_at_the_next_section() -> None:
    text = param_descriptions(Documented.__doc__)
    assert set(text) == {"params", "lr", "betas", "mode", "scale"}
    assert text["mode"] == 'one of "a" and "b".'


def test_docstring_escapes_and_wraps() -> None:
    assert docstring(r"coefficients \(a\)", 4) == r'"""coefficients \\(a\\)"""'
    assert docstring('ends with "quote"', 4) == '"""ends with "quote\\""""'
    wrapped = docstring("word " * 40, 4)
    lines = wrapped.splitlines()
    assert len(lines) > 2 and lines[-1] == '    """' and all(len(line) <= 106 for line in lines)


def test_import_lines_are_grouped_and_sorted_like_ruff() -> None:
    lines = import_lines(
        [("typing", "Literal"), ("pydantic", "Tag"), ("__future__", "annotations"), ("typing", "Any")]
        + [("typedseg.config.base", n) for n in ("discriminate", "USER_TAG", "ConfigModel")]
    )
    assert lines == [
        "from __future__ import annotations",
        "",
        "from typing import Any, Literal",
        "",
        "from pydantic import Tag",
        "",
        "from typedseg.config.base import USER_TAG, ConfigModel, discriminate",
    ]


def _import_source(source: str, path: Path) -> types.ModuleType:
    # From a real file: pydantic reads attribute docstrings from the source.
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def test_rendered_module_defines_working_models(tmp_path: Path) -> None:
    spec = class_spec(Documented, skip={"params": "the engine fills it"})
    source = config_module_source([spec], module_doc="Test models.", generated_by="pytest")
    assert source.startswith('# Generated by `pytest`; do not edit.\n"""Test models."""\n')
    assert "    # `params` is not a setting: the engine fills it.\n" in source
    module = _import_source(source, tmp_path / "_typedseg_test_rendered.py")
    model = module.Documented
    assert '    lr: float = 0.001\n    """learning rate (default: 1e-3)"""\n' in source
    value = model(lr=0.1, names=["a", "b"])
    assert (value.type, value.lr, value.betas, value.names) == ("Documented", 0.1, (0.9, 0.999), ("a", "b"))
    spec_without_type = dataclasses.replace(spec, name="NoType", type_name=None)
    source = config_module_source([spec_without_type], module_doc="x", generated_by="pytest")
    assert "type: Literal" not in source and "import Literal" in source  # the fields still use Literal


@pytest.mark.skipif(
    shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(), reason="no ruff"
)
def test_rendered_module_is_ruff_clean(tmp_path: Path) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    spec = class_spec(Documented, skip={"params": "the engine fills it"})
    source = config_module_source([spec], module_doc="Test models.", generated_by="pytest")
    target = tmp_path / "models.py"
    target.write_text(source)
    root = Path(__file__).resolve().parents[2]
    config = str(root / "pyproject.toml")
    fmt = subprocess.run(
        [ruff, "format", "--diff", "--config", config, str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    check = subprocess.run(
        [ruff, "check", "--config", config, str(target)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_any_annotation_passes_through() -> None:
    class Open:
        def __init__(self, extra: Any = None) -> None:
            del extra

    (extra,) = class_spec(Open).fields
    assert (extra.annotation, extra.default, extra.comment) == ("Any", "None", "")
