"""MMSegmentation's ASPPHead (DeepLabV3) and DepthwiseSeparableASPPHead (DeepLabV3+)."""

from typing import Annotated, Literal

from pydantic import Field, PositiveInt

from typedseg.config.base import Rules, Seq
from typedseg.config.models.heads._base import _OneMapHead


class _ASPP(_OneMapHead):
    """The ASPP heads' shared argument."""

    dilations: Seq[PositiveInt] = (1, 6, 12, 18)
    """Dilation of each parallel branch (1 makes a 1x1 conv); the corpus uses (1, 12, 24, 36) for output
    stride 8."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if not self.dilations:
            rules.add(
                "aspp-no-dilations",
                ("dilations",),
                "dilations is empty: ASPP would have no dilated branch.",
                "Give the branch dilations, e.g. dilations=(1, 12, 24, 36) for output stride 8.",
            )


class ASPPHead(_ASPP):
    """DeepLabV3's atrous spatial pyramid pooling: parallel dilated convs and an image pool, fused."""

    type: Literal["ASPPHead"] = "ASPPHead"
    """MMSegmentation's registry name of the head."""


class DepthwiseSeparableASPPHead(_ASPP):
    """DeepLabV3+'s head: ASPP with depthwise-separable convs, and a decoder fusing a low-level map."""

    type: Literal["DepthwiseSeparableASPPHead"] = "DepthwiseSeparableASPPHead"
    """MMSegmentation's registry name of the head."""
    c1_in_channels: Annotated[int, Field(ge=0)]
    """Channels of the low-level map, the backbone's (or neck's) first output; 0: no low-level decoder."""
    c1_channels: Annotated[int, Field(ge=0)]
    """Channels the low-level map is reduced to before fusion."""

    def low_level_channels(self) -> int | None:
        return self.c1_in_channels if self.c1_in_channels > 0 else None

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if self.c1_in_channels == 0 and self.c1_channels != 0:
            rules.add(
                "c1-channels-without-input",
                ("c1_channels",),
                f"c1_in_channels=0 turns the low-level decoder off, but c1_channels={self.c1_channels} still "
                "widens the fusion conv's input, which then does not match (a runtime error).",
                "Set c1_channels=0 too, or give c1_in_channels (the channels of the backbone's first output).",
            )
