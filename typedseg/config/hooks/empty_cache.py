"""MMEngine's EmptyCacheHook: releases the CUDA cache around epochs or iterations."""

from typing import Literal

from typedseg.config.base import ConfigModel
from typedseg.config.hooks._shared import Priority, _Hook


class EmptyCacheHook(ConfigModel, _Hook):
    """Calls `torch.cuda.empty_cache()` around epochs or after iterations, to release cached GPU memory."""

    type: Literal["EmptyCacheHook"] = "EmptyCacheHook"
    """MMEngine's registry name of this hook."""
    before_epoch: bool = False
    """Empty the cache before each epoch."""
    after_epoch: bool = True
    """Empty the cache after each epoch."""
    after_iter: bool = False
    """Empty the cache after each iteration (slow)."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""
