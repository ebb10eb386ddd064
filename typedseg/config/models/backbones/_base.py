"""What every backbone shares: output reporting, out_indices and pretrained checks; a user's base."""

from collections.abc import Sequence
from itertools import pairwise
from typing import Annotated

from pydantic import Field

from typedseg.config.base import ConfigModel, Rules, UserConfig

DropRate = Annotated[float, Field(ge=0.0, lt=1.0)]
"""A drop probability: 1 would drop everything (and divide by zero in DropPath)."""


class _Backbone(ConfigModel):
    """What every built-in backbone reports about its outputs."""

    type: str
    """The backbone's registry name."""

    def out_channels(self) -> tuple[int, ...] | None:
        """Channels of each output, in the order the backbone returns them; None when not known."""
        return None

    def num_outputs(self) -> int | None:
        """How many feature maps the backbone returns; None when not known."""
        channels = self.out_channels()
        return None if channels is None else len(channels)

    def describe(self) -> str:
        """A short name for messages: `ResNetV1c depth 50`."""
        return self.type

    def library(self) -> str:
        """Whose class this is, for messages: MMSegmentation's, or MMPretrain's (ConvNeXt)."""
        return "MMSegmentation"

    def takes_pretrained(self) -> bool:
        """Whether the class has a `pretrained` argument, which the model's `pretrained` is handed to."""
        return "pretrained" in type(self).model_fields

    def pooling_setting(self) -> str | None:
        """The field whose current value makes each output one pooled vector per image (a classification
        setting decode heads cannot use); None: the outputs are feature maps."""
        return None

    def input_divisor(self) -> int:
        """What the input's height and width must be divisible by (the class asserts it); 1: any size."""
        return 1


def _check_out_indices(rules: Rules, out_indices: Sequence[int], num_stages: int, field: str) -> None:
    """out_indices name stages 0..num_stages-1, increasing: outputs come in stage order whatever the order."""
    for k, index in enumerate(out_indices):
        if not 0 <= index < num_stages:
            rules.add(
                "out-indices-range",
                (field, k),
                f"out_indices[{k}] = {index} is not a stage: this backbone has {num_stages} stages "
                f"(0 to {num_stages - 1}), so it would never be output.",
                f"Use stage indices from 0 to {num_stages - 1}.",
            )
    if any(b <= a for a, b in pairwise(out_indices)):
        rules.add(
            "out-indices-order",
            (field,),
            f"out_indices {list(out_indices)} are not increasing: the backbone returns its outputs in stage "
            f"order, once each ({sorted(set(out_indices))}), so heads' in_index would not mean what this says.",
            f"Write out_indices={sorted(set(out_indices))}.",
        )


def _check_length(rules: Rules, field: str, values: Sequence[object], expected: int, what: str) -> None:
    if len(values) != expected:
        rules.add(
            "stage-args-length",
            (field,),
            f"{field} has {len(values)} entries, but there are {expected} stages ({what}); MMSegmentation needs "
            "one per stage.",
            f"Give {expected} entries.",
        )


def _check_pretrained(rules: Rules, pretrained: str | None, init_cfg: object) -> None:
    if pretrained is not None and init_cfg:
        rules.add(
            "pretrained-with-init-cfg",
            ("pretrained",),
            "pretrained and init_cfg are both set; MMSegmentation asserts that at most one is "
            "(pretrained=X means init_cfg=dict(type='Pretrained', checkpoint=X)).",
            "Keep init_cfg=dict(type='Pretrained', checkpoint=...) and remove pretrained.",
        )


class UserBackbone(UserConfig):
    """Base for a user's own backbone config. Implement `out_channels()` to have heads checked against it."""

    def out_channels(self) -> tuple[int, ...] | None:
        """Channels of each output, in the order the backbone returns them; None: not known (not checked)."""
        return None

    def num_outputs(self) -> int | None:
        """How many feature maps the backbone returns; None: not known."""
        channels = self.out_channels()
        return None if channels is None else len(channels)

    def describe(self) -> str:
        """A short name for messages."""
        return self.type
