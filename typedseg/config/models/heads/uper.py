"""MMSegmentation's UPerHead (UPerNet)."""

from typing import Literal

from pydantic import PositiveInt

from typedseg.config.base import Rules, Seq
from typedseg.config.models.heads._base import _MultiMapHead


class UPerHead(_MultiMapHead):
    """UPerNet's head: a pyramid pooling module on the last map and an FPN over all of them."""

    type: Literal["UPerHead"] = "UPerHead"
    """MMSegmentation's registry name of the head."""
    pool_scales: Seq[PositiveInt] = (1, 2, 3, 6)
    """Output sizes of the pyramid pooling module's adaptive pools."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if not self.pool_scales:
            rules.add(
                "uper-no-pool-scales",
                ("pool_scales",),
                "pool_scales is empty: the pyramid pooling module would have no branch.",
                "Use pool_scales=(1, 2, 3, 6).",
            )
