"""The one hand-written table of every lazy config family: which kinds it has, and in which module each lives.

A family package (`typedseg/config/schedulers/`, `.../backbones/`, ...) keeps one module per kind, loaded on first
use. Everything that must list the kinds is generated from the rows below by `python -m typedseg.codegen.families`:
the package's lazy `__init__` (PEP 562 exports and the `if TYPE_CHECKING:` view), its `_tagged` module (the real
tagged unions, for the JSON Schema), its `_unions` module or `typedseg/config/unions.py` (the lazy unions fields
validate through, and a plain `A | B | ...` view that mypy, pyright and jedi all read).

Adding a kind = its module (hand-written, one model class) + one row here + its builder on the torch side.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One member of a family: the `type` a config writes, and the module (in the family package) defining it."""

    tag: str
    module: str
    cls: str = ""
    """The class name, when it is not the tag (the initializer `Normal` is `NormalInit`)."""
    group: str = ""
    """The family's sub-union this kind also belongs to (schedulers: `lr`, `momentum`, `param`)."""

    @property
    def class_name(self) -> str:
        return self.cls or self.tag


@dataclass(frozen=True)
class Union:
    """A union over a family's kinds (all of them, or one group)."""

    name: str
    """Public name of the union as fields use it (`SchedulerConfig`)."""
    doc: str
    group: str = ""
    """Only the kinds of this group; empty: every kind."""
    user: tuple[str, str] | None = None
    """`(module, class)` of the base a user's own class subclasses (the union's open branch); None: closed."""
    tagged: str = ""
    """Name of the `Union[Annotated[Kind, Tag(...)], ...]` form (callers that walk tags), if one is exported."""
    real: str = ""
    """Name of the real (pydantic) union when it differs from `name` (the lazy view then takes `name`)."""
    types: str = ""
    """Name of the frozenset of its built-in tags, if one is exported."""
    view: str = ""
    """Where the lazy view lives: `package` (the family's `_unions`), `experiment` (typedseg.config.unions),
    or empty (no lazy view: the real union is what fields use)."""
    plain: bool = False
    """A plain `Union[...]` of the classes, without a discriminator (what rules use in isinstance checks)."""
    classes: str = ""
    """Name of a `tag -> class name` dict the lazy view exports (only where tags and class names differ)."""
    default: str = ""
    """The tag of a mapping without `type` (an `override` entry with only `name`); empty: `type` is required."""
    module: str = ""
    """A module of its own (in the package) for the lazy view, instead of `_unions`: for a view that a kind's
    module needs, since `_unions` imports every kind in schema mode. Its schema mode builds the real union from
    the members' modules."""


@dataclass(frozen=True)
class Family:
    package: str
    doc: str
    kinds: tuple[Kind, ...]
    unions: tuple[Union, ...]


def _schedulers() -> tuple[Kind, ...]:
    rows = [
        ("Constant", "constant"),
        ("Linear", "linear"),
        ("Exponential", "exponential"),
        ("Step", "step"),
        ("MultiStep", "multi_step"),
        ("Poly", "poly"),
        ("CosineAnnealing", "cosine_annealing"),
        ("CosineRestart", "cosine_restart"),
        ("OneCycle", "one_cycle"),
        ("ReduceOnPlateau", "reduce_on_plateau"),
    ]
    kinds: list[Kind] = []
    for family, module in rows:
        # MMEngine names the three variants of a family `XLR`, `XMomentum` and `XParamScheduler`; OneCycle has no
        # momentum variant and MMSegmentation adds `PolyLRRatio`. The names are derived, never written twice.
        kinds.append(Kind(f"{family}LR", module, group="lr"))
        if family == "Poly":
            kinds.append(Kind("PolyLRRatio", module, group="lr"))
        if family != "OneCycle":
            kinds.append(Kind(f"{family}Momentum", module, group="momentum"))
        kinds.append(Kind(f"{family}ParamScheduler", module, group="param"))
    return tuple(kinds)


