# A tuple of bases: MMEngine reads anything but a list as one path.
_base_ = ("mmconfig_bases/deeplabv3_r50.py", "mmconfig_bases/cityscapes.py")
