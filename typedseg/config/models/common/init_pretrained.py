"""The Pretrained weight initializer (`init_cfg`): MMEngine's, with its arguments."""

from typedseg.config.models.common.init_args import _PretrainedArgs


class PretrainedInit(_PretrainedArgs):
    """Load weights from a checkpoint (MMEngine runs it after the other initializers)."""
