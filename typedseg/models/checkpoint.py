"""Reading MMSegmentation/MMEngine checkpoints and plain state_dicts safely, and loading them into a model.

Every file is read with `torch.load(weights_only=True)`: no pickled code runs. MMEngine's checkpoints also pickle
objects that are not tensors (the `message_hub`'s HistoryBuffer, numpy scalars in `meta`); torch refuses those
under weights_only. For such a file, every global the pickle names (listed without unpickling by
`torch.serialization.get_unsafe_globals_in_checkpoint`) is mapped to an inert stand-in class: the unpickler builds a
stand-in that only stores its arguments instead of importing and calling the real class, so the weights are read
and the rest is dropped. A global that torch blocks outright (os, sys, ...) is reported, not loaded.
"""

import os
import pickle
import pickletools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from typedseg.problems import ConfigError, Problem

_LISTED = 8


class StandIn:
    """An inert object in place of a pickled class or function: it records what it was built with."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs
        self.state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state

    def __repr__(self) -> str:
        return f"<stand-in for {type(self).__qualname__}>"


def _stand_in(full_name: str) -> tuple[Callable[..., Any], str]:
    module, _, name = full_name.rpartition(".")
    klass = type(name, (StandIn,), {"__module__": module, "__qualname__": name})
    return klass, full_name


@dataclass
class LoadReport:
    """What a non-strict load left out: model keys without a weight, checkpoint keys without a place, and
    weights whose shape does not fit (skipped, as MMEngine does)."""

    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)


def _problem(code: str, path: str | os.PathLike[str], message: str, hint: str) -> ConfigError:
    return ConfigError([Problem(code, ("checkpoint",), message, hint, file=str(path))])


def read_checkpoint(path: str | os.PathLike[str], map_location: str | None = "cpu") -> dict[str, Any]:
    """The whole checkpoint object (a dict), read with weights_only=True; non-tensor objects become stand-ins."""
    file = Path(path)
    if not file.is_file():
        reason = "is a URL: typedseg never downloads" if "://" in str(path) else "does not exist"
        raise _problem(
            "checkpoint-missing",
            path,
            f"checkpoint '{path}' {reason}.",
            "Download the file yourself and give its local path.",
        )
    try:
        loaded = torch.load(file, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError:
        loaded = _read_with_stand_ins(file, map_location)
    except (RuntimeError, EOFError, OSError, KeyError, ValueError, IndexError) as error:  # junk: any of these
        raise _problem(
            "checkpoint-unreadable",
            path,
            f"checkpoint '{path}' cannot be read as a torch file ({type(error).__name__}: {error}); it may be "
            "truncated or not a checkpoint.",
            "Check the file (its size and sha256) or save it again.",
        ) from None
    if not isinstance(loaded, Mapping):
        raise _problem(
            "checkpoint-unreadable",
            path,
            f"checkpoint '{path}' holds a {type(loaded).__name__}, not a dict of weights.",
            "Save the model's state_dict(), or an MMEngine checkpoint with a 'state_dict' entry.",
        )
    return dict(loaded)


def _globals_in(file: Path) -> list[str]:
    """The globals a checkpoint's pickle names, read without unpickling: torch's scanner for zip files, and for
    the legacy format (a few protocol-2 pickles in a row) the GLOBAL opcodes of its leading pickles."""
    try:
        return list(torch.serialization.get_unsafe_globals_in_checkpoint(file))
    except ValueError:  # not a zip checkpoint
        pass
    found: list[str] = []
    with file.open("rb") as stream:
        for _ in range(4):  # magic number, protocol, sys info, the object (the storage data follows)
            for opcode, arg, _position in pickletools.genops(stream):
                if opcode.name == "GLOBAL" and isinstance(arg, str):
                    found.append(arg.replace(" ", "."))
                if opcode.name == "STACK_GLOBAL":
                    raise ValueError("a legacy checkpoint with protocol-4 globals")
    allowed = {f"{m}.{n}" for m, n in (name.rsplit(".", 1) for name in found) if _torch_allows(m, n)}
    return sorted(set(found) - allowed)


def _torch_allows(module: str, name: str) -> bool:
    from torch._weights_only_unpickler import _get_allowed_globals

    return f"{module}.{name}" in _get_allowed_globals()


def _read_with_stand_ins(file: Path, map_location: str | None) -> Any:
    try:
        names = _globals_in(file)
    except Exception as error:  # whatever the scanner hits, the file is not readable
        raise _not_a_torch_file(file, error) from None
    stand_ins: list[Callable[..., Any] | tuple[Callable[..., Any], str]] = [_stand_in(name) for name in names]
    try:
        with torch.serialization.safe_globals(stand_ins):
            return torch.load(file, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        raise _problem(
            "checkpoint-unreadable",
            file,
            f"checkpoint '{file}' pickles objects that cannot be read without running their code "
            f"({', '.join(names) or 'none listed'}): {_reason(error)}",
            "Re-save only the weights: torch.save(torch.load(path, weights_only=False)['state_dict'], new_path) "
            "in a trusted environment, and load new_path.",
        ) from None
    except (RuntimeError, EOFError, OSError, ValueError) as error:
        raise _not_a_torch_file(file, error) from None


def _not_a_torch_file(file: Path, error: Exception) -> ConfigError:
    return _problem(
        "checkpoint-unreadable",
        file,
        f"checkpoint '{file}' cannot be read as a torch file ({type(error).__name__}: {error}).",
        "Check the file (its size and sha256) or save it again.",
    )


def _reason(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    detail = [line for line in lines if "Unpickler error" in line or "blocked" in line]
    return (detail or lines or ["unknown"])[0].removeprefix("WeightsUnpickler error: ")


def state_dict_of(checkpoint: Mapping[str, Any]) -> dict[str, Tensor]:
    """The weights of a checkpoint: its 'state_dict' (MMEngine), or the dict itself; a 'module.' prefix from
    DataParallel/DDP is dropped, as MMEngine's load_checkpoint does."""
    weights = checkpoint.get("state_dict", checkpoint)
    if not isinstance(weights, Mapping):
        raise TypeError("the checkpoint's 'state_dict' is not a dict")
    tensors = {str(k): v for k, v in weights.items() if isinstance(v, Tensor)}
    return {k.removeprefix("module."): v for k, v in tensors.items()}


