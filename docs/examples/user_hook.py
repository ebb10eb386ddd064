"""The SegFormer config with the user's GradNormAlarm hook: in Python, the class is used directly."""

from mypkg.hooks import GradNormAlarm
from segformer_80k import config as base

from typedseg.config.replace import replace

config = replace(base, custom_hooks=[GradNormAlarm(threshold=5.0, priority="VERY_LOW")])
