"""Every user string written into generated code is escaped (issue 14, item 3).

Hostile strings go into values and into the input's file name; each generated file (typed Python from `show`/
`export`/`import`, YAML, JSON, MMEngine's dict form) must load back to exactly the input values and run nothing:
each payload would create the file PWNED in the working directory if it ran.
"""

from __future__ import annotations

import ast
import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from typedseg.config.experiment import Experiment
from typedseg.loading import load_config
from typedseg.loading.dump import to_python
from typedseg.migrate.importer import import_mmengine_config
from typedseg.migrate.to_mmengine import to_mmengine
from typedseg.templating import docstring, python_string

runner = CliRunner()
RUN = "__import__('pathlib').Path('PWNED').touch()"
HOSTILE = [
    'double " quote',
    "single ' quote",
    "both ' and \" quotes",
    '"""' + f"\n{RUN}\n" + '"""',
    "'''" + f"\n{RUN}\n" + "'''",
    f"new\nline {RUN}",
    f"\n# comment\n{RUN}\n",
    "back\\slash\\",
    "\\'",
    "\\n#",
    f"line\u2028separator\u2029{RUN}",
    f"next\x85line\x0bvertical\x0cfeed\rreturn{RUN}",
    "nul\x00 and escape \x1b[31m",
    "{{ fileDirname }}/{{fileBasename}}/{{ fileBasenameNoExtension }}{{ fileExtname }}",
    "{{$HOME:/default}} {{'$USER:x'}}",
    "{{_base_.model}} {{ _base_.work_dir }}",
    "{{{ fileDirname }}}",
    "-*- coding: utf-7 -*- +AAo-" + RUN,
    "\\N{BULLET} \\x41 \\u0041",
]
HOSTILE_NAME = f'evil"""\n{RUN}\n# -*- coding: utf-7 -*- {{{{ fileDirname }}}}'


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def hostile_experiment(text: str) -> Experiment:
    return Experiment(work_dir=text, experiment_name=text)


def test_python_string_round_trips_hostile_text() -> None:
    for text in HOSTILE:
        assert eval(python_string(text)) == text


def test_docstring_stays_one_printable_literal() -> None:
    for text in HOSTILE:
        source = f"x = 1\n{docstring(text, 0)}\ny = 2\n"
        namespace: dict[str, object] = {}
        exec(compile(source, "<generated>", "exec"), namespace)
        assert namespace["y"] == 2 and all(c.isprintable() or c == "\n" for c in source)


def test_docstring_reads_back_as_its_text_for_every_mix_of_quotes_and_backslashes() -> None:
    for size in range(1, 6):
        for chars in itertools.product("\"\\a'", repeat=size):
            for text in ("".join(chars), "w " * 60 + "".join(chars)):  # one line, and wrapped
                for indent in (0, 4):
                    value = eval(docstring(text, indent))
                    assert " ".join(value.split()) == " ".join(text.split()), text


@pytest.mark.parametrize("text", HOSTILE)
def test_typed_python_loads_back_exactly(cwd: Path, text: str) -> None:
    experiment = hostile_experiment(text)
    path = cwd / "out.py"
    path.write_text(to_python(experiment, source=HOSTILE_NAME), encoding="utf-8")
    assert load_config(path).experiment == experiment
    assert not (cwd / "PWNED").exists()


@pytest.mark.parametrize("text", HOSTILE)
def test_mmengine_export_imports_back_exactly(cwd: Path, text: str) -> None:
    experiment = hostile_experiment(text)
    exported = to_mmengine(experiment, source=HOSTILE_NAME)
    assert "{{" not in exported, "MMEngine would substitute a {{ ... }} placeholder"
    path = cwd / "mm.py"
    path.write_text(exported, encoding="utf-8")
    result = import_mmengine_config(path)
    assert result.source.data["work_dir"] == text
    assert result.source.data["experiment_name"] == text
    assert not (cwd / "PWNED").exists()
    compile(exported, str(path), "exec")  # plain Python too (a coding cookie would change how it is read)
    assert not exported.splitlines()[0].count("coding:") and not exported.splitlines()[1].count("coding:")


def test_a_hostile_file_name_runs_nothing_in_any_generated_form(cwd: Path) -> None:
    folder = cwd / HOSTILE_NAME.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "cfg.yaml"
    config.write_text("work_dir: plain\n", encoding="utf-8")
    outputs: dict[str, str] = {}
    for name, argv in {
        "show.py": ["show", str(config), "--format", "python"],
        "export.py": ["export", str(config), "--format", "python"],
        "mm.py": ["export", str(config), "--format", "mmengine"],
    }.items():
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, result.output
        outputs[name] = result.stdout
        (cwd / name).write_text(result.stdout, encoding="utf-8")
    expected = load_config(config).experiment
    assert load_config(cwd / "show.py").experiment == expected
    assert load_config(cwd / "export.py").experiment == expected
    assert import_mmengine_config(cwd / "mm.py").source.data["work_dir"] == "plain"
    mmseg = folder / "mm_source.py"
    mmseg.write_text((cwd / "mm.py").read_text(encoding="utf-8"), encoding="utf-8")
    imported = runner.invoke(app, ["import", str(mmseg)])
    assert imported.exit_code == 0, imported.output
    (cwd / "imported.py").write_text(imported.stdout, encoding="utf-8")
    assert load_config(cwd / "imported.py").experiment == import_mmengine_config(mmseg).experiment
    assert not (cwd / "PWNED").exists()
    for text in outputs.values():
        assert all(line.isprintable() for line in text.splitlines())


@pytest.mark.parametrize("text", HOSTILE)
def test_yaml_and_json_load_back_exactly(cwd: Path, text: str) -> None:
    experiment = hostile_experiment(text)
    config = cwd / "cfg.py"
    config.write_text(to_python(experiment), encoding="utf-8")
    for fmt in ("yaml", "json"):
        result = runner.invoke(app, ["show", str(config), "--format", fmt])
        assert result.exit_code == 0, result.output
        out = cwd / f"out.{fmt}"
        out.write_text(result.stdout, encoding="utf-8")
        assert load_config(out).experiment == experiment


def test_keys_of_an_unimported_user_object_are_escaped_in_python(cwd: Path) -> None:
    config = cwd / "cfg.json"
    hook = {"type": "hostile_x.Hook", "import": 1, "a\n": 2, f"k'{RUN}": 3}
    config.write_text(json.dumps({"custom_hooks": [hook]}), encoding="utf-8")
    result = runner.invoke(app, ["show", str(config), "--format", "python"])
    assert result.exit_code == 0, result.output
    assert "Hook(**{" in result.stdout  # keywords and odd keys: never written as `import=1`
    tree = ast.parse(result.stdout)  # valid Python; the payload stays inside a string literal
    keys = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in hook]
    assert sorted(map(str, keys)) == sorted(k for k in hook if k != "type")
