"""The initializer that loads weights from a checkpoint (`init_cfg`)."""

from typedseg.config.models.common.init_args import _PretrainedArgs


class PretrainedInit(_PretrainedArgs):
    """Load weights from a checkpoint (MMEngine runs it after the other initializers)."""
