"""docs/cli/import.md runs `typedseg import` in an MMSegmentation checkout (its `configs/`): each such example is
re-run here on the mmsegmentation 1.2.2 corpus (`.corpus/`, see tests/migrate/conftest.py) and must print what
the page shows. The page's other examples are ```console blocks, run by tests/test_docs.py."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.migrate import conftest as migrate_fixtures

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "cli" / "import.md"
mmseg_configs = migrate_fixtures.mmseg_configs
"""The corpus fixture of tests/migrate (downloads the corpus when it is missing), for this module's tests."""
BLOCK = re.compile(r"^```text\n(?P<body>\$ typedseg import configs/.*?)^```$", re.MULTILINE | re.DOTALL)
EXAMPLES = [
    block["body"].rstrip("\n").split("\n") for block in BLOCK.finditer(PAGE.read_text(encoding="utf-8"))
]


def test_the_page_has_its_corpus_examples() -> None:
    assert len(EXAMPLES) == 3


@pytest.mark.parametrize("lines", EXAMPLES, ids=[lines[0].split("/")[1] for lines in EXAMPLES])
def test_an_import_example_prints_what_the_page_shows(
    lines: list[str], tmp_path: Path, mmseg_configs: Path
) -> None:
    # The corpus fixture downloads it when missing (a clean clone): a skip here would leave the page unchecked.
    (tmp_path / "configs").symlink_to(mmseg_configs)  # the checkout's layout; --out writes into tmp_path
    words = shlex.split(lines[0][2:])
    script = Path(sys.executable).with_name("typedseg")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(script), *words[1:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.stderr.rstrip("\n").split("\n") == lines[1:]
    assert done.returncode == (0 if lines[-1].endswith(".py") and ": imported" in lines[-1] else 2)
