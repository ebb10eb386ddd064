norm_cfg = dict(type="SyncBN", requires_grad=True)
decode_head = dict(type="ASPPHead", num_classes=19, norm_cfg=norm_cfg)
auxiliary_head = dict(type="FCNHead", num_classes=decode_head["num_class"], norm_cfg=norm_cfg)