def _listing(keys: list[str]) -> str:
    shown = ", ".join(keys[:_LISTED])
    return shown + (f", ... ({len(keys) - _LISTED} more)" if len(keys) > _LISTED else "")


def load_weights(
    path: str | os.PathLike[str],
    model: nn.Module,
    *,
    prefix: str | None = None,
    strict: bool = True,
    map_location: str | None = "cpu",
) -> LoadReport:
    """Load a checkpoint's weights into `model`.

    `prefix` keeps only the keys under it, stripped (`backbone.` loads a whole segmentor's backbone into a
    backbone). strict=True: the keys and shapes must equal the model's, else a ConfigError lists every missing
    and unexpected key. strict=False loads what fits and reports the rest, as MMEngine's Pretrained init does.
    """
    weights = state_dict_of(read_checkpoint(path, map_location))
    if prefix:
        dotted = prefix if prefix.endswith(".") else prefix + "."
        weights = {k[len(dotted) :]: v for k, v in weights.items() if k.startswith(dotted)}
        if not weights:
            raise _problem(
                "checkpoint-prefix-missing",
                path,
                f"checkpoint '{path}' has no weights under the prefix '{dotted}'.",
                "Check the prefix (e.g. 'backbone.'), or leave it out to load the whole checkpoint.",
            )
    own = model.state_dict()
    report = LoadReport(
        missing=[k for k in own if k not in weights],
        unexpected=[k for k in weights if k not in own],
        mismatched=[
            (k, tuple(v.shape), tuple(own[k].shape))
            for k, v in weights.items()
            if k in own and tuple(v.shape) != tuple(own[k].shape)
        ],
    )
    if strict and (report.missing or report.unexpected or report.mismatched):
        parts = []
        if report.missing:
            parts.append(
                f"{len(report.missing)} model weights are missing from it ({_listing(report.missing)})"
            )
        if report.unexpected:
            parts.append(
                f"{len(report.unexpected)} of its weights fit no layer ({_listing(report.unexpected)})"
            )
        if report.mismatched:
            shapes = [f"{k} {list(a)} vs the model's {list(b)}" for k, a, b in report.mismatched]
            parts.append(f"{len(shapes)} weights have other shapes ({_listing(shapes)})")
        raise _problem(
            "checkpoint-keys-mismatch",
            path,
            f"checkpoint '{path}' does not fit this model: " + "; ".join(parts) + ".",
            "Use a checkpoint of the same model config (backbone, depth, channels, classes), or load it as "
            "init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.') to take the parts that fit.",
        )
    skip = {k for k, _, _ in report.mismatched}
    model.load_state_dict({k: v for k, v in weights.items() if k in own and k not in skip}, strict=False)
    return report
