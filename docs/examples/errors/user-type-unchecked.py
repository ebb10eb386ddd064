custom_imports = dict(imports=["mypkg.hooks"], allow_failed_imports=False)
custom_hooks = [dict(type="mypkg.hooks.GradNormAlarm", threshold=5.0)]
