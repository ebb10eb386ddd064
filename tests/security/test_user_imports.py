"""Reading a data config imports no module of the user's without permission (issue 14, items 1 and 2).

Each hostile module writes a marker file when it is imported, so a test sees an import even when the module's
output would be swallowed. The modules sit in the config's folder and in the working directory, where the old
loader found them implicitly.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from typedseg.loading import load_config
from typedseg.problems import ConfigError

runner = CliRunner()

HOOK_MODULE = """\
from pathlib import Path

Path(__file__).with_name("IMPORTED-{name}").touch()

from typedseg.config.hooks import UserHook


class Hook(UserHook):
    threshold: float = 1.0
"""
EXITING_MODULE = """\
from pathlib import Path
import sys

Path(__file__).with_name("IMPORTED-{name}").touch()
sys.exit({code})
"""
RAISING_MODULE = """\
from pathlib import Path

Path(__file__).with_name("IMPORTED-{name}").touch()
raise RuntimeError("boom at import")
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder holding configs and hostile modules, also the working directory; modules are forgotten after."""
    monkeypatch.chdir(tmp_path)
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("hostile_"):
            del sys.modules[name]


def module(folder: Path, name: str, template: str = HOOK_MODULE, **values: object) -> Path:
    path = folder / f"{name}.py"
    path.write_text(template.format(name=name, **values), encoding="utf-8")
    return path


def imported(folder: Path, name: str) -> bool:
    return (folder / f"IMPORTED-{name}").exists()


def hook_yaml(folder: Path, type_name: str, name: str = "cfg.yaml") -> Path:
    path = folder / name
    path.write_text(f"custom_hooks:\n  - type: {type_name}\n    threshold: 2.5\n", encoding="utf-8")
    return path


# --- item 1: `typedseg import` never imports ---------------------------------------------------------------


def test_import_records_custom_imports_and_user_types_and_imports_nothing(project: Path) -> None:
    module(project, "hostile_mm")
    config = project / "mm.py"
    config.write_text(
        textwrap.dedent("""\
            custom_imports = dict(imports=['hostile_mm'], allow_failed_imports=False)
            custom_hooks = [dict(type='hostile_mm.Hook', threshold=2.5)]
            """),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(config), "--format", "yaml"])
    assert not imported(project, "hostile_mm"), "typedseg import imported the config's module"
    assert "hostile_mm" not in sys.modules
    assert result.exit_code == 0, result.output
    assert "custom_imports ['hostile_mm'] recorded, not imported" in result.stderr
    assert "mm.py:2  warning: custom_hooks[0]: type 'hostile_mm.Hook' is your own class" in result.stderr
    assert "[user-type-unchecked]" in result.stderr
    assert "custom_hooks:\n- type: hostile_mm.Hook\n  threshold: 2.5\n" in result.stdout


# --- item 2: validate / show / export / diff of YAML and JSON --------------------------------------------------


def test_validate_refuses_a_dotted_type_without_permission(project: Path) -> None:
    module(project, "hostile_a")
    config = hook_yaml(project, "hostile_a.Hook")
    result = runner.invoke(app, ["validate", str(config)])
    assert not imported(project, "hostile_a")
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{config.name}:2  custom_hooks[0]: type 'hostile_a.Hook' names a class of yours")
    assert "pass --allow-import hostile_a (or list it" in first and first.endswith(
        "[user-import-not-allowed]"
    )


def test_the_zen_of_python_is_not_printed(project: Path, capfd: pytest.CaptureFixture[str]) -> None:
    config = hook_yaml(project, "this.Hook")
    with pytest.raises(ConfigError) as info:
        load_config(config)
    [problem] = info.value.problems
    assert (problem.code, problem.line) == ("user-import-not-allowed", 2)
    assert "Beautiful is better than ugly" not in capfd.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["show", "--format", "yaml"], "custom_hooks:\n- type: hostile_b.Hook\n  threshold: 2.5\n"),
        (["show", "--format", "python"], "custom_hooks=(Hook(threshold=2.5),)"),
        (
            ["export", "--format", "json"],
            '"custom_hooks": [\n    {\n      "type": "hostile_b.Hook",\n      "threshold": 2.5\n    }\n  ]',
        ),
        (["export", "--format", "mmengine"], "custom_hooks = [dict(type='hostile_b.Hook', threshold=2.5)]\n"),
    ],
)
def test_show_and_export_keep_a_user_object_as_data(project: Path, argv: list[str], expected: str) -> None:
    module(project, "hostile_b")
    config = hook_yaml(project, "hostile_b.Hook")
    result = runner.invoke(app, [argv[0], str(config), *argv[1:]])
    assert not imported(project, "hostile_b")
    assert result.exit_code == 0, result.output
    # Exactly what the config wrote (no `priority`: the user's class may have its own default).
    assert expected in result.stdout
    if argv[-1] == "python":
        assert "from hostile_b import Hook\n" in result.stdout


def test_diff_compares_user_objects_as_data(project: Path) -> None:
    module(project, "hostile_c")
    left = hook_yaml(project, "hostile_c.Hook", "a.yaml")
    right = project / "b.yaml"
    right.write_text("custom_hooks:\n  - type: hostile_c.Hook\n    threshold: 3.0\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(left), str(right)])
    assert not imported(project, "hostile_c")
    assert result.exit_code == 1, result.output
    assert result.stdout == "~ custom_hooks[hostile_c.Hook].threshold: 2.5 -> 3.0\n"


def test_allow_import_imports_from_the_python_path_only(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module(project, "hostile_d")
    config = hook_yaml(project, "hostile_d.Hook")
    # Allowed, but the config's folder and the working directory are not searched.
    with pytest.raises(ConfigError) as info:
        load_config(config, allow_import=["hostile_d"])
    [problem] = info.value.problems
    assert problem.code == "user-type-import" and "No module named 'hostile_d'" in problem.message
    assert not imported(project, "hostile_d")
    monkeypatch.syspath_prepend(str(project))
    result = runner.invoke(app, ["validate", str(config), "--allow-import", "hostile_d"])
    assert result.exit_code == 0, result.output
    assert imported(project, "hostile_d")


def test_a_package_prefix_allows_its_submodules_only(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = project / "hostile_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    module(package, "hooks")
    monkeypatch.syspath_prepend(str(project))
    config = hook_yaml(project, "hostile_pkg.hooks.Hook")
    with pytest.raises(ConfigError) as info:
        load_config(config, allow_import=["hostile_pk"])
    assert [p.code for p in info.value.problems] == ["user-import-not-allowed"]
    assert not imported(package, "hooks")
    assert load_config(config, allow_import=["hostile_pkg"]).experiment.custom_hooks[0].threshold == 2.5


def test_pyproject_above_the_config_gives_permission(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module(project, "hostile_e")
    monkeypatch.syspath_prepend(str(project))
    configs = project / "configs" / "deep"
    configs.mkdir(parents=True)
    config = hook_yaml(configs, "hostile_e.Hook")
    with pytest.raises(ConfigError):
        load_config(config)
    assert not imported(project, "hostile_e")
    (project / "pyproject.toml").write_text(
        '[tool.typedseg]\nallow-import = ["hostile_e"]\n', encoding="utf-8"
    )
    assert load_config(config).experiment.custom_hooks[0].threshold == 2.5
    (project / "pyproject.toml").write_text('[tool.typedseg]\nallow-import = "hostile_e"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(config)
    [problem] = info.value.problems
    assert (problem.code, problem.file) == ("pyproject-allow-import", str(project / "pyproject.toml"))


@pytest.mark.parametrize(("template", "values"), [(EXITING_MODULE, {"code": 0}), (RAISING_MODULE, {})])
def test_a_module_that_exits_or_raises_is_one_clear_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, template: str, values: dict[str, object]
) -> None:
    module(project, "hostile_f", template, **values)
    monkeypatch.syspath_prepend(str(project))
    broken = project / "broken.yaml"
    broken.write_text(
        "custom_hooks:\n  - type: hostile_f.Hook\ntrain_cfg: {max_iters: -1}\n", encoding="utf-8"
    )
    other = hook_yaml(project, "hostile_f.Hook", "other.yaml")
    result = runner.invoke(app, ["validate", str(broken), "--allow-import", "hostile_f"])
    assert imported(project, "hostile_f")
    assert result.exit_code == 2, result.output
    assert (
        f"{broken.name}:2  custom_hooks[0]: importing 'hostile_f' for type 'hostile_f.Hook' failed"
        in result.stderr
    )
    assert "[user-type-import]" in result.stderr and "Traceback" not in result.output
    diff = runner.invoke(app, ["diff", str(other), str(other), "--allow-import", "hostile_f"])
    assert diff.exit_code == 2, diff.output
    assert "no differences" not in diff.output


def test_bad_allow_import_names_exit_2(project: Path) -> None:
    config = hook_yaml(project, "hostile_g.Hook")
    result = runner.invoke(app, ["validate", str(config), "--allow-import", "a/b"])
    assert result.exit_code == 2
    assert "--allow-import 'a/b'" in result.stderr


def test_a_python_config_keeps_importing_what_it_imports(project: Path) -> None:
    module(project, "hostile_h")
    config = project / "cfg.py"
    config.write_text(
        "from hostile_h import Hook\nfrom typedseg.config.experiment import Experiment\n\n"
        "config = Experiment(custom_hooks=[Hook(threshold=4.0)])\n",
        encoding="utf-8",
    )
    assert load_config(config).experiment.custom_hooks[0].threshold == 4.0
    assert imported(project, "hostile_h")


def test_a_type_with_a_trailing_newline_is_not_a_dotted_path(project: Path) -> None:
    config = project / "cfg.json"
    config.write_text('{"custom_hooks": [{"type": "hostile_i.Hook\\n"}]}', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(config, keep_unresolved=True)
    assert [p.code for p in info.value.problems] == ["user-type-import"]
