"""Broken on purpose: a shorter run, but the PolyLR window still ends at 80000."""

from deeplabv3_r50_80k import config as base

from typedseg.config.replace import replace

config = replace(base, {"train_cfg.max_iters": 40000})
