"""Checkpoint files that are never half-written and never silently wrong.

A save writes `.<name>.tmp.<pid>` in the target folder, fsyncs it, records its sha256 in the sidecar
`<name>.sha256` (sha256sum's format, so `sha256sum -c` checks it too), moves both into place with `os.replace`,
fsyncs the folder, and only then rewrites the `last_checkpoint` pointer (MMEngine's file: the absolute path of
the newest periodic checkpoint). Deleting old checkpoints is the caller's last step, after all of that.

Every load passes `weights_only=True` explicitly, after checking the sha256. When the newest checkpoint is
truncated or corrupted, the resume search reports it and takes the newest one that verifies.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from typedseg.engine.errors import RunError, TrainingFault
from typedseg.files import write_durably

POINTER = "last_checkpoint"
SIDECAR_SUFFIX = ".sha256"
_CHUNK = 1 << 20


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomic(path: Path, text: str) -> None:
    """Replace a small text file (a sidecar, the pointer) through the package's one atomic writer."""
    write_durably(path, lambda handle: handle.write(text.encode()))


def save_checkpoint_file(checkpoint: dict[str, Any], path: Path) -> str:
    """Write `checkpoint` to `path` atomically with its sha256 sidecar; returns the sha256.

    A write that fails (a full disk, a file-size limit) removes its temp file and leaves every existing file
    as it was; the error says so.
    """
    temp = path.with_name(f".{path.name}.tmp.{os.getpid()}")
    try:
        with temp.open("wb") as handle:
            torch.save(checkpoint, handle)
            handle.flush()
            os.fsync(handle.fileno())
        digest = sha256_of(temp)
        write_text_atomic(sidecar_of(path), f"{digest}  {path.name}\n")
        os.replace(temp, path)
        _fsync_dir(path.parent)
    except (OSError, RuntimeError) as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        reason = (
            os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc).splitlines()[0]
        )
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            reason = os.strerror(exc.errno)
        raise TrainingFault(
            "checkpoint-write-failed",
            f"could not write checkpoint {path} ({reason}); the checkpoints already on disk are intact and "
            f"'{path.parent / POINTER}' still names the last good one. Free disk space and resume.",
        ) from exc
    return digest


def write_pointer(folder: Path, checkpoint: Path) -> None:
    """Point `last_checkpoint` at `checkpoint` (after it and its sidecar are on disk)."""
    write_text_atomic(folder / POINTER, str(checkpoint.resolve()))


def read_pointer(folder: Path) -> Path | None:
    pointer = folder / POINTER
    if not pointer.is_file():
        return None
    text = pointer.read_text(encoding="utf8").strip()
    return Path(text) if text else None


def remove_checkpoint(path: Path) -> None:
    """Delete a checkpoint and its sidecar (missing files are fine)."""
    for item in (path, sidecar_of(path)):
        with contextlib.suppress(FileNotFoundError):
            item.unlink()


def verify(path: Path) -> str | None:
    """Why `path` cannot be trusted (missing, no sidecar, sha256 mismatch), or None when it verifies."""
    if not path.is_file():
        return "the file does not exist"
    sidecar = sidecar_of(path)
    if not sidecar.is_file():
        return f"it has no {sidecar.name} (it was not written completely by typedseg)"
    expected = sidecar.read_text(encoding="utf8").split()[0] if sidecar.stat().st_size else ""
    actual = sha256_of(path)
    if actual != expected:
        return f"its sha256 {actual[:12]}... does not match {sidecar.name} ({expected[:12]}...): truncated or corrupted"
    return None


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Load a typedseg checkpoint after checking its sha256 (`weights_only=True`, on the CPU)."""
    problem = verify(path)
    if problem is not None:
        raise RunError(
            "checkpoint-invalid",
            f"cannot use checkpoint {path}: {problem}.",
            "Resume from another checkpoint, or run without --resume.",
            file=path,
        )
    loaded = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(loaded, dict):
        raise RunError("checkpoint-invalid", f"{path} does not hold a checkpoint dict.", file=path)
    return loaded


@dataclass(frozen=True)
class ResumePoint:
    """The checkpoint a resume uses, and the newer ones it had to skip (with the reason)."""

    path: Path
    skipped: tuple[tuple[Path, str], ...] = ()


_STEP = re.compile(r"(\d+)")


def _candidates(folder: Path) -> list[Path]:
    """Checkpoints with a sidecar, newest first (best_* files are not resume points)."""
    found = [
        sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)])
        for sidecar in folder.glob(f"*.pth{SIDECAR_SUFFIX}")
        if not sidecar.name.startswith("best_")
    ]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns if p.exists() else 0, reverse=True)


def find_resume_point(folder: Path) -> ResumePoint | None:
    """The newest checkpoint in `folder` that verifies: the pointer's, else the newest valid one found."""
    skipped: list[tuple[Path, str]] = []
    pointed = read_pointer(folder)
    if pointed is not None:
        problem = verify(pointed)
        if problem is None:
            return ResumePoint(pointed)
        skipped.append((pointed, problem))
    for candidate in _candidates(folder):
        if candidate == pointed:
            continue
        problem = verify(candidate)
        if problem is None:
            return ResumePoint(candidate, tuple(skipped))
        skipped.append((candidate, problem))
    if skipped:
        reasons = "; ".join(f"{p.name}: {why}" for p, why in skipped)
        raise RunError(
            "no-valid-checkpoint",
            f"no checkpoint in {folder} can be resumed from ({reasons}).",
            "Start without --resume, or pass --resume PATH to a checkpoint you trust.",
        )
    return None


