"""What every weight initializer (`init_cfg`) shares: the layers it targets, its `override` entries, and helpers
that read an init_cfg. Each initializer lives in the module of its kind (`init_random`, `init_fan`, ...)."""

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import model_validator

from typedseg.config.base import Rules, Seq
from typedseg.config.models.common._overrides import InitOverride
from typedseg.config.models.common._shared import one_or_many
from typedseg.config.models.common.init_args import _InitArgs

LayerNames = str | Seq[str]


class _LayerInit(_InitArgs):
    """A top-level weight initializer: applies to the layers named by `layer`, and to `override`'s modules."""

    layer: LayerNames | None = None
    """Layer class names to initialize (`Conv2d`, `_BatchNorm`, ...): a layer matches by its class or a base.
    None: no layer (only `override` is initialized)."""
    override: Annotated[InitOverride | Seq[InitOverride], one_or_many(InitOverride)] | None = None
    """Sub-modules, by attribute name, initialized as a whole (by this initializer or their own)."""

    @model_validator(mode="after")
    def _check_target(self) -> "_LayerInit":
        rules = Rules()
        if self.layer is None and self.override is None:
            rules.add(
                "init-targets-nothing",
                ("layer",),
                f"{self.type} has neither layer nor override, so MMEngine initializes nothing with it.",
                "Name the layer classes to initialize, e.g. layer='Conv2d' (or a list), "
                "or a sub-module with override=dict(name=...).",
            )
        elif self.layer is not None and not isinstance(self.layer, str) and not self.layer:
            rules.add(
                "init-targets-nothing",
                ("layer",),
                f"layer is empty, so {self.type} initializes no layer.",
                "Name the layer classes to initialize, e.g. layer=['Conv2d', 'Linear'].",
            )
        rules.raise_if_any()
        return self


def initializers(init_cfg: Any) -> tuple[Any, ...]:
    """The initializers of an init_cfg value (None, one, or a sequence) as a tuple."""
    if init_cfg is None:
        return ()
    if isinstance(init_cfg, Sequence):
        return tuple(init_cfg)
    return (init_cfg,)


def checkpoints(init_cfg: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """`(path below init_cfg, checkpoint)` of every Pretrained initializer in an init_cfg, overrides included."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    many = isinstance(init_cfg, Sequence)
    for index, init in enumerate(initializers(init_cfg)):
        at: tuple[str | int, ...] = (index,) if many else ()
        if (checkpoint := init.pretrained_checkpoint()) is not None:
            found.append(((*at, "checkpoint"), checkpoint))
        override = getattr(init, "override", None)
        many_overrides = isinstance(override, Sequence)
        for k, entry in enumerate(initializers(override)):
            if (checkpoint := entry.pretrained_checkpoint()) is not None:
                where: tuple[str | int, ...] = (k,) if many_overrides else ()
                found.append(((*at, "override", *where, "checkpoint"), checkpoint))
    return found
