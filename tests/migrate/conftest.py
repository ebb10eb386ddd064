"""Fixtures for the MMEngine config reader: small config trees in tmp_path, and the mmsegmentation 1.2.2 corpus.

The corpus (769 configs under `mmseg/.mim/configs` of the `mmsegmentation==1.2.2` wheel) is downloaded once with
`pip download` into `.corpus/` at the repository root (git-ignored) and only that folder of the wheel is unzipped.
Without network the corpus tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from typedseg.migrate.mmengine_config import MMConfig, MMConfigError, MMConfigLoader

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".corpus"
REQUIREMENT = "mmsegmentation==1.2.2"
CONFIGS_IN_WHEEL = "mmseg/.mim/configs/"

Write = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """`write("sub/base.py", source)`: a dedented config file under tmp_path; returns its path."""

    def _write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
        return path

    return _write


def _wheel() -> Path | None:
    found = sorted(CACHE.glob("mmsegmentation-1.2.2-*.whl"))
    return found[0] if found else None


def _download() -> Path:
    CACHE.mkdir(exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--no-input",
        REQUIREMENT, "-d", str(CACHE),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"corpus: cannot run `pip download {REQUIREMENT}`: {error}")
    wheel = _wheel()
    if done.returncode != 0 or wheel is None:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no wheel"]
        pytest.skip(f"corpus: `pip download {REQUIREMENT}` failed (no network?): {reason[0]}")
    return wheel


@pytest.fixture(scope="session")
def mmseg_configs() -> Path:
    """The `configs` folder of the mmsegmentation 1.2.2 wheel, unpacked under `.corpus/`."""
    target = CACHE / "mmsegmentation-1.2.2"
    configs = target / CONFIGS_IN_WHEEL
    if (target / ".complete").is_file():
        return configs
    wheel = _wheel() or _download()
    partial = CACHE / f".unpacking-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            name = member.filename
            if name.startswith(CONFIGS_IN_WHEEL) and not name.endswith("/") and ".." not in Path(name).parts:
                archive.extract(member, partial)
    (partial / ".complete").touch()
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)
    return configs


@dataclass(frozen=True)
class Corpus:
    root: Path
    results: dict[str, MMConfig]
    """Path relative to the configs folder -> the loaded config."""
    errors: dict[str, MMConfigError]
    seconds: float

    def __getitem__(self, name: str) -> MMConfig:
        return self.results[name]

    @property
    def leaves(self) -> dict[str, MMConfig]:
        return {name: result for name, result in self.results.items() if not name.startswith("_base_/")}


@pytest.fixture(scope="session")
def corpus(mmseg_configs: Path) -> Corpus:
    """Every config of the corpus, read once with one loader (timed)."""
    files = sorted(mmseg_configs.rglob("*.py"))
    loader = MMConfigLoader()
    results: dict[str, MMConfig] = {}
    errors: dict[str, MMConfigError] = {}
    start = time.perf_counter()
    for path in files:
        name = path.relative_to(mmseg_configs).as_posix()
        try:
            results[name] = loader.load(path)
        except MMConfigError as error:
            errors[name] = error
    return Corpus(mmseg_configs, results, errors, time.perf_counter() - start)
