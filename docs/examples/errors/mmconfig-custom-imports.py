custom_imports = ["mmseg_ext.hooks"]
