"""Decode-head losses (`loss_decode`): MMSegmentation's CrossEntropyLoss and DiceLoss, and a user branch.

A head sums the losses of its `loss_decode` list into one log entry per `loss_name`; MMEngine backpropagates the
entries whose name contains `loss`. The head passes its own `ignore_index` to each loss's forward:
CrossEntropyLoss uses it, DiceLoss ignores it and uses its own (see `typedseg.config.rules.model`).
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import Field, model_validator

from typedseg.config.base import (
    SCHEMA_MODE,
    ConfigModel,
    Rules,
    Seq,
    UserConfig,
    discriminate,
)
from typedseg.config.lazy import LazyUnion, tagged_union, tags_of
from typedseg.config.models.common import one_or_many

Reduction = Literal["none", "mean", "sum"]
CLASS_WEIGHT_SUFFIXES = (".npy", ".json", ".yaml", ".yml", ".pkl", ".pickle")
"""File types MMSegmentation reads a `class_weight` path from (numpy, or MMEngine's `load`)."""


class CrossEntropyLoss(ConfigModel):
    """MMSegmentation's pixel-wise cross-entropy: softmax over classes, or per-class sigmoid (BCE)."""

    type: Literal["CrossEntropyLoss"] = "CrossEntropyLoss"
    """MMSegmentation's registry name of the loss."""
    use_sigmoid: bool = False
    """Binary cross-entropy with a sigmoid per output channel instead of a softmax over them (needed when the
    head has out_channels=1)."""
    use_mask: bool = False
    """MMDetection-style mask cross-entropy (per-object masks); a decode head never provides its inputs."""
    reduction: Reduction = "mean"
    """How the per-pixel losses are reduced."""
    class_weight: Seq[float] | str | None = None
    """Weight of each class (one per output channel), or a file to read them from (.npy, .json, .yaml, .pkl)."""
    loss_weight: float = 1.0
    """Multiplier of this loss in the total."""
    loss_name: str = "loss_ce"
    """Log key of this loss; MMEngine backpropagates only entries whose name contains 'loss' (use `loss_...`)."""
    avg_non_ignore: bool = False
    """Average over the pixels that are not ignore_index only (PyTorch's behaviour); False: over all pixels."""

    @model_validator(mode="after")
    def _check(self) -> "CrossEntropyLoss":
        rules = Rules()
        if self.use_sigmoid and self.use_mask:
            rules.add(
                "ce-sigmoid-and-mask",
                ("use_mask",),
                "use_sigmoid=True and use_mask=True select two different criteria; MMSegmentation asserts that "
                "at most one is set.",
                "Keep use_sigmoid=True for binary cross-entropy, and remove use_mask.",
            )
        if self.use_mask and self.reduction != "mean":
            rules.add(
                "ce-mask-reduction",
                ("reduction",),
                f"reduction={self.reduction!r} with use_mask=True: MMSegmentation's mask cross-entropy only "
                "supports 'mean' (it asserts).",
                "Use reduction='mean'.",
            )
        if isinstance(self.class_weight, str) and not self.class_weight.endswith(CLASS_WEIGHT_SUFFIXES):
            rules.add(
                "class-weight-file",
                ("class_weight",),
                f"class_weight file '{self.class_weight}' has none of the suffixes MMSegmentation can read "
                f"({', '.join(CLASS_WEIGHT_SUFFIXES)}).",
                "Save the weights as .npy, .json or .yaml (a list of one float per class), "
                "or list them inline: class_weight=[1.0, 0.8, ...].",
            )
        if isinstance(self.class_weight, tuple) and any(w < 0 for w in self.class_weight):
            rules.add(
                "class-weight-negative",
                ("class_weight",),
                f"class_weight has negative entries ({list(self.class_weight)}): a negative weight rewards "
                "misclassifying that class.",
                "Use weights of 0 or more (0 ignores a class).",
            )
        rules.raise_if_any()
        return self


class DiceLoss(ConfigModel):
    """MMSegmentation's Dice loss (V-Net form, or the naive form), over one-hot labels."""

    type: Literal["DiceLoss"] = "DiceLoss"
    """MMSegmentation's registry name of the loss."""
    use_sigmoid: bool = True
    """Activate the predictions with a sigmoid per channel; False: a softmax over the channels."""
    activate: bool = True
    """Activate the predictions inside the loss; False: they are already probabilities."""
    reduction: Reduction = "mean"
    """How the per-sample losses are reduced."""
    naive_dice: bool = False
    """Naive Dice (first power in the denominator, eps in numerator and denominator); False: V-Net's squares."""
    loss_weight: float = 1.0
    """Multiplier of this loss in the total."""
    ignore_index: int | None = 255
    """Class channel left out of the loss. DiceLoss uses its own value, not the head's; keep them equal."""
    eps: Annotated[float, Field(ge=0.0)] = 1e-3
    """Added to avoid dividing by zero."""
    loss_name: str = "loss_dice"
    """Log key of this loss; MMEngine backpropagates only entries whose name contains 'loss' (use `loss_...`)."""


class UserLoss(UserConfig):
    """Base for a user's own loss config: subclass it, add its fields, and implement `build()`."""


_Losses: TypeAlias = CrossEntropyLoss | DiceLoss
_TaggedLosses = tagged_union(_Losses, user=UserLoss)
LOSS_TYPES = tags_of(_TaggedLosses)
"""Every built-in loss `type` (MMSegmentation's class names)."""

if TYPE_CHECKING:  # a plain union: mypy, pyright and jedi all read it (jedi reads no Annotated)
    LossConfig: TypeAlias = _Losses | UserLoss
else:  # validated member by member: each member's validator is built once and shared (see LazyUnion.of)
    _LossConfigUnion = Annotated[_TaggedLosses, discriminate(LOSS_TYPES)]
    LossConfig = _LossConfigUnion if SCHEMA_MODE else Annotated[Any, LazyUnion.of(_LossConfigUnion)]
"""One loss: ours by MMSegmentation's `type`, or a user's `UserLoss` subclass by its dotted path."""

if TYPE_CHECKING:
    LossDecode: TypeAlias = LossConfig | Seq[LossConfig]
else:
    LossDecode = Annotated[LossConfig | Seq[LossConfig], one_or_many(LossConfig)]
"""A head's `loss_decode`: one loss, or several whose values are summed (per `loss_name`)."""
