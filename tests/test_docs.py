"""The docs stay true: every problem code is documented, every example config behaves as its page says, and
every `$ typedseg ...` console block prints what the page shows.

- Codes are collected from the source with regexes (kebab-case string literals, first arguments of `Problem(`,
  `rules.add(` and `PydanticCustomError(`, and f-string templates such as `f"{stage}-incomplete"`, expanded with
  the literal arguments of the function that builds them). docs/errors.md has one `## <code>` heading per code.
- docs/examples/*: `*_broken.*` configs fail with exactly the codes their page shows; the others validate.
  docs/examples/errors/<code>.*: each triggers <code> and nothing else.
- Reading and importing MMEngine configs (typedseg.migrate) has no command yet: docs/examples/errors/mmconfig-*.py
  each make `load_mmengine_config` raise their code, the MMEngine configs that docs/errors.md imports each give
  `import_mmengine_config` their code, and every ```text block on docs/errors.md that starts with
  `>>> load_mmengine_config("PATH")` or `>>> print(format_problems(import_mmengine_config("PATH").problems))`
  shows what that prints, run from the repository root (absolute paths shortened to it).
- Every section of docs/errors.md shows its code in checked output: a console block, an MMEngine block, or, for
  a run-time code no cheap command reaches, a ```text block with the message while a test under tests/ triggers
  the code and asserts it (`assert err.code == "no-loss"`, `assert "[no-loss]" in out`).
- Console blocks (```console) are re-run from the repository root through the venv's `typedseg`. Output is compared
  after stripping trailing whitespace; a line `...` stands for elided output (the text around it must match as
  prefix, suffix and in-order pieces). Fence output you do not want checked as ```text, not ```console.

When the tool's output changes on purpose, `python -m tests.test_docs --update` (from the repository root) rewrites
the console output on every page, keeping each `...` elision; review the diff.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from typedseg.loading import load_config
from typedseg.loading.dump import to_json, to_python, to_yaml
from typedseg.migrate.mmengine_config import MMConfigError, load_mmengine_config
from typedseg.problems import ConfigError, Problem

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "typedseg"
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
ERROR_EXAMPLES = EXAMPLES / "errors"
ERRORS_PAGE = DOCS / "errors.md"
CONFIG_SUFFIXES = (".py", ".yaml", ".yml", ".json")

# --- (1) every problem code has a section in docs/errors.md ----------------------------------------------------

_KEBAB = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+"
_CODE = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
KEBAB_LITERAL = re.compile(rf"""(?<![\w{{}}])[rbuRBU]?(?P<q>["'])(?P<code>{_KEBAB})(?P=q)""")
"""Any plain string literal in kebab case: `"schedule-gap"`, `'user-type-base'` (codes built in tuples too)."""
FIRST_ARGUMENT = re.compile(
    rf"""(?:\bProblem|\.add|\bPydanticCustomError)\(\s*[rbuRBU]?(?P<q>["'])(?P<code>{_CODE})(?P=q)"""
)
"""The code argument of a constructor, kebab case or one word (`Problem("missing", ...)`)."""
TEMPLATE = re.compile(rf"""\bf(?P<q>["'])\{{(?P<var>\w+)\}}(?P<suffix>-{_CODE})(?P=q)""")
"""A code built from a variable: `f"{stage}-incomplete"`."""
NOT_CODES = {
    "utf-8": "a file encoding",
    "tagged-union": "a pydantic error-location prefix",
}
"""Kebab-case literals in typedseg/ that are not problem codes, and why."""


def _template_values(path: Path, offset: int, var: str) -> set[str]:
    """The string literals passed as `var` to the function whose body holds the template at `offset`."""
    source = path.read_text(encoding="utf-8")
    line = source.count("\n", 0, offset) + 1
    tree = ast.parse(source)
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]
    assert functions, f"{path}:{line}: a code template outside a function"
    function = min(functions, key=lambda node: (node.end_lineno or 0) - node.lineno)
    names = [arg.arg for arg in [*function.args.posonlyargs, *function.args.args]]
    position = names.index(var) if var in names else None
    values: set[str] = set()
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function.name
        ):
            continue
        given = [kw.value for kw in node.keywords if kw.arg == var]
        if position is not None and position < len(node.args):
            given.append(node.args[position])
        values |= {arg.value for arg in given if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    assert values, f"{path}:{line}: no literal values found for the code template's {{{var}}}"
    return values


@cache
def source_codes() -> dict[str, list[str]]:
    """Every problem code in typedseg/, with where it was found (`file:line`)."""
    found: dict[str, list[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        matches = [(m.start(), m["code"]) for m in KEBAB_LITERAL.finditer(text)]
        matches += [(m.start(), m["code"]) for m in FIRST_ARGUMENT.finditer(text)]
        for template in TEMPLATE.finditer(text):
            for value in _template_values(path, template.start(), template["var"]):
                matches.append((template.start(), value + template["suffix"]))
        for offset, code in matches:
            if code not in NOT_CODES:
                where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, offset) + 1}"
                found.setdefault(code, []).append(where)
    return found


def documented_codes() -> list[str]:
    return re.findall(r"^## (.+?)\s*$", ERRORS_PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_the_code_collection_finds_the_known_shapes() -> None:
    codes = source_codes()
    for code in ("schedule-ends-early", "unknown-key", "missing", "user-type-import", "val-incomplete"):
        assert code in codes, f"the regexes missed {code!r}; found: {sorted(codes)}"
    everything = "".join(path.read_text(encoding="utf-8") for path in SOURCE.rglob("*.py"))
    stale = [word for word in NOT_CODES if f'"{word}"' not in everything and f"'{word}'" not in everything]
    assert not stale, f"NOT_CODES lists literals no longer in typedseg/: {stale}"


def test_every_problem_code_has_a_section_in_errors_md() -> None:
    codes = source_codes()
    headings = documented_codes()
    missing = sorted(set(codes) - set(headings))
    assert not missing, (
        "codes without a '## <code>' section in docs/errors.md:\n"
        + "\n".join(f"  {code}  ({', '.join(codes[code])})" for code in missing)
        + f"\nall {len(codes)} codes found: {', '.join(sorted(codes))}"
    )


def test_every_section_in_errors_md_is_a_real_code() -> None:
    codes = source_codes()
    headings = documented_codes()
    duplicates = sorted({code for code in headings if headings.count(code) > 1})
    assert not duplicates, f"sections documented twice: {duplicates}"
    unknown = sorted(set(headings) - set(codes))
    assert not unknown, (
        f"sections for codes the source does not have: {unknown}; codes: {', '.join(sorted(codes))}"
    )


# --- console blocks -------------------------------------------------------------------------------------------

CONSOLE_BLOCK = re.compile(r"^```console[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
ELIDED = "..."


@dataclass(frozen=True)
class Example:
    """One `$ typedseg ...` command on a page and the output the page shows for it."""

    page: str
    line: int
    command: str
    expected: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def _pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def _commands(lines: list[str]) -> list[tuple[int, int, str, list[str]]]:
    """A console block's `$` commands: (first line index, line count, command, output lines), in order."""
    found: list[tuple[int, int, str, list[str]]] = []
    index = 0
    while index < len(lines):
        start = index
        command = lines[index][2:]
        while command.endswith("\\") and index + 1 < len(lines):
            index += 1
            command = command[:-1] + " " + lines[index].strip()
        index += 1
        output: list[str] = []
        while index < len(lines) and not lines[index].startswith("$ "):
            output.append(lines[index])
            index += 1
        found.append((start, index - start, command.strip(), output))
    return found


def _console_examples() -> Iterator[Example]:
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        for block in CONSOLE_BLOCK.finditer(text):
            first_line = text.count("\n", 0, block.start("body")) + 1
            lines = block["body"].rstrip("\n").split("\n")
            rel = str(page.relative_to(ROOT))
            if not lines or not lines[0].startswith("$ "):
                yield Example(rel, first_line, "", tuple(lines))  # refused by the test: unchecked output
                continue
            for start, _, command, output in _commands(lines):
                yield Example(rel, first_line + start, command, tuple(output))


CONSOLE_EXAMPLES = list(_console_examples())


def _argv(command: str) -> tuple[list[str], dict[str, str]]:
    words = shlex.split(command)
    env: dict[str, str] = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    assert words and words[0] == "typedseg", f"only `typedseg` commands can be checked: {command!r}"
    script = Path(sys.executable).with_name("typedseg")
    launcher = [str(script)] if script.is_file() else [sys.executable, "-m", "typedseg.cli.main"]
    return [*launcher, *words[1:]], env


@dataclass(frozen=True)
class Ran:
    returncode: int
    output: str


def _run(command: str) -> Ran:
    argv, extra = _argv(command)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SEG_WORK_ROOT")}
    env.update(extra, PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    writes = "schema" in argv and "--out" in argv and "--check" not in argv
    with tempfile.TemporaryDirectory() as scratch:
        # `typedseg schema --out DIR` writes a file: run it elsewhere so that the checkout is never touched.
        cwd = scratch if writes else str(ROOT)
        done = subprocess.run(
            argv,
            check=False,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
    return Ran(done.returncode, done.stdout)


@pytest.fixture(scope="session")
def outputs() -> dict[str, Ran]:
    """Every documented command, run once: first, in page order, those that write a file other examples read
    (`--out`, and `typedseg new`, which writes its argument); then the rest in parallel (each a fresh process)."""
    commands = list(dict.fromkeys(example.command for example in CONSOLE_EXAMPLES if example.command))
    # the pages' examples write into build/, which getting-started creates
    (ROOT / "build").mkdir(exist_ok=True)
    writers = [command for command in commands if " --out " in command or command.startswith("typedseg new ")]
    ran = {command: _run(command) for command in writers}
    readers = [command for command in commands if command not in ran]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        ran.update(zip(readers, pool.map(_run, readers), strict=True))
    return ran


def _normalised(lines: list[str] | tuple[str, ...]) -> list[str]:
    result = [line.rstrip() for line in lines]
    while result and not result[-1]:
        result.pop()
    return result


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Equal, or, with `...` lines, the pieces match as prefix, in-order middles and suffix."""
    pieces: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == ELIDED:
            pieces.append([])
        else:
            pieces[-1].append(line)
    if len(pieces) == 1:
        return expected == actual
    head, *middle, tail = pieces
    if actual[: len(head)] != head or (tail and actual[len(actual) - len(tail) :] != tail):
        return False
    position, end = len(head), len(actual) - len(tail)
    if end < position:
        return False
    for piece in middle:
        for start in range(position, end - len(piece) + 1):
            if actual[start : start + len(piece)] == piece:
                position = start + len(piece)
                break
        else:
            return False
    return True


_ERROR_LINE = re.compile(rf"^(?!.*  warning: ).*  \[{_CODE}\]$", re.MULTILINE)


def _expected_returncode(output: str) -> int:
    """The documented exit codes: 2 when a config (or a class to model) is invalid, 1 for a stale schema or a
    diff that found changes, else 0."""
    if _ERROR_LINE.search(output) or re.search(r'"valid": false', output):
        return 2
    if re.search(r" (is stale|does not exist): run ", output):
        return 1
    lines = [line for line in output.splitlines() if line.strip()]
    if lines and all(re.match(r"[~+-] [\w.\[\]]+: ", line) for line in lines):  # typedseg diff: they differ
        return 1
    if re.search(r"cannot be a config field|is not module\.path:ClassName|cannot import '", output):
        return 2  # typedseg codegen class refused the class
    return 0


def test_the_docs_have_console_examples() -> None:
    assert len(CONSOLE_EXAMPLES) >= 50, [example.id for example in CONSOLE_EXAMPLES]


@pytest.mark.parametrize("example", CONSOLE_EXAMPLES, ids=[example.id for example in CONSOLE_EXAMPLES])
def test_console_example_prints_what_the_page_shows(example: Example, outputs: dict[str, Ran]) -> None:
    assert example.command, (
        f"{example.id}: a console block must start with '$ typedseg ...' (fence unchecked output as ```text)"
    )
    ran = outputs[example.command]
    actual = _normalised(ran.output.split("\n"))
    expected = _normalised(example.expected)
    assert _matches(expected, actual), (
        f"{example.id}: `{example.command}` prints something else now.\n--- page\n"
        + "\n".join(expected)
        + "\n--- actual\n"
        + "\n".join(actual)
    )
    assert ran.returncode == _expected_returncode(ran.output), (
        f"{example.id}: `{example.command}` exited {ran.returncode}"
    )


# --- (2) the example configs ------------------------------------------------------------------------------------


def _config_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in CONFIG_SUFFIXES)


TOP_EXAMPLES = _config_files(EXAMPLES)
BROKEN = [p for p in TOP_EXAMPLES if p.stem.endswith("_broken")]
VALID = [p for p in TOP_EXAMPLES if p not in BROKEN]
MMCONFIG_PREFIX = "mmconfig-"
"""The codes (and example files) of the MMEngine config reader, typedseg.migrate.mmengine_config."""
MMENGINE_BLOCK = re.compile(
    r'^```text[^\n]*\n>>> (?:load_mmengine_config\("(?P<path>[^"]+)"\)'
    r'|print\(format_problems\(import_mmengine_config\("(?P<import_path>[^"]+)"\)\.problems\)\))\n'
    r"(?P<output>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
"""A docs/errors.md block showing what reading (`load_mmengine_config`) or importing (`import_mmengine_config`)
an MMEngine config gives."""
IMPORT_FILES = sorted(
    ROOT / m["import_path"]
    for m in MMENGINE_BLOCK.finditer(ERRORS_PAGE.read_text(encoding="utf-8"))
    if m["import_path"]
)
"""The MMEngine configs that docs/errors.md imports: each gives the code it is named after."""
MMCONFIG_FILES = sorted(ERROR_EXAMPLES.glob(f"{MMCONFIG_PREFIX}*.py"))
ERROR_FILES = sorted(
    p
    for p in ERROR_EXAMPLES.iterdir()
    if p.is_file() and not p.name.startswith(MMCONFIG_PREFIX) and p not in IMPORT_FILES
)
RUN_TIME_ONLY = {"amp-float16-needs-cuda"}
"""Codes that depend on the machine: checked when a run starts, not by `typedseg validate`."""


@pytest.fixture
def examples_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The docs' user package (docs/examples/mypkg) importable, as `PYTHONPATH=docs/examples` makes it."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.delenv("SEG_WORK_ROOT", raising=False)


def _problems(path: Path) -> tuple[bool, list[Problem]]:
    """(valid, problems) of a config, as `typedseg validate` sees it."""
    try:
        loaded = load_config(path)
    except ConfigError as exc:
        return False, exc.problems
    return True, loaded.warnings


def _codes_shown_for(path: Path) -> set[str]:
    """The codes that the pages show `typedseg validate <path>` reporting."""
    rel = str(path.relative_to(ROOT))
    shown: set[str] = set()
    for example in CONSOLE_EXAMPLES:
        if rel in shlex.split(example.command or "''") and "--set" not in example.command:
            shown |= set(re.findall(rf"  \[({_CODE})\]$", "\n".join(example.expected), flags=re.MULTILINE))
    return shown


@pytest.mark.usefixtures("examples_importable")
@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_example_config_validates(path: Path) -> None:
    valid, problems = _problems(path)
    assert valid, [(p.code, p.message) for p in problems]


@pytest.mark.usefixtures("examples_importable")
@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_example_fails_as_its_page_says(path: Path) -> None:
    shown = _codes_shown_for(path)
    assert shown, f"no page shows `typedseg validate {path.relative_to(ROOT)}` with its problems"
    valid, problems = _problems(path)
    assert not valid
    assert {p.code for p in problems if p.is_error} == shown


@pytest.mark.usefixtures("examples_importable")
@pytest.mark.parametrize("path", ERROR_FILES, ids=[p.name for p in ERROR_FILES])
def test_error_example_triggers_its_code(path: Path) -> None:
    code = path.stem
    assert code in source_codes(), f"{path.name} is named after no problem code"
    valid, problems = _problems(path)
    if code in RUN_TIME_ONLY:
        from typedseg.config.rules.optim import check_optim_runtime

        assert valid, [(p.code, p.message) for p in problems]
        problems = check_optim_runtime(load_config(path).experiment.optim_wrapper, cuda_available=False)
    assert [p.code for p in problems] == [code], [(p.code, p.message) for p in problems]


def _sections() -> dict[str, str]:
    text = ERRORS_PAGE.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+?)\s*$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


TEXT_BLOCK = re.compile(r"^```text[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
BEHAVIOUR_TESTS = ROOT / "tests"


def _literals_asserted(tree: ast.AST) -> Iterator[str]:
    """The string constants inside the tested expression of every `assert` statement (not its message)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            for inner in ast.walk(node.test):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    yield inner.value


@cache
def codes_asserted_by_behaviour_tests() -> frozenset[str]:
    """Codes that a test module under tests/ (test_*.py; not this file, not fixtures) asserts: a string literal in
    the condition of an `assert` that is the code (`.code == "non-finite-loss"`) or holds it as printed
    (`"[no-loss]" in err`)."""
    found: set[str] = set()
    for path in sorted(BEHAVIOUR_TESTS.rglob("test_*.py")):
        if (
            path.resolve() == Path(__file__).resolve()
            or "fixtures" in path.relative_to(BEHAVIOUR_TESTS).parts
        ):
            continue
        for literal in _literals_asserted(ast.parse(path.read_text(encoding="utf-8"))):
            if re.fullmatch(_CODE, literal):
                found.add(literal)
            found.update(re.findall(rf"\[({_CODE})\]", literal))
    return frozenset(found)


def test_behaviour_test_codes_are_read_from_assertions_only() -> None:
    tree = ast.parse(
        'assert err.code == "no-loss"\nassert "[non-finite-loss]" in out, "not-asserted"\nx = "dist-init-failed"'
    )
    assert set(_literals_asserted(tree)) == {"no-loss", "[non-finite-loss]"}


def test_every_error_section_shows_its_code_in_real_output() -> None:
    """Each section shows its code in output that a test checks: a ```console block (re-run above), an MMEngine
    block, or, for a run-time code that no cheap command reaches (it needs training iterations, a second process,
    a damaged file, a GPU), a ```text block with the message while a behaviour test triggers the code and asserts
    it (see `codes_asserted_by_behaviour_tests`)."""
    asserted = codes_asserted_by_behaviour_tests()
    lacking = []
    for code, body in _sections().items():
        shown = any(f"  [{code}]" in block["body"] for block in CONSOLE_BLOCK.finditer(body))
        shown |= any(f"[{code}]" in block["output"] for block in MMENGINE_BLOCK.finditer(body))
        included = f'--8<-- "docs/examples/errors/{code}.' in body
        tested = code in asserted and any(
            f"  [{code}]" in block["body"] for block in TEXT_BLOCK.finditer(body)
        )
        if not (shown or tested or (code in RUN_TIME_ONLY and included)):
            lacking.append(code)
    assert not lacking, (
        "sections without a checked output block that reports their code (a ```console block, or a ```text block "
        f"with the message and a behaviour test under tests/ that asserts the code): {lacking}"
    )


# --- reading and importing MMEngine configs (no command yet: their examples are checked here) ---------------------


def _mmengine_output(path: str | None, import_path: str | None) -> list[str]:
    """What a block's call prints, run from the repository root, absolute paths shortened to it: the
    `MMConfigError` that `load_mmengine_config(path)` raises, or the problems `import_mmengine_config(import_path)`
    reports, as `format_problems` writes them."""
    from typedseg.loading.render import format_problems
    from typedseg.migrate.importer import import_mmengine_config

    cwd = os.getcwd()
    os.chdir(ROOT)  # the pages' commands run from the repository root; problems show paths relative to it
    try:
        if path is not None:
            try:
                load_mmengine_config(path)
            except MMConfigError as error:
                text = f"MMConfigError: {error}"
            else:
                text = "(no error)"
        else:
            assert import_path is not None
            text = format_problems(import_mmengine_config(import_path).problems)
    finally:
        os.chdir(cwd)
    return text.replace(f"{ROOT}{os.sep}", "").split("\n")


def _mmengine_blocks() -> list[tuple[str, list[str], list[str]]]:
    """(call, output shown, output now) of every MMEngine block on docs/errors.md."""
    text = ERRORS_PAGE.read_text(encoding="utf-8")
    return [
        (
            m[0].split("\n")[1],
            _normalised(m["output"].split("\n")),
            _normalised(_mmengine_output(m["path"], m["import_path"])),
        )
        for m in MMENGINE_BLOCK.finditer(text)
    ]


@pytest.mark.parametrize("path", MMCONFIG_FILES, ids=[p.name for p in MMCONFIG_FILES])
def test_mmconfig_example_raises_its_code(path: Path) -> None:
    with pytest.raises(MMConfigError) as raised:
        load_mmengine_config(path)
    assert [p.code for p in raised.value.problems] == [path.stem], str(raised.value)


@pytest.mark.parametrize("path", IMPORT_FILES, ids=[p.name for p in IMPORT_FILES])
def test_imported_example_gives_its_code(path: Path) -> None:
    from typedseg.migrate.importer import import_mmengine_config

    problems = import_mmengine_config(path).problems
    assert [p.code for p in problems] == [path.stem], [(p.code, p.message) for p in problems]


def test_mmengine_blocks_show_what_the_calls_print() -> None:
    blocks = _mmengine_blocks()
    calls = "\n".join(call for call, _, _ in blocks)
    unshown = [str(p.relative_to(ROOT)) for p in MMCONFIG_FILES if f'"{p.relative_to(ROOT)}"' not in calls]
    assert not unshown, f"mmconfig examples without a load_mmengine_config block on docs/errors.md: {unshown}"
    for call, shown, actual in blocks:
        assert shown == actual, (
            f"`{call[4:]}` prints something else now.\n--- page\n"
            + "\n".join(shown)
            + "\n--- actual\n"
            + "\n".join(actual)
        )


# --- what the pages claim about formats -----------------------------------------------------------------------


def test_the_yaml_quickstart_is_the_python_quickstart() -> None:
    python = load_config(ROOT / "configs" / "quickstart.py").experiment
    assert load_config(EXAMPLES / "quickstart.yaml").experiment == python


@pytest.mark.usefixtures("examples_importable")
@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_show_output_loads_back_equal(path: Path, tmp_path: Path) -> None:
    experiment = load_config(path).experiment
    for name, text in (("shown.yaml", to_yaml(experiment)), ("shown.json", to_json(experiment))):
        (tmp_path / name).write_text(text, encoding="utf-8")
        # Outside docs/examples no pyproject allows the docs' package: allow it here, as `--allow-import` does.
        assert load_config(tmp_path / name, allow_import=["mypkg"]).experiment == experiment, name
    (tmp_path / "shown.py").write_text(to_python(experiment, source=str(path)), encoding="utf-8")
    assert load_config(tmp_path / "shown.py").experiment == experiment


# --- keeping the pages true: `python -m tests.test_docs --update` (from the repository root) ---------------


def _refreshed(expected: list[str], actual: list[str]) -> list[str] | None:
    """`actual`, elided where `expected` elides (same number of lines kept at each place); None if unsure."""
    pieces: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == ELIDED:
            pieces.append([])
        else:
            pieces[-1].append(line)
    if len(pieces) == 1:
        return actual
    head, *middle, tail = pieces
    result = [*actual[: len(head)], ELIDED]
    position = len(head)
    for piece in middle:
        starts = [i for i in range(position, len(actual)) if piece and actual[i] == piece[0]]
        if not starts:
            return None
        result += [*actual[starts[0] : starts[0] + len(piece)], ELIDED]
        position = starts[0] + len(piece)
    if len(actual) - len(tail) < position:
        return None
    result += actual[len(actual) - len(tail) :] if tail else []
    return result if result[-1] != ELIDED or not tail else None


def _refreshed_mmengine_block(block: re.Match[str]) -> str:
    """An MMEngine block of docs/errors.md with what its call prints now."""
    start, end = block.start("output") - block.start(), block.end("output") - block.start()
    output = _mmengine_output(block["path"], block["import_path"])
    return block[0][:start] + "\n".join(output) + "\n" + block[0][end:]


def update_pages() -> int:
    """Rewrite every console block's output with what its command prints now, and the MMEngine blocks of
    docs/errors.md with what their call prints now. Returns the blocks left as they were."""
    unsure = 0
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        rebuilt: list[str] = []
        last = 0
        for block in CONSOLE_BLOCK.finditer(text):
            lines = block["body"].rstrip("\n").split("\n")
            if not lines or not lines[0].startswith("$ "):
                continue
            body: list[str] = []
            for start, count, command, output in _commands(lines):
                fresh = _refreshed(_normalised(output), _normalised(_run(command).output.split("\n")))
                if fresh is None:
                    unsure += 1
                    print(f"{page.relative_to(ROOT)}: left as it was, elision unclear: $ {command}")
                    fresh = output
                body += [*lines[start : start + count - len(output)], *fresh]
            rebuilt += [text[last : block.start("body")], "\n".join(body) + "\n"]
            last = block.end("body")
        new = "".join([*rebuilt, text[last:]])
        if page == ERRORS_PAGE:
            new = MMENGINE_BLOCK.sub(_refreshed_mmengine_block, new)
        if new != text:
            page.write_text(new, encoding="utf-8")
            print(f"updated {page.relative_to(ROOT)}")
    return unsure


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(
            "usage: python -m tests.test_docs --update   (rewrites the console output on the docs pages)"
        )
    sys.exit(1 if update_pages() else 0)
