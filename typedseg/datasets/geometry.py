"""Resizing, flipping and padding of HWC image arrays, with MMCV's (OpenCV's) numbers.

MMSegmentation resizes with `cv2.resize`. Pillow cannot stand in for it: when it shrinks an image, Pillow's
bilinear filter widens its support (antialiasing) and averages many more pixels than OpenCV's two-tap filter.
torch's `interpolate(..., mode="bilinear", align_corners=False, antialias=False)` samples the same source points
as OpenCV (half-pixel centres, edges clamped) and differs from it by at most one grey level on uint8 images (OpenCV
rounds 11-bit fixed-point weights; torch uses its own fixed point), so typedseg resizes images with torch and adds no
dependency. Label maps are resized with nearest-neighbour indices computed exactly as OpenCV's INTER_NEAREST does
(`floor(dst * src/dst)` in double precision), so they are equal to MMSeg's, not merely close.
"""

from typing import Literal

import numpy as np
import torch
from PIL import Image
from torch.nn import functional

Interpolation = Literal["nearest", "bilinear", "bicubic", "area", "lanczos", "box", "hamming"]
Direction = Literal["horizontal", "vertical", "diagonal"]
PaddingMode = Literal["constant", "edge", "reflect", "symmetric"]

_PILLOW_FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "box": Image.Resampling.BOX,
    "lanczos": Image.Resampling.LANCZOS,
    "hamming": Image.Resampling.HAMMING,
}
_TORCH_MODES = {"bilinear": "bilinear", "bicubic": "bicubic"}


class UnsupportedInterpolationError(ValueError):
    """An interpolation typedseg cannot compute with OpenCV's numbers (cv2's 'area' and 'lanczos')."""


def scale_size(size_wh: tuple[int, int], scale: float | tuple[float, float]) -> tuple[int, int]:
    """`(w, h)` multiplied by `scale`, rounded half up (mmcv's `_scale_size`)."""
    sw, sh = (scale, scale) if isinstance(scale, (int, float)) else scale
    w, h = size_wh
    return int(w * float(sw) + 0.5), int(h * float(sh) + 0.5)


def rescale_size(size_wh: tuple[int, int], scale: float | tuple[int, int]) -> tuple[tuple[int, int], float]:
    """The size an image of `size_wh` gets when rescaled keeping its ratio (mmcv's `rescale_size`): by a factor,
    or as large as fits in a (long edge, short edge) bound. Returns the new (w, h) and the factor."""
    w, h = size_wh
    if isinstance(scale, (int, float)):
        if scale <= 0:
            raise ValueError(f"invalid scale {scale}: must be positive")
        factor = float(scale)
    else:
        factor = min(max(scale) / max(h, w), min(scale) / min(h, w))
    return scale_size((w, h), factor), factor


def nearest_indices(src: int, dst: int) -> np.ndarray:
    """Source index of each destination pixel under OpenCV's INTER_NEAREST."""
    inverse = 1.0 / (dst / src)
    return np.minimum(np.floor(np.arange(dst, dtype=np.float64) * inverse).astype(np.intp), src - 1)


def resize(
    img: np.ndarray, size_wh: tuple[int, int], interpolation: Interpolation = "bilinear", backend: str = "cv2"
) -> np.ndarray:
    """`img` (H, W[, C]) resized to `size_wh`, as `mmcv.imresize` with this backend and interpolation."""
    w, h = size_wh
    if w <= 0 or h <= 0:
        raise ValueError(f"cannot resize to {size_wh}: both sides must be positive")
    if backend == "pillow":
        if img.dtype != np.uint8:
            raise ValueError("the pillow resize backend supports uint8 images only (as in mmcv)")
        return np.asarray(Image.fromarray(img).resize((w, h), _PILLOW_FILTERS[interpolation]))
    if interpolation == "nearest":
        if (h, w) == img.shape[:2]:
            return img.copy()
        rows = np.take(img, nearest_indices(img.shape[0], h), axis=0)
        return np.take(rows, nearest_indices(img.shape[1], w), axis=1)
    mode = _TORCH_MODES.get(interpolation)
    if mode is None:
        raise UnsupportedInterpolationError(
            f"interpolation={interpolation!r} with backend='cv2' is not implemented by typedseg; use "
            "'bilinear', 'bicubic' or 'nearest', or backend='pillow'"
        )
    if (h, w) == img.shape[:2]:
        return img.copy()
    planar = img[:, :, None] if img.ndim == 2 else img
    # HWC memory is torch's channels-last layout (its fast uint8 path reads it); the result comes back planar
    tensor = torch.from_numpy(np.ascontiguousarray(planar)).permute(2, 0, 1).unsqueeze(0)
    if img.dtype not in (np.uint8, np.float32, np.float64) or (mode == "bicubic" and img.dtype == np.uint8):
        tensor = tensor.float()  # torch's uint8 bicubic rounds between its two passes; OpenCV's does not
    out = functional.interpolate(tensor, size=(h, w), mode=mode, align_corners=False, antialias=False)
    # an HWC view of the planar result: cropping, flipping and packing (CHW) need no transposing copy
    result = out[0].permute(1, 2, 0).numpy()
    if result.dtype != img.dtype:
        result = np.clip(np.rint(result), *_limits(img.dtype)).astype(img.dtype)
    return result[:, :, 0] if img.ndim == 2 else result


def _limits(dtype: np.dtype) -> tuple[float, float]:
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else np.finfo(dtype)
    return float(info.min), float(info.max)


def flip(img: np.ndarray, direction: Direction) -> np.ndarray:
    """`img` mirrored left-right, top-bottom, or both (`mmcv.imflip`), as a view (as np.flip returns it)."""
    if direction == "horizontal":
        return img[:, ::-1]
    if direction == "vertical":
        return img[::-1]
    return img[::-1, ::-1]


_NUMPY_PAD_MODES: dict[str, Literal["constant", "edge", "reflect", "symmetric"]] = {
    "constant": "constant",
    "edge": "edge",
    "reflect": "reflect",  # OpenCV's BORDER_REFLECT_101: the edge pixel is not repeated
    "symmetric": "symmetric",  # OpenCV's BORDER_REFLECT: the edge pixel is repeated
}


def pad(
    img: np.ndarray,
    shape_hw: tuple[int, int],
    value: float | tuple[float, ...],
    mode: PaddingMode = "constant",
) -> np.ndarray:
    """`img` padded at the bottom and right to `shape_hw` (never cropped), as `mmcv.impad(shape=...)`."""
    extra_h = max(shape_hw[0] - img.shape[0], 0)
    extra_w = max(shape_hw[1] - img.shape[1], 0)
    if extra_h == 0 and extra_w == 0:
        return img
    if mode != "constant":
        widths = [(0, extra_h), (0, extra_w)] + [(0, 0)] * (img.ndim - 2)
        return np.pad(img, widths, mode=_NUMPY_PAD_MODES[mode])
    out = np.empty((img.shape[0] + extra_h, img.shape[1] + extra_w, *img.shape[2:]), dtype=img.dtype)
    out[...] = np.asarray(value, dtype=np.float64).astype(img.dtype)
    out[: img.shape[0], : img.shape[1]] = img
    return out
