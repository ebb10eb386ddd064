_base_ = ["../_base_/models/deeplabv3_r50-d8.py"]
