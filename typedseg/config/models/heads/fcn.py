"""MMSegmentation's FCNHead."""

from typing import Annotated, Literal

from pydantic import Field, PositiveInt

from typedseg.config.base import Rules
from typedseg.config.models.heads._base import _OneMapHead


class FCNHead(_OneMapHead):
    """FCN's head: num_convs convs, optionally concatenated with the input, then the classifier."""

    type: Literal["FCNHead"] = "FCNHead"
    """MMSegmentation's registry name of the head."""
    num_convs: Annotated[int, Field(ge=0)] = 2
    """Number of convs; 0 passes the input straight to the classifier (then in_channels must equal channels)."""
    kernel_size: PositiveInt = 3
    """Kernel of the convs."""
    concat_input: bool = True
    """Concatenate the input with the conv output and fuse them with one more conv."""
    dilation: PositiveInt = 1
    """Dilation of the convs."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        feature = self._feature_channels()
        if self.num_convs == 0 and feature is not None and feature != self.channels:
            rules.add(
                "fcn-no-convs-channels",
                ("channels",),
                f"num_convs=0 feeds the input ({feature} channels) to the classifier directly, so channels must "
                f"be {feature}, not {self.channels} (MMSegmentation asserts it).",
                f"Set channels={feature}, or num_convs=1.",
            )
