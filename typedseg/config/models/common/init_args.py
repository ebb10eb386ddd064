"""What MMEngine's initializers share: their arguments, and the plain `name` override (no initializer of its own)."""

from typing import Annotated, Literal

from pydantic import Field

from typedseg.config.base import ConfigModel


class _InitArgs(ConfigModel):
    """Arguments of MMEngine's BaseInit: the bias every weight initializer also sets."""

    type: str
    """MMEngine's registry name of the initializer."""
    bias: float = 0.0
    """Value the biases are filled with."""
    bias_prob: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    """Instead of bias: the prior probability p the bias encodes, bias = -log((1 - p) / p)."""

    def pretrained_checkpoint(self) -> str | None:
        """The checkpoint this initializer loads (only Pretrained ones do): what the rules ask of any init entry."""
        return None


class _ConstantArgs(_InitArgs):
    val: float
    """Value the weights are filled with."""


Nonlinearity = Literal[
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]


class _XavierArgs(_InitArgs):
    gain: float = 1.0
    """Scaling factor of the Glorot initialization."""
    distribution: Literal["normal", "uniform"] = "normal"
    """Draw from a normal or a uniform distribution."""


class _UniformArgs(_InitArgs):
    a: float = 0.0
    """Lower bound of the uniform distribution."""
    b: float = 1.0
    """Upper bound of the uniform distribution."""


class _KaimingArgs(_InitArgs):
    a: float = 0.0
    """Negative slope of the rectifier after this layer (used with nonlinearity='leaky_relu')."""
    mode: Literal["fan_in", "fan_out"] = "fan_out"
    """Preserve the variance of the forward pass (fan_in) or of the backward pass (fan_out)."""
    nonlinearity: Nonlinearity = "relu"
    """The nonlinearity after this layer, whose gain scales the weights (torch's `calculate_gain` name)."""
    distribution: Literal["normal", "uniform"] = "normal"
    """Draw from a normal or a uniform distribution."""


class _NormalArgs(_InitArgs):
    mean: float = 0.0
    """Mean of the normal distribution."""
    std: Annotated[float, Field(ge=0.0)] = 1.0
    """Standard deviation of the normal distribution."""


class _TruncNormalArgs(_InitArgs):
    mean: float = 0.0
    """Mean of the normal distribution."""
    std: Annotated[float, Field(ge=0.0)] = 1.0
    """Standard deviation of the normal distribution."""
    a: float = -2.0
    """Lower cutoff: values below are redrawn."""
    b: float = 2.0
    """Upper cutoff: values above are redrawn."""


class _PretrainedArgs(ConfigModel):
    type: Literal["Pretrained"] = "Pretrained"
    """MMEngine's registry name of the initializer: load weights from a checkpoint."""
    checkpoint: str
    """Checkpoint to load: a local path (typedseg never downloads; a URL is reported for you to fetch)."""
    prefix: str | None = None
    """Load only the keys under this prefix, with it stripped (`backbone.` takes a whole model's backbone)."""
    map_location: str | None = "cpu"
    """Where the checkpoint's tensors are loaded (torch.load's map_location)."""

    def pretrained_checkpoint(self) -> str | None:
        return self.checkpoint


class _NamedOverride(ConfigModel):
    name: str
    """Attribute name of the sub-module to initialize (e.g. `conv_seg`); all of its layers are initialized."""


class NameOverride(_NamedOverride):
    """Re-apply the enclosing initializer (without `layer`) to the named sub-module as a whole."""

    def pretrained_checkpoint(self) -> str | None:
        return None
