"""DeepLabV3 on Cityscapes from the presets, with an optimizer of your own instead of the schedule's SGD."""

from typedseg.config.experiment import Experiment
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import AdamW
from typedseg.presets import cityscapes, deeplabv3_r50_d8, default_runtime, schedule_80k

config = Experiment(
    **default_runtime().as_kwargs(),  # with tta_model: MMSeg's SegTTAModel
    **schedule_80k().as_kwargs(optim_wrapper=OptimWrapper(optimizer=AdamW(lr=0.001))),  # yours, not the SGD
    **cityscapes().as_kwargs(),  # with tta_pipeline; as_kwargs(tta_pipeline=None) leaves TTA out
    model=deeplabv3_r50_d8(19, crop_size=(512, 1024), pretrained=None),
)
