# type: ignore
_base_ = ["mmconfig_bases/cityscapes.py"]
crop_size = {{_base_.crop_size}}