def sweep_temp_files(folder: Path) -> None:
    """Remove temp files a killed save left behind (`.<name>.tmp.<pid>`)."""
    for temp in folder.glob(".*.tmp.*"):
        with contextlib.suppress(OSError):
            temp.unlink()


# --- load_from: weights only, from typedseg, MMEngine or plain state-dict files -------------------------------


def read_weights(path: Path) -> dict[str, torch.Tensor]:
    """The model weights in a checkpoint file (typedseg's, MMEngine's `{"meta", "state_dict", ...}` or a plain
    state dict), read without running pickled code (typedseg.models.checkpoint: `weights_only=True`, MMEngine's
    pickled objects read as inert stand-ins)."""
    from typedseg.models.checkpoint import read_checkpoint, state_dict_of

    weights = state_dict_of(read_checkpoint(path))
    if not weights:
        raise RunError(
            "checkpoint-unreadable",
            f"{path} holds no tensors (neither a 'state_dict' entry nor a plain state dict).",
            "Give a checkpoint of model weights.",
            file=path,
        )
    return weights


def check_weights_fit(model: nn.Module, weights: dict[str, torch.Tensor], source: Path) -> list[str]:
    """Refuse weights from another model (no key in common, or different shapes); the missing and unexpected
    keys of a partial match are returned as notes (MMEngine loads those with strict=False)."""
    own = model.state_dict()
    common = own.keys() & weights.keys()
    if not common:
        raise RunError(
            "checkpoint-model-mismatch",
            f"{source} holds weights of another model: none of its {len(weights)} names matches this model's "
            f"{len(own)} (e.g. '{next(iter(weights), '')}' vs '{next(iter(own), '')}').",
            "Check load_from / --resume, or the model section of the config.",
            file=source,
        )
    wrong = [
        f"{key}: {tuple(weights[key].shape)} in the file, {tuple(own[key].shape)} in the model"
        for key in sorted(common)
        if weights[key].shape != own[key].shape
    ]
    if wrong:
        raise RunError(
            "checkpoint-model-mismatch",
            f"{source} does not fit this model: {len(wrong)} tensors differ in shape ({'; '.join(wrong[:3])}).",
            "Check load_from / --resume, or the model section of the config (num_classes, channels).",
            file=source,
        )
    notes = []
    if missing := sorted(own.keys() - weights.keys()):
        notes.append(
            f"missing in the checkpoint: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"
        )
    if unexpected := sorted(weights.keys() - own.keys()):
        notes.append(f"not in the model: {', '.join(unexpected[:5])}{' ...' if len(unexpected) > 5 else ''}")
    return notes


class CheckpointWriter:
    """Saves the run's checkpoint under a name; what goes in it is the runner's `collect` (model, optimizer,
    schedulers, hooks' state, loop position, sampler, RNG)."""

    def __init__(
        self, folder: Path, collect: Callable[[bool, bool], dict[str, Any]], *, writes: bool = True
    ) -> None:
        self.folder = folder
        self.collect = collect
        self.writes = writes
        """False on ranks other than 0: they collect (a collective) and write nothing, delete nothing."""
        self.last: Path | None = None

    def save(
        self,
        filename: str,
        *,
        folder: Path | None = None,
        save_optimizer: bool = True,
        save_param_scheduler: bool = True,
        update_pointer: bool = True,
    ) -> Path:
        """Write `folder/filename` durably; with `update_pointer`, `last_checkpoint` names it afterwards."""
        target = folder or self.folder
        path = target / filename
        checkpoint = self.collect(save_optimizer, save_param_scheduler)
        if not self.writes:
            self.last = path if update_pointer else self.last
            return path
        target.mkdir(parents=True, exist_ok=True)
        save_checkpoint_file(checkpoint, path)
        if update_pointer:
            write_pointer(self.folder, path)
            self.last = path
        return path
