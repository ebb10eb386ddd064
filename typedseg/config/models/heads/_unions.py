"""`HeadConfig` as fields validate it: through a `LazyUnion`, importing only the member a config names.

Type checkers and the JSON Schema export see the real tagged union (`_tagged`); tests/config/test_unions.py
keeps the tag list below equal to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from typedseg.config.base import SCHEMA_MODE
from typedseg.config.lazy import LazyUnion

HEAD_TYPES = frozenset({"FCNHead", "ASPPHead", "DepthwiseSeparableASPPHead", "SegformerHead", "UPerHead"})
"""Every built-in `type`."""

if TYPE_CHECKING or SCHEMA_MODE:
    from typedseg.config.models.heads._tagged import _HeadConfigUnion

    HeadConfig = _HeadConfigUnion
else:
    HeadConfig = Annotated[Any, LazyUnion("typedseg.config.models.heads", HEAD_TYPES, "UserHead")]
"""A decode head: ours by `type`, or a user's `UserHead` subclass by its dotted path."""
