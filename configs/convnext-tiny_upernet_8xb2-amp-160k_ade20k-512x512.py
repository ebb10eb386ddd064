"""UPerNet on ConvNeXt-tiny, ADE20K, 512x512 crops, 160k iterations with AMP and layer-wise lr decay, typed.

The MMSeg original is `convnext/convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py`; this recipe equals it
(tests/migrate/test_recipes_match_mmseg.py) but for MMSeg's `custom_imports = dict(imports='mmpretrain.models')`,
which typedseg has no use for: there are no registries, and MMSeg's `mmpretrain.ConvNeXt` is typedseg's ConvNeXt.
Finding: the backbone's ImageNet weights are a remote checkpoint; `typedseg validate` warns (remote-checkpoint),
since typedseg never downloads: give the downloaded file's path to train.
"""

from typedseg.config.experiment import Experiment
from typedseg.config.models.segmentor import ModelTestCfg
from typedseg.config.optim import AmpOptimWrapper, ParamwiseConfig
from typedseg.config.optimizers import AdamW
from typedseg.config.schedulers import LinearLR, PolyLR, SchedulerConfig
from typedseg.presets import CONVNEXT_CHECKPOINTS, ade20k, default_runtime, schedule_160k, upernet_convnext

CROP = (512, 512)  # (h, w)
MAX_ITERS = 160000
WARMUP = 1500

data = ade20k(crop_size=CROP, batch_size=2)
schedule = schedule_160k()  # its loop, validation and hooks; the optimizer and lr schedule are this recipe's
optim_wrapper = AmpOptimWrapper(
    optimizer=AdamW(lr=0.0001, betas=(0.9, 0.999), weight_decay=0.05),
    # the lr decays by decay_rate per group of ConvNeXt blocks from the heads down (MMSeg: 6 for tiny, 12 for base)
    paramwise_cfg=ParamwiseConfig(decay_rate=0.9, decay_type="stage_wise", num_layers=6),
    constructor="LearningRateDecayOptimizerConstructor",
    loss_scale="dynamic",
)
param_scheduler: list[SchedulerConfig] = [
    LinearLR(start_factor=1e-6, by_epoch=False, begin=0, end=WARMUP),
    PolyLR(power=1.0, begin=WARMUP, end=MAX_ITERS, eta_min=0.0, by_epoch=False),
]

config = Experiment(
    **default_runtime().as_kwargs(),
    train_cfg=schedule.train_cfg,
    val_cfg=schedule.val_cfg,
    test_cfg=schedule.test_cfg,
    default_hooks=schedule.default_hooks,
    optim_wrapper=optim_wrapper,
    param_scheduler=param_scheduler,
    **data.as_kwargs(),  # batch 2 per GPU (MMSeg's 8xb2: 8 GPUs)
    model=upernet_convnext(
        150,
        arch="tiny",
        checkpoint=CONVNEXT_CHECKPOINTS["tiny"],
        crop_size=CROP,
        test_cfg=ModelTestCfg(mode="slide", crop_size=CROP, stride=(341, 341)),
    ),
)
