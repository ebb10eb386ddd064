sync_bn = "torch"
