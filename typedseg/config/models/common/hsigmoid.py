"""The HSigmoid activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from pydantic import model_validator

from typedseg.config.base import ConfigModel, Rules


class HSigmoid(ConfigModel):
    """MMCV's hard sigmoid: min(max((x + bias) / divisor, min_value), max_value)."""

    type: Literal["HSigmoid"] = "HSigmoid"
    """MMCV's registry name of the activation."""
    bias: float = 3.0
    """Added to the input before dividing."""
    divisor: float = 6.0
    """Divides the shifted input; not 0."""
    min_value: float = 0.0
    """Lower clamp."""
    max_value: float = 1.0
    """Upper clamp."""

    @model_validator(mode="after")
    def _check(self) -> "HSigmoid":
        rules = Rules()
        if self.divisor == 0:
            rules.add(
                "hsigmoid-divisor-zero",
                ("divisor",),
                "divisor must not be 0: the shifted input is divided by it (MMCV asserts it).",
                "Use MMCV's divisor=6.0.",
            )
        rules.raise_if_any()
        return self
