"""The 80k config at half the length: one `replace`, validated again as a whole."""

from deeplabv3_r50_80k import config as base

from typedseg.config.replace import replace

config = replace(base, {"train_cfg.max_iters": 40000, "param_scheduler[PolyLR].end": 40000})
