"""Colour changes on uint8 BGR images with MMSegmentation's numbers: PhotoMetricDistortion and OpenCV's HSV.

MMSeg's brightness, contrast and saturation steps compute `clip(float32(x) * alpha + beta, 0, 255)` and truncate
to uint8; each is a function of one uint8 value, so typedseg applies it as a 256-entry lookup table built with the
same float32 arithmetic (equal results, a fraction of the work). The HSV round trips reproduce OpenCV's 8-bit
`COLOR_BGR2HSV` (fixed point, 12-bit division tables) and `COLOR_HSV2BGR` (float, rounded to nearest).
"""

from dataclasses import dataclass

import numpy as np

_HSV_SHIFT = 12
_DIVISORS = np.arange(256, dtype=np.float64)
with np.errstate(divide="ignore"):
    _SDIV = np.where(_DIVISORS > 0, np.rint((255 << _HSV_SHIFT) / _DIVISORS), 0).astype(np.int64)
    _HDIV = np.where(_DIVISORS > 0, np.rint((180 << _HSV_SHIFT) / (6.0 * _DIVISORS)), 0).astype(np.int64)
_HALF = 1 << (_HSV_SHIFT - 1)
_SIMD_PIXELS = 64
"""Pixels per vector block in OpenCV's HSV2BGR (4 AVX-512 vectors of 16 floats); the last `width % 64`
pixels of a row take the scalar path."""
_SECTORS = np.array([[1, 3, 0], [1, 0, 2], [3, 0, 1], [0, 2, 1], [0, 1, 3], [2, 1, 0]], dtype=np.intp)


def bgr_to_hsv(img: np.ndarray) -> np.ndarray:
    """OpenCV's `cvtColor(img, COLOR_BGR2HSV)` for uint8: H in [0, 180), S and V in [0, 255]."""
    bgr = img.astype(np.int32)
    b, g, r = bgr[..., 0], bgr[..., 1], bgr[..., 2]
    v = np.maximum(np.maximum(b, g), r)
    diff = v - np.minimum(np.minimum(b, g), r)
    s = (diff * _SDIV[v] + _HALF) >> _HSV_SHIFT
    h = np.where(v == r, g - b, np.where(v == g, b - r + 2 * diff, r - g + 4 * diff))
    h = (h * _HDIV[diff] + _HALF) >> _HSV_SHIFT
    h = np.where(h < 0, h + 180, h)
    return np.stack([h, s, v], axis=-1).astype(np.uint8)


def hsv_to_bgr(hsv: np.ndarray) -> np.ndarray:
    """OpenCV's `cvtColor(hsv, COLOR_HSV2BGR)` for uint8 (H in [0, 180)), bit for bit on x86-64.

    OpenCV converts blocks of `_SIMD_PIXELS` pixels of each row with vector code (results truncated) and the rest
    of the row with scalar code (results rounded); both are compiled with fused multiply-adds, reproduced here by
    computing `1 - s * h` in float64 before rounding to float32.
    """
    one = np.float32(1.0)
    h = hsv[..., 0].astype(np.float32) * np.float32(6.0 / 180.0)
    s = hsv[..., 1].astype(np.float32) * np.float32(1.0 / 255.0)
    v = hsv[..., 2].astype(np.float32) * np.float32(1.0 / 255.0)
    sector = np.floor(h).astype(np.intp)
    h = h - sector.astype(np.float32)
    s64 = s.astype(np.float64)
    fused = np.stack(
        [
            v,
            v * (one - s),
            v * (1.0 - s64 * h).astype(np.float32),
            v * (1.0 - s64 * (one - h)).astype(np.float32),
        ],
        axis=-1,
    )
    scaled = np.take_along_axis(fused, _SECTORS[sector], axis=-1) * np.float32(255.0)
    out = np.floor(scaled)
    tail = hsv.shape[1] % _SIMD_PIXELS
    if tail:
        out[:, -tail:] = np.rint(scaled[:, -tail:])
    return np.clip(out, 0, 255).astype(np.uint8)


def affine_lut(alpha: float, beta: float) -> np.ndarray:
    """The uint8 -> uint8 table of MMSeg's `convert`: `uint8(clip(float32(x) * alpha + beta, 0, 255))`."""
    values = np.arange(256, dtype=np.float32) * alpha + beta
    lut: np.ndarray = np.clip(values, 0, 255).astype(np.uint8)
    return lut


@dataclass(frozen=True)
class DistortionDraws:
    """Every random choice PhotoMetricDistortion makes for one image; None = the step is skipped."""

    brightness: float | None
    contrast_first: bool
    contrast: float | None
    saturation: float | None
    hue: int | None


def draw_distortion(
    rng: np.random.Generator,
    brightness_delta: int,
    contrast_range: tuple[float, float],
    saturation_range: tuple[float, float],
    hue_delta: int,
) -> DistortionDraws:
    """The draws of one PhotoMetricDistortion, in MMSeg's order and with its distributions."""
    brightness = float(rng.uniform(-brightness_delta, brightness_delta)) if rng.integers(2) else None
    contrast_first = bool(rng.integers(2) == 1)
    contrast: float | None = None
    if contrast_first and rng.integers(2):
        contrast = float(rng.uniform(*contrast_range))
    saturation = float(rng.uniform(*saturation_range)) if rng.integers(2) else None
    hue = int(rng.integers(-hue_delta, hue_delta)) if rng.integers(2) else None
    if not contrast_first and rng.integers(2):
        contrast = float(rng.uniform(*contrast_range))
    return DistortionDraws(brightness, contrast_first, contrast, saturation, hue)


def distort(img: np.ndarray, draws: DistortionDraws) -> np.ndarray:
    """MMSeg's PhotoMetricDistortion of a uint8 BGR image, with the given draws."""
    lut = np.arange(256, dtype=np.uint8)
    if draws.brightness is not None:
        lut = affine_lut(1, draws.brightness)[lut]
    if draws.contrast_first and draws.contrast is not None:
        lut = affine_lut(draws.contrast, 0)[lut]
    out = lut[img]
    if draws.saturation is not None:
        hsv = bgr_to_hsv(out)
        hsv[..., 1] = affine_lut(draws.saturation, 0)[hsv[..., 1]]
        out = hsv_to_bgr(hsv)
    if draws.hue is not None:
        hsv = bgr_to_hsv(out)
        hsv[..., 0] = ((hsv[..., 0].astype(np.int64) + draws.hue) % 180).astype(np.uint8)
        out = hsv_to_bgr(hsv)
    if not draws.contrast_first and draws.contrast is not None:
        out = affine_lut(draws.contrast, 0)[out]
    result: np.ndarray = out
    return result
