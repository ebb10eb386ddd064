"""typedseg: typed, validated segmentation training configs in MMEngine's vocabulary.

The package root stays import-light on purpose: `typedseg validate` must start fast and never import torch.
"""

from pkgutil import extend_path
from typing import TYPE_CHECKING, Any

# cli/, templates/ and schemas/ install as typedseg.cli, .templates and .schemas (pyproject's package-dir); the
# editable install links them into a `typedseg/` under build/. A checkout ahead of it on sys.path (`python -m
# typedseg` from the repository root) has no typedseg/cli: the package also searches the other `typedseg/`
# folders on sys.path.
__path__ = extend_path(__path__, __name__)

__version__ = "0.1.0"
SCHEMA_VERSION = 1

if TYPE_CHECKING:
    from typedseg.api import build_model as build_model
    from typedseg.api import load_config as load_config
    from typedseg.engine.runner import Runner as Runner

_LAZY = {"load_config": "typedseg.api", "build_model": "typedseg.api", "Runner": "typedseg.engine.runner"}


def __getattr__(name: str) -> Any:
    """`typedseg.load_config`, `typedseg.build_model` and `typedseg.Runner`, imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'typedseg' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
