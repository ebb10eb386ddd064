# type: ignore
# ruff: noqa: F821
work_dir = {{fileDirname}}
