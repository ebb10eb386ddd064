"""`typedseg new OUT.py`: the source of a new experiment config, composed from the presets.

With a model, a dataset, a schedule and an optimizer chosen (each has a default once any is given), the file calls
the presets explicitly: one object per section, imports at the top, formatted as `ruff format` writes it. With no
choice at all it is the quickstart experiment (configs/quickstart.py), which needs no data download and no GPU.
"""

from __future__ import annotations

from dataclasses import dataclass

from typedseg.templating import Import, import_lines, render_template

TEMPLATE = "new_config.py.j2"


class ScaffoldError(ValueError):
    """An unknown choice; the message names the choices."""


@dataclass(frozen=True)
class Choice:
    """One value an option offers: the preset function it calls and a one-line description."""

    function: str
    description: str


@dataclass(frozen=True)
class DatasetChoice(Choice):
    num_classes: int
    crop_size: tuple[int, int]
    label: str


MODELS: dict[str, Choice] = {
    name: Choice(name, description)
    for name, description in (
        ("fcn_r50_d8", "FCN on a dilated ResNet-50-V1c (output stride 8), auxiliary FCN head"),
        ("deeplabv3_r50_d8", "DeepLabV3 (ASPP) on a dilated ResNet-50-V1c, auxiliary FCN head"),
        ("deeplabv3plus_r50_d8", "DeepLabV3+ (separable ASPP, low-level decoder) on a dilated ResNet-50-V1c"),
        ("segformer_mit_b0", "SegFormer's all-MLP head on MiT-b0 (3.7M parameters), ImageNet weights"),
        ("segformer_mit_b1", "SegFormer on MiT-b1 (13.7M parameters), ImageNet weights"),
        ("segformer_mit_b2", "SegFormer on MiT-b2 (24.7M parameters), ImageNet weights"),
        ("upernet_convnext", "UPerNet on ConvNeXt-base, ImageNet weights, auxiliary FCN head"),
        ("fcn_unet_s5_d16", "FCN heads on a 5-stage UNet, trained from scratch, sliding-window inference"),
    )
}
"""`--model`: the model presets (typedseg.presets.models)."""

DATASETS: dict[str, DatasetChoice] = {
    "ade20k": DatasetChoice("ade20k", "ADE20K: 150 classes, 512x512 crops", 150, (512, 512), "ADE20K"),
    "cityscapes": DatasetChoice(
        "cityscapes",
        "Cityscapes: 19 classes, 2048x1024 images, 512x1024 crops",
        19,
        (512, 1024),
        "Cityscapes",
    ),
    "cityscapes_769x769": DatasetChoice(
        "cityscapes_769x769",
        "Cityscapes: 19 classes, 2049x1025 images, 769x769 crops",
        19,
        (769, 769),
        "Cityscapes",
    ),
    "pascal_voc12": DatasetChoice(
        "pascal_voc12", "Pascal VOC 2012: 21 classes, 512x512 crops", 21, (512, 512), "Pascal VOC 2012"
    ),
}
"""`--dataset`: the dataset presets (typedseg.presets.datasets); the class count and crop size come from here."""

SCHEDULES: dict[str, Choice] = {
    f"{k}k": Choice(f"schedule_{k}k", f"{k},000 iterations, validate and save every {k // 10},000")
    for k in (20, 40, 80, 160, 320)
}
"""`--schedule`: the iteration schedules (typedseg.presets.schedules)."""

OPTIMIZERS: dict[str, Choice] = {
    "sgd": Choice("SGD", "SGD, lr 0.01, momentum 0.9, weight decay 5e-4, poly decay (MMSeg's schedules)"),
    "adamw": Choice(
        "AdamW", "AdamW, linear warm-up for 1500 iterations, then linear decay (SegFormer's, UPerNet's)"
    ),
}
"""`--optimizer`."""

DEFAULT_MODEL = "fcn_r50_d8"
DEFAULT_DATASET = "cityscapes"
DEFAULT_SCHEDULE = "80k"
DEFAULT_OPTIMIZER = "sgd"


def _check(option: str, value: str, choices: dict[str, Choice] | dict[str, DatasetChoice]) -> None:
    if value not in choices:
        raise ScaffoldError(f"unknown {option} {value!r}; one of: {', '.join(choices)}")


def choices_text() -> str:
    """What `typedseg new --list` prints: every option's values, with one-line descriptions."""
    groups: list[tuple[str, dict[str, Choice], str]] = [
        ("--model", MODELS, DEFAULT_MODEL),
        ("--dataset", dict(DATASETS), DEFAULT_DATASET),
        ("--schedule", SCHEDULES, DEFAULT_SCHEDULE),
        ("--optimizer", OPTIMIZERS, DEFAULT_OPTIMIZER),
    ]
    lines: list[str] = []
    for option, choices, default in groups:
        if lines:
            lines.append("")
        lines.append(f"{option} (default {default}):")
        width = max(map(len, choices))
        lines.extend(f"  {name:<{width}}  {choice.description}" for name, choice in choices.items())
    lines += ["", "--amp: mixed precision (AmpOptimWrapper)", "--ema: an EMAHook that averages the weights"]
    lines.append("Without any option: the quickstart experiment (configs/quickstart.py).")
    return "\n".join(lines) + "\n"


