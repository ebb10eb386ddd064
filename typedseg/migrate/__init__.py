"""Reading MMEngine-style (MMSegmentation) config files without executing them.

`mmengine_config.load_mmengine_config` evaluates a `.py` config and its `_base_` files with a small AST evaluator,
merges them with MMEngine's exact rules, and records where every value was written, which top-level names are
helper variables, and which inherited values were computed from a helper that a child file later redefined.
"""
