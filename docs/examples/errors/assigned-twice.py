load_from = "checkpoints/deeplabv3_r50_cityscapes.pth"
log_level = "INFO"
load_from = "checkpoints/deeplabv3_r50_ade20k.pth"
