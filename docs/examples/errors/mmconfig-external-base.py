_base_ = ["mmdet::_base_/models/mask-rcnn_r50_fpn.py"]
