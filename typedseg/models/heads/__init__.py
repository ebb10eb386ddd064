"""Decode heads in pure PyTorch with MMSegmentation's parameter names; `build_head` maps each head config class to
its module."""

from typing import assert_never

from typedseg.config.models.heads import (
    ASPPHead,
    DepthwiseSeparableASPPHead,
    FCNHead,
    SegformerHead,
    UPerHead,
    UserHead,
)
from typedseg.models.heads.base import DecodeHead


def build_head(
    cfg: FCNHead | ASPPHead | DepthwiseSeparableASPPHead | SegformerHead | UPerHead | UserHead,
) -> DecodeHead:
    """The decode head module of a head config."""
    match cfg:
        case FCNHead():
            from typedseg.models.heads.fcn import FCNHeadModule

            return FCNHeadModule(cfg)
        case ASPPHead():
            from typedseg.models.heads.aspp import ASPPHeadModule

            return ASPPHeadModule(cfg)
        case DepthwiseSeparableASPPHead():
            from typedseg.models.heads.aspp import DepthwiseSeparableASPPHeadModule

            return DepthwiseSeparableASPPHeadModule(cfg)
        case SegformerHead():
            from typedseg.models.heads.segformer import SegformerHeadModule

            return SegformerHeadModule(cfg)
        case UPerHead():
            from typedseg.models.heads.uper import UPerHeadModule

            return UPerHeadModule(cfg)
        case UserHead():
            built = cfg.build()
            if not isinstance(built, DecodeHead):
                raise TypeError(
                    f"{cfg.type}.build() returned {type(built).__name__}; a decode head must subclass "
                    "typedseg.models.heads.base.DecodeHead"
                )
            return built
        case _:
            assert_never(cfg)
