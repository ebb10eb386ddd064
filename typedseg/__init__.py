"""typedseg: typed, validated segmentation training configs in MMEngine's vocabulary.

The package root stays import-light on purpose: `typedseg validate` must start fast and never import torch.
"""

__version__ = "0.1.0"
SCHEMA_VERSION = 1
