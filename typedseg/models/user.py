"""A user config's own module: its `build()`, checked to be a torch module (every family's builder uses it)."""

from __future__ import annotations

from torch import nn

from typedseg.config.base import UserConfig


def user_module(cfg: UserConfig) -> nn.Module:
    """What `cfg.build()` returns; anything but an `nn.Module` is a bug in the user's class, said plainly."""
    built = cfg.build()
    if not isinstance(built, nn.Module):
        raise TypeError(f"{cfg.type}.build() returned {type(built).__name__}, not a torch nn.Module")
    return built