SCHEDULERS = Family(
    package="typedseg.config.schedulers",
    doc="""Parameter schedulers: MMEngine's `param_scheduler` list, one model per scheduler class.

Every MMEngine scheduler family X exists as `XLR` (the lr), `XMomentum` (the momentum, or `betas[0]` for Adam-like
optimizers) and `XParamScheduler` (any param-group value, named by `param_name`); OneCycle has no momentum variant,
and MMSegmentation adds `PolyLRRatio`. Names, argument names and defaults are MMEngine's. A family's fields live in
one private base; the three variants only add their `type` (and `param_name`).

MMEngine semantics worth knowing when reading these models (see docs and `rules/schedules.py`): each scheduler
changes its value only inside its window `[begin, end)`, counted in epochs when `by_epoch` is true and in
iterations otherwise, and holds it outside; the update is chainable (it multiplies the *current* value, so
back-to-back windows hand the value over, and overlapping windows compound); step-indexed arguments (`milestones`,
`step_size`, `T_max`, `periods`, `total_steps`) count from `begin`.""",
    kinds=_schedulers(),
    unions=(
        Union("LRSchedulerConfig", "A scheduler of the learning rate.", group="lr"),
        Union("MomentumSchedulerConfig", "A scheduler of the momentum (or `betas[0]`).", group="momentum"),
        Union(
            "ParamSchedulerConfig",
            "A scheduler of any param-group value, named by `param_name`.",
            group="param",
        ),
        Union(
            "SchedulerConfig",
            "Any scheduler: ours by MMEngine's `type`, a user's `UserScheduler` subclass by its dotted path.",
            user=("_base", "UserScheduler"),
            tagged="_TaggedSchedulers",
            types="SCHEDULER_TYPES",
            view="experiment",
        ),
    ),
)

HOOKS = Family(
    package="typedseg.config.hooks",
    doc="""Hooks: MMEngine's `default_hooks` (a typed record, one slot per default hook) and `custom_hooks`.

Every model carries MMEngine's class name as `type`, MMEngine's argument names and defaults, and a `priority` whose
default is that hook's MMEngine class priority. Where MMEngine would swallow a typo (`CheckpointHook`'s
`**kwargs`), ignore a setting, or fail hours into training, these models refuse at load time.""",
    kinds=(
        Kind("RuntimeInfoHook", "default"),
        Kind("IterTimerHook", "default"),
        Kind("DistSamplerSeedHook", "default"),
        Kind("LoggerHook", "default"),
        Kind("ParamSchedulerHook", "default"),
        Kind("CheckpointHook", "default"),
        Kind("EMAHook", "ema"),
        Kind("EmptyCacheHook", "empty_cache"),
        Kind("SyncBuffersHook", "sync_buffers"),
        Kind("EarlyStoppingHook", "early_stopping"),
        Kind("ProfilerHook", "profiler"),
        Kind("SegVisualizationHook", "default"),
    ),
    unions=(
        Union("BuiltinHook", "Any of our hooks (not a user's).", plain=True),
        Union(
            "CustomHookConfig",
            "An entry of `custom_hooks`: a built-in hook by `type`, or a user's `UserHook` subclass (dotted `type`).",
            user=("_shared", "UserHook"),
            tagged="_TaggedHooks",
            types="HOOK_TYPES",
            view="experiment",
        ),
    ),
)

BACKBONES = Family(
    package="typedseg.config.models.backbones",
    doc="""Backbones: MMSegmentation's ResNet family, UNet and MixVisionTransformer, and MMPretrain's ConvNeXt.

Every backbone reports what it hands to the neck or heads: `out_channels()` gives the channels of each output in
the order the backbone returns them (stage order; MMSegmentation's backbones append a stage's feature map when its
index is in `out_indices`), and `num_outputs()` how many there are. `typedseg.config.rules.model` checks heads'
`in_index`/`in_channels` against them. A user's own backbone (`UserBackbone`) may implement both to get the same
checks.""",
    kinds=(
        Kind("ResNet", "resnet"),
        Kind("ResNetV1c", "resnet"),
        Kind("ResNetV1d", "resnet"),
        Kind("UNet", "unet"),
        Kind("MixVisionTransformer", "mit"),
        Kind("ConvNeXt", "convnext"),
    ),
    unions=(
        Union("BuiltinBackbone", "Any of our backbones (not a user's).", plain=True),
        Union(
            "BackboneConfig",
            "A backbone: ours by `type`, or a user's `UserBackbone` subclass by its dotted path.",
            user=("_base", "UserBackbone"),
            tagged="_TaggedBackbones",
            real="_BackboneConfigUnion",
            types="BACKBONE_TYPES",
            view="package",
        ),
    ),
)

