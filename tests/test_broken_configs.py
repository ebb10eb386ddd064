"""Every config under tests/broken/ has exactly one mistake; validate must exit 2 naming its code, path and line.

Each file says what it expects in its first line, `# expect: CODE PATH`, and marks the offending line with a
trailing `# <- here` comment (YAML and Python alike). A file named `*.set.py` also lists the overrides to apply in
a second line, `# set: PATH=VALUE`, and then expects the problem to be blamed on `--set #1`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from typedseg.loading import load_config
from typedseg.problems import ConfigError, format_path

BROKEN = Path(__file__).parent / "broken"
FILES = sorted(
    p for p in BROKEN.iterdir() if p.suffix in (".py", ".yaml", ".yml", ".json") and p.name != "__init__.py"
)
EXPECT = re.compile(r"^# expect: (?P<code>[a-z0-9-]+) (?P<path>\S*)\s*$")


def _expectation(path: Path) -> tuple[str, str, int | None, list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    match = EXPECT.match(lines[0])
    assert match, f"{path.name}: first line must be '# expect: CODE PATH'"
    overrides = [line.removeprefix("# set: ") for line in lines[1:3] if line.startswith("# set: ")]
    marked = [number for number, line in enumerate(lines, start=1) if line.rstrip().endswith("# <- here")]
    assert len(marked) <= 1, f"{path.name}: mark one line at most"
    return match["code"], match["path"], marked[0] if marked else None, overrides


def test_the_corpus_is_large_enough() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_broken_config_is_reported_at_its_line(path: Path) -> None:
    code, dotted, line, overrides = _expectation(path)
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    found = [(p.code, format_path(p.path), p.file, p.line) for p in info.value.errors]
    assert len(found) == 1, f"expected one problem, got {found}"
    got_code, got_path, got_file, got_line = found[0]
    assert (got_code, got_path) == (code, dotted)
    if overrides:
        assert got_file is not None and got_file.startswith("--set #1")
    else:
        assert got_file is not None and Path(got_file).resolve() == path.resolve()
        assert got_line == line, f"reported line {got_line}, marked line {line}"
