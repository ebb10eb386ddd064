"""`codegen class`: a typed config for a user's class, usable where ours are, checked by mypy."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from mypy import api as mypy_api

from typedseg.codegen.signature import SignatureError
from typedseg.codegen.user_class import user_config_source
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import UserHook

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests.codegen.fixtures.alarm:GradNormAlarm"


def _load(source: str, path: Path) -> object:
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def test_generated_hook_config_has_fields_docs_and_build(tmp_path: Path) -> None:
    source = user_config_source(TARGET, kind="hook")
    assert "class GradNormAlarmConfig(UserHook):" in source
    assert '    threshold: float = 10.0\n    """Norm above which to warn."""' in source
    assert "    label: str | None = None" in source
    module = _load(source, tmp_path / "alarm_config.py")
    config_cls = module.GradNormAlarmConfig  # type: ignore[attr-defined]
    config = config_cls(threshold=2.5)
    built = config.build()
    assert (type(built).__name__, built.threshold, built.every) == ("GradNormAlarm", 2.5, 1)
    experiment = Experiment(custom_hooks=[config])
    assert isinstance(experiment.custom_hooks[0], UserHook)
    del sys.modules["alarm_config"]


def test_generated_module_passes_mypy_strict(tmp_path: Path) -> None:
    out = tmp_path / "alarm_config.py"
    out.write_text(user_config_source(TARGET, kind="hook"), encoding="utf-8")
    stdout, _, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / ".mypy"), str(out)]
    )
    assert status == 0, stdout


def test_var_args_and_missing_annotations_are_handled_as_stated() -> None:
    with pytest.raises(SignatureError, match=r"\*args cannot be a config field"):
        user_config_source("tests.codegen.fixtures.alarm:Loose")
    source = user_config_source("tests.codegen.fixtures.alarm:Loose", skip_var_args=True)
    assert "    size: Any\n" in source
    assert "has no annotation in the source: typed Any" in source
    assert "is not modelled: keys beyond these fields are refused" in source


@pytest.mark.parametrize("target", ["tests.codegen.fixtures.alarm:Nope", "tests.nothere:X", "nocolon"])
def test_bad_targets_are_named(target: str) -> None:
    with pytest.raises(SignatureError):
        user_config_source(target)