HEADS = Family(
    package="typedseg.config.models.heads",
    doc="""Decode heads: MMSegmentation's BaseDecodeHead arguments, and the FCN, ASPP, DeepLabV3+, SegFormer and
UPerNet heads.

A head picks its inputs from the backbone's (or neck's) outputs by `in_index`: one feature map when
`input_transform` is None, several when it is 'resize_concat' (resized to the first and concatenated) or
'multiple_select' (handed over as a list; SegformerHead and UPerHead always select this way). Its `in_channels`
must match the selected maps; `typedseg.config.rules.model` checks that against the backbone.""",
    kinds=(
        Kind("FCNHead", "fcn"),
        Kind("ASPPHead", "aspp"),
        Kind("DepthwiseSeparableASPPHead", "aspp"),
        Kind("SegformerHead", "segformer"),
        Kind("UPerHead", "uper"),
    ),
    unions=(
        Union(
            "HeadConfig",
            "A decode head: ours by `type`, or a user's `UserHead` subclass by its dotted path.",
            user=("_base", "UserHead"),
            tagged="_TaggedHeads",
            real="_HeadConfigUnion",
            types="HEAD_TYPES",
            view="package",
        ),
    ),
)

LAYERS = Family(
    package="typedseg.config.models.common",
    doc="""Layer configs every model component takes: `norm_cfg`, `act_cfg`, `conv_cfg` and `init_cfg`.

MMCV builds these from dicts (`build_norm_layer`, `build_activation_layer`, `build_conv_layer`) and MMEngine's
`initialize` runs the `init_cfg`s; the `type` of each model is their registry name, the other fields the arguments
the built layer or initializer takes, with its defaults. A key MMCV would hand to a layer that has no such argument
(a TypeError when the model is built, hours into a job's queue) is refused here.""",
    kinds=(
        Kind("BN", "norm", group="norm"),
        Kind("BN2d", "norm", group="norm"),
        Kind("SyncBN", "norm", group="norm"),
        Kind("GN", "group_norm", group="norm"),
        Kind("LN", "layer_norm", group="norm"),
        Kind("LN2d", "layer_norm", group="norm"),
        Kind("IN", "group_norm", group="norm"),
        Kind("ReLU", "relu", group="act"),
        Kind("ReLU6", "relu6", group="act"),
        Kind("LeakyReLU", "leaky_relu", group="act"),
        Kind("PReLU", "prelu", group="act"),
        Kind("ELU", "elu", group="act"),
        Kind("GELU", "gelu", group="act"),
        Kind("SiLU", "silu", group="act"),
        Kind("Swish", "swish", group="act"),
        Kind("HSwish", "hswish", group="act"),
        Kind("HSigmoid", "hsigmoid", group="act"),
        Kind("Sigmoid", "sigmoid", group="act"),
        Kind("Tanh", "tanh", group="act"),
        Kind("Conv2d", "conv", group="conv"),
        Kind("Conv", "conv", group="conv"),
        Kind("Constant", "init_constant", cls="ConstantInit", group="init"),
        Kind("Xavier", "init_xavier", cls="XavierInit", group="init"),
        Kind("Normal", "init_normal", cls="NormalInit", group="init"),
        Kind("TruncNormal", "init_trunc_normal", cls="TruncNormalInit", group="init"),
        Kind("Uniform", "init_uniform", cls="UniformInit", group="init"),
        Kind("Kaiming", "init_kaiming", cls="KaimingInit", group="init"),
        Kind("Caffe2Xavier", "init_caffe2_xavier", cls="Caffe2XavierInit", group="init"),
        Kind("Pretrained", "init_pretrained", cls="PretrainedInit", group="init"),
        # `override` entries: `name` alone re-applies the enclosing initializer to a sub-module; with a `type`, that
        # initializer's own arguments.
        Kind("name", "init_args", cls="NameOverride", group="override"),
        Kind("Constant", "init_override", cls="ConstantOverride", group="override"),
        Kind("Xavier", "init_override", cls="XavierOverride", group="override"),
        Kind("Normal", "init_override", cls="NormalOverride", group="override"),
        Kind("TruncNormal", "init_override", cls="TruncNormalOverride", group="override"),
        Kind("Uniform", "init_override", cls="UniformOverride", group="override"),
        Kind("Kaiming", "init_override", cls="KaimingOverride", group="override"),
        Kind("Caffe2Xavier", "init_override", cls="Caffe2XavierOverride", group="override"),
        Kind("Pretrained", "init_override", cls="PretrainedOverride", group="override"),
    ),
    unions=(
        Union(
            "NormConfig",
            "A `norm_cfg`.",
            group="norm",
            real="_NormConfigUnion",
            types="NORM_TAGS",
            view="package",
        ),
        Union(
            "ActConfig",
            "An `act_cfg`.",
            group="act",
            real="_ActConfigUnion",
            types="ACT_TAGS",
            view="package",
        ),
        Union(
            "ConvConfig",
            "A `conv_cfg`.",
            group="conv",
            real="_ConvConfigUnion",
            types="CONV_TAGS",
            view="package",
        ),
        Union(
            "Initializer",
            "One weight initializer of an `init_cfg`.",
            group="init",
            real="_InitializerUnion",
            view="package",
            classes="INIT_CLASSES",
        ),
        Union(
            "InitOverride",
            "An `override` entry of an initializer: `name` alone re-applies the enclosing initializer to that "
            "sub-module; with a `type`, its own initializer.",
            group="override",
            real="_InitOverrideUnion",
            view="package",
            classes="OVERRIDE_CLASSES",
            default="name",
            module="_overrides",
        ),
    ),
)

