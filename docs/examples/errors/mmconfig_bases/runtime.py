log_interval = 50
default_hooks = dict(logger=dict(type="LoggerHook", interval=log_interval))
