"""The 80k config with MMSegmentation's test-time augmentation for Cityscapes: six scales, each flipped or not."""

from deeplabv3_r50_80k import config as base

from typedseg.config.models.segmentor import SegTTAModel
from typedseg.config.replace import replace
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    RandomFlip,
    Resize,
    TestTimeAug,
)

config = replace(
    base,
    tta_model=SegTTAModel(),  # wraps the experiment's model
    tta_pipeline=[
        LoadImageFromFile(),
        TestTimeAug(
            transforms=[  # every combination of one entry per step
                [Resize(scale_factor=ratio, keep_ratio=True) for ratio in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75)],
                [RandomFlip(prob=0.0, direction="horizontal"), RandomFlip(prob=1.0, direction="horizontal")],
                [LoadAnnotations()],
                [PackSegInputs()],
            ]
        ),
    ],
)
