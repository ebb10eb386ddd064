"""Seeding, determinism and the RNG states a checkpoint carries (python, numpy, torch; CUDA when present).

The states are stored as plain lists and tensors so that checkpoints load with `weights_only=True`.
"""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np
import torch

from typedseg.config.runtime import RandomnessConfig


def resolve_seed(cfg: RandomnessConfig, rank: int = 0) -> int:
    """The run's seed: the configured one (plus the rank with diff_rank_seed), or a fresh random one."""
    seed = cfg.seed if cfg.seed is not None else int.from_bytes(os.urandom(4), "little") & 0x7FFFFFFF
    return seed + rank if cfg.diff_rank_seed else seed


def seed_everything(seed: int, deterministic: bool) -> None:
    """Seed python, numpy and torch; with `deterministic`, force deterministic kernels (MMEngine's rules)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)


def rng_state() -> dict[str, Any]:
    """Every global RNG's state, in types `weights_only=True` loads."""
    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    assert not isinstance(keys, str)
    state: dict[str, Any] = {
        "python": [version, list(internal), gauss],
        "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():  # type: ignore[no-untyped-call]
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what `rng_state()` returned."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