_QUICKSTART_IMPORTS: list[Import] = [
    ("collections.abc", "Sequence"),
    ("typedseg.config.data", "DataLoaderConfig"),
    ("typedseg.config.data", "DefaultSampler"),
    ("typedseg.config.data", "InfiniteSampler"),
    ("typedseg.config.datasets", "BaseSegDataset"),
    ("typedseg.config.datasets", "DataPrefix"),
    ("typedseg.config.datasets", "DatasetMetainfo"),
    ("typedseg.config.evaluation", "IoUMetric"),
    ("typedseg.config.experiment", "Experiment"),
    ("typedseg.config.hooks", "CheckpointHook"),
    ("typedseg.config.hooks", "DefaultHooks"),
    ("typedseg.config.hooks", "LoggerHook"),
    ("typedseg.config.loops", "IterBasedTrainLoop"),
    ("typedseg.config.loops", "TestLoop"),
    ("typedseg.config.loops", "ValLoop"),
    ("typedseg.config.models.backbones", "UNet"),
    ("typedseg.config.models.heads", "FCNHead"),
    ("typedseg.config.models.losses", "CrossEntropyLoss"),
    ("typedseg.config.models.segmentor", "EncoderDecoder"),
    ("typedseg.config.models.segmentor", "ModelTestCfg"),
    ("typedseg.config.models.segmentor", "SegDataPreProcessor"),
    ("typedseg.config.optim", "OptimWrapper"),
    ("typedseg.config.optimizers", "SGD"),
    ("typedseg.config.runtime", "LogProcessor"),
    ("typedseg.config.runtime", "RandomnessConfig"),
    ("typedseg.config.schedulers", "LinearLR"),
    ("typedseg.config.schedulers", "PolyLR"),
    ("typedseg.config.transforms", "LoadAnnotations"),
    ("typedseg.config.transforms", "LoadImageFromFile"),
    ("typedseg.config.transforms", "PackSegInputs"),
    ("typedseg.config.transforms", "RandomCrop"),
    ("typedseg.config.transforms", "RandomFlip"),
    ("typedseg.config.transforms", "TransformConfig"),
]


def _unet_crop(crop: tuple[int, int]) -> tuple[int, int] | None:
    """The UNet's crop: `crop` cut down to a multiple of 16 (its total downsampling); None if it is one already."""
    cut = (crop[0] // 16 * 16, crop[1] // 16 * 16)
    return None if cut == crop else cut


def new_config_source(
    model: str | None = None,
    dataset: str | None = None,
    schedule: str | None = None,
    optimizer: str | None = None,
    amp: bool = False,
    ema: bool = False,
) -> str:
    """The source of a new config module. All left out: the quickstart experiment; else presets, with defaults
    `fcn_r50_d8`, `cityscapes`, `80k` and `sgd` for what is left out. Raises ScaffoldError for unknown choices.
    """
    if model is None and dataset is None and schedule is None and optimizer is None and not amp and not ema:
        return render_template(TEMPLATE, quickstart=True, imports=import_lines(_QUICKSTART_IMPORTS))
    model, dataset = model or DEFAULT_MODEL, dataset or DEFAULT_DATASET
    schedule, optimizer = schedule or DEFAULT_SCHEDULE, optimizer or DEFAULT_OPTIMIZER
    _check("--model", model, MODELS)
    _check("--dataset", dataset, DATASETS)
    _check("--schedule", schedule, SCHEDULES)
    _check("--optimizer", optimizer, OPTIMIZERS)
    data = DATASETS[dataset]
    schedule_function = SCHEDULES[schedule].function
    optimizer_class = OPTIMIZERS[optimizer].function
    wrapper = "AmpOptimWrapper" if amp else "OptimWrapper"
    imports: list[Import] = [
        ("typedseg.config.experiment", "Experiment"),
        ("typedseg.config.optim", wrapper),
        ("typedseg.config.optimizers", optimizer_class),
        ("typedseg.presets", "default_runtime"),
        ("typedseg.presets", data.function),
        ("typedseg.presets", schedule_function),
        ("typedseg.presets", model),
    ]
    if model.startswith("segformer_mit_"):
        imports.append(("typedseg.presets", "MIT_CHECKPOINTS"))
    names = (
        ("LinearLR", "PolyLR", "SchedulerConfig") if optimizer == "adamw" else ("PolyLR", "SchedulerConfig")
    )
    imports += [
        ("typedseg.config.schedulers", name) for name in names
    ]  # its own schedule, ending with the run
    if ema:
        imports.append(("typedseg.config.hooks", "EMAHook"))
    max_iters = int(schedule[:-1]) * 1000
    title = (
        f"{model} on {data.label}, {data.crop_size[0]}x{data.crop_size[1]} crops, {max_iters // 1000}k iterations, "
        f"{OPTIMIZERS[optimizer].function}{' with AMP' if amp else ''}{', EMA' if ema else ''}."
    )
    return render_template(
        TEMPLATE,
        quickstart=False,
        imports=import_lines(imports),
        title=title,
        model=model,
        variant=model.rpartition("_")[2] if model.startswith("segformer_mit_") else None,
        dataset=data.function,
        label=data.label,
        num_classes=data.num_classes,
        crop=data.crop_size,
        schedule=schedule_function,
        optimizer=optimizer,
        convnext=model == "upernet_convnext",
        unet_crop=_unet_crop(data.crop_size) if model == "fcn_unet_s5_d16" else None,
        wrapper=wrapper,
        amp=amp,
        ema=ema,
    )