DATASETS = Family(
    package="typedseg.config.datasets",
    doc="""Datasets: MMSegmentation's BaseSegDataset and its ADE20K, Cityscapes and Pascal VOC subclasses, and
MMEngine's ConcatDataset and RepeatDataset wrappers.

Names, argument names and defaults are MMSegmentation 1.2.2's (`mmseg/datasets/`) and MMEngine's
(`mmengine/dataset/dataset_wrapper.py`); each dataset class's METAINFO (class names and palette) is copied below.
What MMSeg or MMEngine would refuse while building the dataset (metainfo classes that are not the class's own, a
palette that does not fit the classes, wrapped datasets whose metainfo differs) is refused at load time.

How MMSeg builds a dataset's metainfo, which `classes()`, `palette()` and `label_map()` reproduce:
- `metainfo.classes` replaces the class's METAINFO classes; for a dataset class that has its own (ADE20K,
  Cityscapes, VOC) they must be a subset of them, in any order, and labels are remapped to the new order (others
  become 255);
- the palette is `metainfo.palette`, else the class's; it must have one colour per class, or none (MMSeg then
  draws a random palette with seed 42), or, when classes were remapped, cover the class's own classes (MMSeg
  keeps the colours of the kept classes).
""",
    kinds=(
        Kind("BaseSegDataset", "base_seg", group="seg"),
        Kind("ADE20KDataset", "ade20k", group="seg"),
        Kind("CityscapesDataset", "cityscapes", group="seg"),
        Kind("PascalVOCDataset", "pascal_voc", group="seg"),
        Kind("ConcatDataset", "wrappers", group="wrapper"),
        Kind("RepeatDataset", "wrappers", group="wrapper"),
    ),
    unions=(
        Union(
            "SegDataset",
            "A leaf segmentation dataset (not a wrapper, not a user's).",
            group="seg",
            plain=True,
        ),
        Union(
            "DatasetLike",
            "Any dataset config, ours or a user's: what the data rules walk.",
            user=("_base", "UserDataset"),
            plain=True,
        ),
        Union(
            "DatasetConfig",
            "Any dataset: ours by MMSeg's/MMEngine's `type`, a user's `UserDataset` subclass by its dotted path.",
            user=("_base", "UserDataset"),
            tagged="_TaggedDatasets",
            types="DATASET_TYPES",
            view="experiment",
        ),
    ),
)

FAMILIES = (SCHEDULERS, HOOKS, BACKBONES, HEADS, LAYERS, DATASETS)
"""Every lazy family package the generator writes (optimizers have their own generator, fed by torch)."""


@dataclass(frozen=True)
class Package:
    """A lazy package of plain modules (no kinds, no unions): its `__init__` exports what each module exports.

    A module's exports are its `__all__` when it has one (its public surface, written beside the definitions),
    else every top-level name without a leading underscore.
    """

    package: str
    doc: str
    modules: tuple[str, ...]


PRESETS = Package(
    package="typedseg.presets",
    doc="""Presets: plain functions that return typed config sections — the explicit replacement for `configs/_base_/`.

Compose them by calling them and passing their sections to `Experiment(...)`; change a value with
`typedseg.config.replace.replace(...)`, which validates again. There is no hidden merging anywhere.

The model and dataset presets load their config families on first use, so a config that only takes the runtime
and a schedule from here does not pay for importing them.
""",
    modules=("runtime", "schedules", "datasets", "models"),
)

PACKAGES = (PRESETS,)
"""The plain lazy packages the generator writes."""
