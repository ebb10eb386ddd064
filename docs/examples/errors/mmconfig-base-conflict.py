# Two dataset bases: both define the dataset's type.
_base_ = ["mmconfig_bases/cityscapes.py", "mmconfig_bases/ade20k.py"]
