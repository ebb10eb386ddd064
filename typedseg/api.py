"""The Python API on one page: load a config, build its model, run it.

    import typedseg

    experiment = typedseg.load_config("configs/quickstart.py", overrides=["train_cfg.max_iters=200"])
    model = typedseg.build_model(experiment.model)          # a torch.nn.Module
    runner = typedseg.Runner(experiment, work_dir="work_dirs/quickstart")
    runner.train()                                          # then runner.test(checkpoint)

`typedseg` exports these lazily: `import typedseg` stays light and imports torch only when `build_model` or
`Runner` is first used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn

    from typedseg.config.experiment import Experiment


def load_config(
    path: str | Path, overrides: Sequence[str] = (), *, allow_import: Sequence[str] = ()
) -> Experiment:
    """Load, validate and override one config file (.py, .yaml, .json); raises ConfigError with located
    problems. Warnings are dropped here (`typedseg validate` shows them)."""
    from typedseg.loading import load_config as load

    experiment: Experiment = load(path, overrides, allow_import=allow_import).experiment
    return experiment


def build_model(model_cfg: Any) -> nn.Module:
    """The torch module of a model config (`experiment.model`), with its initialisation applied."""
    from typedseg.models import build_model as build

    model: nn.Module = build(model_cfg)
    return model
