"""The `init_cfg` field type: one initializer, or a list of them run in order."""

from typing import TYPE_CHECKING, Annotated, TypeAlias

from typedseg.config.base import Seq
from typedseg.config.models.common._shared import one_or_many
from typedseg.config.models.common._unions import Initializer

if TYPE_CHECKING:
    InitConfig: TypeAlias = Initializer | Seq[Initializer]
else:
    InitConfig = Annotated[Initializer | Seq[Initializer], one_or_many(Initializer)]
"""An `init_cfg`: one initializer, or a list run in order (a Pretrained one last)."""
