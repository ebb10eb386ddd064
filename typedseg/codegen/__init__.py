"""Code generation: config models from Python signatures (`signature`), rendered from `templates/` (`render`).

`optimizers` regenerates `typedseg/config/optimizers/` (one module per optimizer) from the installed torch.
Nothing here is imported by `typedseg.config`; the generated modules are plain pydantic.
"""
