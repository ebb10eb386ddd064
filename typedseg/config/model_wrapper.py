"""How several processes wrap the model: MMEngine's `model_wrapper_cfg` and its top-level `find_unused_parameters`.

MMEngine's Runner wraps the model in `MMDistributedDataParallel` (torch's DistributedDataParallel plus
`detect_anomalous_params`). Without `model_wrapper_cfg` it passes `broadcast_buffers=False` and the top-level
`find_unused_parameters`; with one, its keys go to DistributedDataParallel as they are, so torch's defaults apply
(`broadcast_buffers=True`) and the top-level `find_unused_parameters` is not read. `ddp_options` resolves the
two into the one wrapper config the engine uses.
"""

from typing import Annotated, Literal

from pydantic import Field

from typedseg.config.base import ConfigModel


class MMDistributedDataParallel(ConfigModel):
    """The DistributedDataParallel options of a run on several processes (MMEngine's `model_wrapper_cfg`).

    Every field is torch's DistributedDataParallel argument of that name, with torch's default, except
    `detect_anomalous_params`, which is MMEngine's.
    """

    type: Literal["MMDistributedDataParallel"] = "MMDistributedDataParallel"
    find_unused_parameters: bool = False
    """Find the parameters the forward did not use and mark them ready for the gradient all-reduce. Needed when
    some parameters get no gradient in an iteration (an unused branch, a head skipped by the data); costs a graph
    traversal per iteration."""
    broadcast_buffers: bool = True
    """Broadcast rank 0's buffers (BatchNorm running statistics) to every rank before each training forward
    (torch's default; MMEngine's Runner passes False when there is no model_wrapper_cfg)."""
    detect_anomalous_params: bool = False
    """In each training iteration, log (as errors) the trainable parameters that are not in the loss's graph: a
    debugging aid that slows training down (MMEngine's option)."""
    bucket_cap_mb: Annotated[int, Field(gt=0)] | None = None
    """Size in MiB of the gradient buckets all-reduced together; None is torch's default (25)."""
    gradient_as_bucket_view: bool = False
    """Gradients are views into the all-reduce buckets (saves a copy and the memory of the gradients)."""
    static_graph: bool = False
    """The set of used parameters and the graph are the same in every iteration (lets torch skip the search that
    find_unused_parameters does after the first iteration)."""


def ddp_options(
    model_wrapper_cfg: MMDistributedDataParallel | None, find_unused_parameters: bool
) -> MMDistributedDataParallel:
    """The wrapper options MMEngine's Runner would use: `model_wrapper_cfg` as it is, or, without one,
    `broadcast_buffers=False` and the top-level `find_unused_parameters`."""
    if model_wrapper_cfg is not None:
        return model_wrapper_cfg
    return MMDistributedDataParallel(broadcast_buffers=False, find_unused_parameters=find_unused_parameters)
