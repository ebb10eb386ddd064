"""Resource limits (issue 14, item 4): each bound is one clear problem with exit 2, never a traceback or a hang.

Every hostile input here once hung, ate memory or ended in a traceback; each now fails fast with its code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from typedseg.loading import load_config
from typedseg.migrate.errors import MMConfigError
from typedseg.migrate.mmengine_config import load_mmengine_config
from typedseg.problems import ConfigError

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]

ALIAS_BOMB = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
"""About 400 bytes that expand to 9**9 (387 million) strings."""


def problems_of(path: Path) -> list[tuple[str, int | None]]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return [(p.code, p.line) for p in info.value.problems]


# --- YAML and JSON ---------------------------------------------------------------------------------------------


def test_an_alias_bomb_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "more than 50000 values (aliases counted at every use)" in result.stderr
    assert result.stderr.rstrip().endswith(f"{path}: invalid (1 error)")
    assert problems_of(path) == [("config-too-large", 1)]


def test_a_huge_document_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 110_000, encoding="utf-8")
    assert problems_of(path) == [("config-too-large", None)]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("deep.yaml", "a: " + "[" * 150 + "]" * 150 + "\n", ("config-too-large", 1)),
        ("deeper.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n", ("syntax-error", 1)),
        ("deep.json", "[" * 100_000 + "]" * 100_000, ("syntax-error", 1)),
        ("number.json", '{"work_dir": 1' + "0" * 5000 + "}", ("syntax-error", None)),
    ],
)
def test_deep_nesting_and_huge_numbers_are_one_problem(
    tmp_path: Path, name: str, text: str, expected: tuple[str, int | None]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert problems_of(path) == [expected]
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_thousands_of_problems_print_the_first_fifty_and_a_count(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("custom_hooks:\n" + "  - 1\n" * 2000, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 52
    assert lines[0].startswith(f"{path}:2  custom_hooks[0]:")
    assert lines[-2:] == ["... and 1950 more problems", f"{path}: invalid (2000 errors)"]
    as_json = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert as_json.stdout.count('"code"') == 2000  # machines get every problem


# --- the MMEngine config evaluator -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "code", "message"),
    [
        ("x = (10**10000)**10000", "mmconfig-limit", "`10 ** 10000` gives an integer of more than 1024 bits"),
        ("x = 10**5000", "mmconfig-limit", "`10 ** 5000` gives an integer of more than 1024 bits"),
        (
            "a = 10**100\nb = a*a\nc = b*b\nd = c*c\ne = d*d\nf = e*e\n",
            "mmconfig-limit",
            "`b * b` gives an integer of more than 1024 bits",
        ),
        ("x = int('9' * 4000)", "mmconfig-limit", "gives an integer of more than 1024 bits"),
        ("x = int(1e999)", "mmconfig-eval-error", "int(): cannot convert float infinity to integer"),
        ("x = '%0999999999d' % 1", "mmconfig-limit", "asks for a width of more than 100000"),
        ("x = f'{1:0999999999d}'", "mmconfig-limit", "f-string: a width of more than 100000 characters"),
        ("x = 'ab' * 10**8", "mmconfig-limit", "builds a string of more than 100000 characters"),
        (
            "x = [[[i for i in range(1000)] for j in range(1000)] for k in range(1000)]",
            "mmconfig-limit",
            "evaluating this file takes more than 100000 steps",
        ),
        ("x = [i for i in range(10**9)]", "mmconfig-limit", "has more than 50000 items"),
        (
            "a = [1] * 1000\nb = [a] * 1000\nc = [b] * 1000\n",
            "mmconfig-limit",
            "this value is too large: copied out, it would hold more than 50000 entries",
        ),
        ("x = dict()\nx.update(a=x)\n", "mmconfig-limit", "it nests more than 100 levels deep"),
        (
            "".join(f"a{i + 1} = [a{i}]\n" for i in range(150)).replace("[a0]", "[0]"),
            "mmconfig-limit",
            "it nests more than 100 levels deep",
        ),
        ("x = " + "1+" * 500 + "1", "mmconfig-limit", "an expression nests more than 100 levels deep"),
        ("x = " + "1+" * 50_000 + "1", "mmconfig-limit", "Python's parser gives up on this file"),
        ("x = " + "- " * 300 + "1", "mmconfig-limit", "an expression nests more than 100 levels deep"),
        ("_base_ = {[1]: 2}", "mmconfig-bad-base", "`_base_` must be a string or a list of strings"),
        ("_base_ = {1, [2]}", "mmconfig-bad-base", "`_base_` must be a string or a list of strings"),
        ("x = {'a': 1}[[1]]", "mmconfig-eval-error", "`{'a': 1}[[1]]`: key [1] not found"),
        ("# padding\n" * 110_000, "mmconfig-limit", "the file is larger than 1000000 bytes"),
    ],
)
def test_the_evaluator_stops_each_hostile_config_with_one_problem(
    tmp_path: Path, source: str, code: str, message: str
) -> None:
    path = tmp_path / "hostile.py"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(MMConfigError) as info:
        load_mmengine_config(path)
    [problem] = info.value.problems
    assert problem.code == code and message in problem.message, (problem.code, problem.message)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.count(f"[{code}]") == 1


# --- every limit is a named constant that says why ----------------------------------------------------------------


@pytest.mark.parametrize(
    "module", ["typedseg/migrate/limits.py", "typedseg/loading/yaml12.py", "typedseg/loading/render.py"]
)
def test_every_limit_is_a_named_constant_with_a_docstring(module: str) -> None:
    body = ast.parse((ROOT / module).read_text(encoding="utf-8")).body
    limits = [
        (index, node.targets[0].id)
        for index, node in enumerate(body)
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id.startswith("MAX_")
    ]
    assert limits, module
    for index, name in limits:
        following = body[index + 1]
        assert isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant), name
        assert len(str(following.value.value)) > 40, f"{name}: say why this value"
