"""Training, validation and test loops: MMEngine's `train_cfg`, `val_cfg` and `test_cfg`."""

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import Field, model_validator

from typedseg.config.base import SCHEMA_MODE, ConfigModel, Rules, Seq
from typedseg.config.lazy import LazyUnion

Interval = tuple[int, int]


class _TrainLoop(ConfigModel):
    val_begin: Annotated[int, Field(ge=0)] = 1
    """First epoch/iteration at which validation may run."""
    dynamic_intervals: Seq[Interval] | None = None
    """`[(milestone, interval), ...]`: the validation interval switches to `interval` once past `milestone`."""

    @property
    def by_epoch(self) -> bool:
        raise NotImplementedError

    @property
    def length(self) -> int:
        """The run's length in its own unit: epochs for an epoch-based loop, iterations otherwise."""
        raise NotImplementedError

    @property
    def unit(self) -> str:
        return "epochs" if self.by_epoch else "iterations"

    @model_validator(mode="after")
    def _check_dynamic_intervals(self) -> "_TrainLoop":
        rules = Rules()
        milestones = [m for m, _ in self.dynamic_intervals or ()]
        if milestones != sorted(milestones):
            rules.add(
                "dynamic-intervals-order",
                ("dynamic_intervals",),
                f"milestones must increase; got {milestones}.",
                "List the (milestone, interval) pairs in increasing milestone order.",
            )
        for index, (_, interval) in enumerate(self.dynamic_intervals or ()):
            if interval <= 0:
                rules.add("invalid-value", ("dynamic_intervals", index), "an interval must be positive.")
        rules.raise_if_any()
        return self


class EpochBasedTrainLoop(_TrainLoop):
    """Trains for `max_epochs` passes over the train dataloader; validates every `val_interval` epochs."""

    type: Literal["EpochBasedTrainLoop"] = "EpochBasedTrainLoop"
    max_epochs: Annotated[int, Field(gt=0)]
    """Number of epochs to train."""
    val_interval: Annotated[int, Field(gt=0)] = 1
    """Validate every this many epochs (and always after the last one)."""

    @property
    def by_epoch(self) -> bool:
        return True

    @property
    def length(self) -> int:
        return self.max_epochs


class IterBasedTrainLoop(_TrainLoop):
    """Trains for `max_iters` iterations over an endlessly repeated dataloader; validates every `val_interval`."""

    type: Literal["IterBasedTrainLoop"] = "IterBasedTrainLoop"
    max_iters: Annotated[int, Field(gt=0)]
    """Number of iterations (micro-batches, when gradients are accumulated) to train."""
    val_interval: Annotated[int, Field(gt=0)] = 1000
    """Validate every this many iterations (and always after the last one)."""

    @property
    def by_epoch(self) -> bool:
        return False

    @property
    def length(self) -> int:
        return self.max_iters


_TrainLoops: TypeAlias = EpochBasedTrainLoop | IterBasedTrainLoop
_TaggedTrainLoopConfig = Annotated[_TrainLoops, Field(discriminator="type")]
if TYPE_CHECKING:  # a plain union: mypy, pyright and jedi all read it (jedi reads no Annotated)
    TrainLoopConfig: TypeAlias = _TrainLoops
else:  # validated member by member: a config builds only the kinds it names (see LazyUnion.of)
    TrainLoopConfig = (
        _TaggedTrainLoopConfig if SCHEMA_MODE else Annotated[Any, LazyUnion.of(_TaggedTrainLoopConfig)]
    )


class ValLoop(ConfigModel):
    """Runs the validation dataloader through the model and the evaluator."""

    type: Literal["ValLoop"] = "ValLoop"
    fp16: bool = False
    """Run under autocast (float16)."""


class TestLoop(ConfigModel):
    """Runs the test dataloader through the model and the evaluator."""

    __test__ = False  # not a pytest test class
    type: Literal["TestLoop"] = "TestLoop"
    fp16: bool = False
    """Run under autocast (float16)."""
