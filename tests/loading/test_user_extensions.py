"""A user's own component config is accepted wherever ours are: directly in Python, by dotted path in YAML."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from typedseg.config.hooks import UserHook
from typedseg.loading import load_config
from typedseg.loading.dump import to_yaml
from typedseg.problems import ConfigError

PACKAGE = '''\
from typedseg.config.hooks import UserHook


class GradNormAlarm(UserHook):
    """Warns when the gradient norm exceeds a threshold."""

    threshold: float = 10.0
    """Norm above which to warn."""
'''


@pytest.fixture
def user_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    package = tmp_path / "mypkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "hooks.py").write_text(PACKAGE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m == "mypkg" or m.startswith("mypkg.")]:
        del sys.modules[name]


def test_python_and_yaml_give_the_same_user_hook(user_package: Path) -> None:
    py = user_package / "cfg.py"
    py.write_text(
        textwrap.dedent("""\
            from mypkg.hooks import GradNormAlarm
            from typedseg.config.experiment import Experiment

            config = Experiment(custom_hooks=[GradNormAlarm(threshold=3.5, priority="LOW")])
            """),
        encoding="utf-8",
    )
    from_python = load_config(py).experiment
    [hook] = from_python.custom_hooks
    assert isinstance(hook, UserHook) and type(hook).__name__ == "GradNormAlarm"
    assert hook.type == "mypkg.hooks.GradNormAlarm"
    text = to_yaml(from_python)
    assert "custom_hooks:\n- type: mypkg.hooks.GradNormAlarm\n  priority: LOW\n  threshold: 3.5\n" in text
    yaml_file = user_package / "cfg.yaml"
    yaml_file.write_text(text, encoding="utf-8")
    assert load_config(yaml_file, allow_import=["mypkg"]).experiment == from_python


@pytest.mark.parametrize(
    ("hook", "code"),
    [
        ("{type: mypkg.hooks.GradNormAlarm, threshhold: 2}", "unknown-key"),
        ("{type: mypkg.nothere.Hook}", "user-type-import"),
        ("{type: typedseg.config.loops.ValLoop}", "user-type-base"),
        ("{type: GradNormAlarm}", "unknown-type"),
    ],
)
def test_user_hook_mistakes_in_yaml(user_package: Path, hook: str, code: str) -> None:
    yaml_file = user_package / "cfg.yaml"
    yaml_file.write_text(f"custom_hooks:\n  - {hook}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(yaml_file, allow_import=["mypkg"])
    [problem] = info.value.problems
    assert (problem.code, problem.line) == (code, 2)
