"""Weight initialization as MMEngine does it: `init_cfg` initializers, their `override` entries, and the order in
which a model's parts initialize (a part's own init_cfg first, then its direct children that initialize
themselves, then its Pretrained entries last).

Which modules an initializer touches follows MMEngine: a layer initializer matches a module whose class, or any
base class, is named in `layer`; an override re-initializes a named sub-module as a whole (every module in it
that has a `weight`). The random draws are torch's own, so values differ from MMEngine's run, not their law.
"""

import math
from collections.abc import Sequence
from typing import Any, assert_never

from torch import Tensor, nn

from typedseg.config.models.common import (
    Caffe2XavierInit,
    Caffe2XavierOverride,
    ConstantInit,
    ConstantOverride,
    KaimingInit,
    KaimingOverride,
    NameOverride,
    NormalInit,
    NormalOverride,
    PretrainedInit,
    PretrainedOverride,
    TruncNormalInit,
    TruncNormalOverride,
    UniformInit,
    UniformOverride,
    XavierInit,
    XavierOverride,
)

LayerInitializer = (
    ConstantInit | NormalInit | TruncNormalInit | XavierInit | UniformInit | KaimingInit | Caffe2XavierInit
)
LayerOverride = (
    ConstantOverride
    | NormalOverride
    | TruncNormalOverride
    | XavierOverride
    | UniformOverride
    | KaimingOverride
    | Caffe2XavierOverride
)
Override = NameOverride | LayerOverride | PretrainedOverride
Initializer = LayerInitializer | PretrainedInit
WeightInit = LayerInitializer | LayerOverride


def _weight(module: nn.Module) -> Tensor | None:
    value = getattr(module, "weight", None)
    return value if isinstance(value, Tensor) else None


def _fill_bias(module: nn.Module, bias: float) -> None:
    value = getattr(module, "bias", None)
    if isinstance(value, Tensor):
        nn.init.constant_(value, bias)


def constant_init(module: nn.Module, val: float, bias: float = 0.0) -> None:
    """MMEngine's constant_init."""
    weight = _weight(module)
    if weight is not None:
        nn.init.constant_(weight, val)
    _fill_bias(module, bias)


def kaiming_init(
    module: nn.Module,
    a: float = 0.0,
    mode: str = "fan_out",
    nonlinearity: str = "relu",
    bias: float = 0.0,
    distribution: str = "normal",
) -> None:
    """MMEngine's kaiming_init (defaults: fan_out, relu, normal)."""
    weight = _weight(module)
    if weight is not None:
        if distribution == "uniform":
            nn.init.kaiming_uniform_(weight, a=a, mode=mode, nonlinearity=nonlinearity)  # type: ignore[arg-type]
        else:
            nn.init.kaiming_normal_(weight, a=a, mode=mode, nonlinearity=nonlinearity)  # type: ignore[arg-type]
    _fill_bias(module, bias)


def _apply_weight_init(cfg: WeightInit, module: nn.Module) -> None:
    """Initialize one module (that has a weight or a bias) as `cfg` says."""
    bias = cfg.bias if cfg.bias_prob is None else float(-math.log((1 - cfg.bias_prob) / cfg.bias_prob))
    weight = _weight(module)
    match cfg:
        case ConstantInit() | ConstantOverride():
            if weight is not None:
                nn.init.constant_(weight, cfg.val)
        case NormalInit() | NormalOverride():
            if weight is not None:
                nn.init.normal_(weight, cfg.mean, cfg.std)
        case TruncNormalInit() | TruncNormalOverride():
            if weight is not None:
                nn.init.trunc_normal_(weight, cfg.mean, cfg.std, cfg.a, cfg.b)
        case XavierInit() | XavierOverride():
            if weight is not None:
                if cfg.distribution == "uniform":
                    nn.init.xavier_uniform_(weight, cfg.gain)
                else:
                    nn.init.xavier_normal_(weight, cfg.gain)
        case UniformInit() | UniformOverride():
            if weight is not None:
                nn.init.uniform_(weight, cfg.a, cfg.b)
        case KaimingInit() | KaimingOverride():
            kaiming_init(module, cfg.a, cfg.mode, cfg.nonlinearity, bias, cfg.distribution)
        case Caffe2XavierInit() | Caffe2XavierOverride():
            kaiming_init(module, 1.0, "fan_in", "leaky_relu", bias, "uniform")
        case _:
            assert_never(cfg)
    _fill_bias(module, bias)


def _class_names(module: nn.Module) -> set[str]:
    return {klass.__name__ for klass in type(module).__mro__}


def _initialize(module: nn.Module, cfg: WeightInit, layers: Sequence[str], whole: bool) -> None:
    wanted = set(layers)
    for sub in module.modules():
        if whole or wanted & _class_names(sub):
            _apply_weight_init(cfg, sub)


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(value)
    return (value,)


def _override_to_initializer(entry: Override, parent: LayerInitializer) -> WeightInit | PretrainedOverride:
    match entry:
        case NameOverride():
            return parent
        case (
            ConstantOverride()
            | NormalOverride()
            | TruncNormalOverride()
            | XavierOverride()
            | UniformOverride()
            | KaimingOverride()
            | Caffe2XavierOverride()
            | PretrainedOverride()
        ):
            return entry
        case _:
            assert_never(entry)


def initialize(module: nn.Module, init_cfg: Any) -> None:
    """MMEngine's `initialize(module, init_cfg)`: each initializer on its `layer`s, then its overrides."""
    for cfg in _as_tuple(init_cfg):
        if isinstance(cfg, PretrainedInit):
            load_pretrained(module, cfg.checkpoint, cfg.prefix, cfg.map_location)
            continue
        _initialize(module, cfg, _as_tuple(cfg.layer), whole=False)
        for entry in _as_tuple(cfg.override):
            target = getattr(module, entry.name, None)
            if not isinstance(target, nn.Module):
                raise ValueError(
                    f"init_cfg override names '{entry.name}', but {type(module).__name__} has no such sub-module"
                )
            resolved = _override_to_initializer(entry, cfg)
            if isinstance(resolved, PretrainedOverride):
                load_pretrained(target, resolved.checkpoint, resolved.prefix, resolved.map_location)
            else:
                _initialize(target, resolved, (), whole=True)


def load_pretrained(module: nn.Module, checkpoint: str, prefix: str | None, map_location: str | None) -> None:
    """MMEngine's PretrainedInit: load a local checkpoint (keys under `prefix`, stripped) non-strictly."""
    from typedseg.models.checkpoint import load_weights

    load_weights(checkpoint, module, prefix=prefix, strict=False, map_location=map_location)


class BaseModule(nn.Module):
    """A model part with its own `init_cfg`, initialized as MMEngine's BaseModule.init_weights does."""

    init_cfg: tuple[Any, ...] = ()

    def set_init_cfg(self, init_cfg: Any) -> None:
        """Record the part's initializers (None, one, or a sequence)."""
        self.init_cfg = _as_tuple(init_cfg)

    def init_weights(self) -> None:
        """Own initializers but Pretrained, then direct children that initialize themselves, then Pretrained."""
        others = [cfg for cfg in self.init_cfg if not isinstance(cfg, PretrainedInit)]
        pretrained = [cfg for cfg in self.init_cfg if isinstance(cfg, PretrainedInit)]
        initialize(self, others)
        for child in self.children():
            if isinstance(child, BaseModule):
                child.init_weights()
        initialize(self, pretrained)
