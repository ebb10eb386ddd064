"""The tagged union over every decode head: for type checkers and the JSON Schema."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import SerializeAsAny, Tag, WithJsonSchema

from typedseg.config.base import USER_JSON_SCHEMA, USER_TAG, discriminate, user_validator
from typedseg.config.lazy import tags_of
from typedseg.config.models.heads._base import UserHead
from typedseg.config.models.heads.aspp import ASPPHead, DepthwiseSeparableASPPHead
from typedseg.config.models.heads.fcn import FCNHead
from typedseg.config.models.heads.segformer import SegformerHead
from typedseg.config.models.heads.uper import UPerHead

_TaggedHeads = Union[
    Annotated[FCNHead, Tag("FCNHead")],
    Annotated[ASPPHead, Tag("ASPPHead")],
    Annotated[DepthwiseSeparableASPPHead, Tag("DepthwiseSeparableASPPHead")],
    Annotated[SegformerHead, Tag("SegformerHead")],
    Annotated[UPerHead, Tag("UPerHead")],
    Annotated[
        SerializeAsAny[UserHead],
        user_validator(UserHead),
        Tag(USER_TAG),
        WithJsonSchema(USER_JSON_SCHEMA),
    ],
]
_HeadConfigUnion = Annotated[_TaggedHeads, discriminate(tags_of(_TaggedHeads))]
