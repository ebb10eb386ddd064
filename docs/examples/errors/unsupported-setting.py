sync_bn = 'torch'
