"""MMEngine's SyncBuffersHook: synchronises model buffers (BN statistics) across ranks each epoch."""

from typing import Literal

from typedseg.config.base import ConfigModel
from typedseg.config.hooks._shared import Priority, _Hook


class SyncBuffersHook(ConfigModel, _Hook):
    """Averages model buffers (BatchNorm statistics) across processes after train epochs and before val."""

    type: Literal["SyncBuffersHook"] = "SyncBuffersHook"
    """MMEngine's registry name of this hook."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""

    def second_copy(self) -> str | None:
        return "buffers would be synchronised twice"
