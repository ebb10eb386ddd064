# MMSegmentation 0.x's poly schedule; MMEngine reads param_scheduler instead.
lr_config = dict(policy="poly", power=0.9, min_lr=1e-4, by_epoch=False)
