"""Colour changes on uint8 BGR images with MMSegmentation's numbers: PhotoMetricDistortion and OpenCV's HSV.

MMSeg's brightness, contrast and saturation steps compute `clip(float32(x) * alpha + beta, 0, 255)` and truncate
to uint8; each is a function of one uint8 value, so typedseg applies it as a 256-entry lookup table built with the
same float32 arithmetic (equal results, a fraction of the work). The HSV round trips reproduce OpenCV's 8-bit
`COLOR_BGR2HSV` (fixed point, 12-bit division tables) and `COLOR_HSV2BGR` (float, rounded to nearest).
"""

from dataclasses import dataclass

import numpy as np

_HSV_SHIFT = 12
_SIMD_PIXELS = 64
"""Pixels per vector block in OpenCV's HSV2BGR (4 AVX-512 vectors of 16 floats); the last `width % 64` pixels of a
row take the scalar path."""
_SECTORS = np.array([[1, 3, 0], [1, 0, 2], [3, 0, 1], [0, 2, 1], [0, 1, 3], [2, 1, 0]], dtype=np.intp)
"""OpenCV's sector_data: which of (v, v(1-s), v(1-sf), v(1-s(1-f))) is blue, green and red in each hue sector."""


def _bgr_to_hsv_tables() -> tuple[np.ndarray, np.ndarray]:
    """OpenCV's 8-bit BGR2HSV fixed point as two lookup tables: S by (v, v - min), and H by (numerator, v - min)
    where the numerator is g - b, b - r + 2 diff or r - g + 4 diff (offset by 255 to index from 0)."""
    half = 1 << (_HSV_SHIFT - 1)
    divisors = np.arange(256, dtype=np.float64)
    with np.errstate(divide="ignore"):
        sdiv = np.where(divisors > 0, np.rint((255 << _HSV_SHIFT) / divisors), 0).astype(np.int64)
        hdiv = np.where(divisors > 0, np.rint((180 << _HSV_SHIFT) / (6.0 * divisors)), 0).astype(np.int64)
    diff = np.arange(256, dtype=np.int64)
    s_table = (diff[None, :] * sdiv[:, None] + half) >> _HSV_SHIFT  # [v, diff]
    numerator = np.arange(-255, 5 * 255 + 1, dtype=np.int64)
    h_table = (numerator[:, None] * hdiv[None, :] + half) >> _HSV_SHIFT  # [numerator + 255, diff]
    h_table = np.where(h_table < 0, h_table + 180, h_table)
    return s_table.astype(np.uint8).reshape(-1), h_table.astype(np.uint8).reshape(-1)


def _hsv_to_bgr_tables() -> tuple[np.ndarray, np.ndarray]:
    """OpenCV's 8-bit HSV2BGR as float32 tables: per channel, the factor that multiplies v for each (h, s) (the
    vector code's fused multiply-adds: `1 - s * f` rounded once), and v / 255 for each v."""
    one = np.float32(1.0)
    h = np.arange(256, dtype=np.float32)[:, None] * np.float32(6.0 / 180.0)
    s = np.arange(256, dtype=np.float32)[None, :] * np.float32(1.0 / 255.0)
    sector = np.floor(h).astype(np.intp)
    f = h - sector.astype(np.float32)
    s64 = s.astype(np.float64)
    factors = np.stack(
        np.broadcast_arrays(
            one,
            one - s,
            (1.0 - s64 * f).astype(np.float32),
            (1.0 - s64 * (one - f)).astype(np.float32),
        ),
        axis=-1,
    ).astype(np.float32)  # [h, s, tab]
    picks = _SECTORS[np.minimum(sector, 5)][:, 0, :]  # [h, channel]
    per_channel = np.take_along_axis(factors, np.broadcast_to(picks[:, None, :], (256, 256, 3)), axis=-1)
    v_scaled = np.arange(256, dtype=np.float32) * np.float32(1.0 / 255.0)
    return np.ascontiguousarray(per_channel.reshape(-1, 3).T), v_scaled


_S_TABLE, _H_TABLE = _bgr_to_hsv_tables()
_FACTORS, _V_SCALED = _hsv_to_bgr_tables()


def bgr_to_hsv(img: np.ndarray) -> np.ndarray:
    """OpenCV's `cvtColor(img, COLOR_BGR2HSV)` for uint8 (HWC): H in [0, 180), S and V in [0, 255]."""
    return planar_bgr_to_hsv(img.transpose(2, 0, 1)).transpose(1, 2, 0)


def hsv_to_bgr(hsv: np.ndarray) -> np.ndarray:
    """OpenCV's `cvtColor(hsv, COLOR_HSV2BGR)` for uint8 (HWC, H in [0, 180)), bit for bit on x86-64."""
    return planar_hsv_to_bgr(hsv.transpose(2, 0, 1)).transpose(1, 2, 0)


def planar_bgr_to_hsv(planes: np.ndarray) -> np.ndarray:
    """`bgr_to_hsv` on (3, H, W) planes, returning planes: each channel is contiguous, which numpy reads fastest."""
    b, g, r = planes[0], planes[1], planes[2]
    v = np.maximum(np.maximum(b, g), r)
    diff = v - np.minimum(np.minimum(b, g), r)  # uint8: v >= min
    b16, g16, r16, d16 = b.astype(np.int16), g.astype(np.int16), r.astype(np.int16), diff.astype(np.int16)
    numerator = r16 - g16  # blue is the largest: r - g + 4 diff
    numerator += 4 * d16
    other = b16 - r16  # green: b - r + 2 diff
    other += 2 * d16
    np.copyto(numerator, other, where=v == g)
    np.subtract(g16, b16, out=other)  # red: g - b
    np.copyto(numerator, other, where=v == r)
    h_index = numerator.astype(np.int32)
    h_index += 255
    h_index <<= 8
    h_index += diff
    out = np.empty(planes.shape, dtype=np.uint8)
    np.take(_H_TABLE, h_index, out=out[0])
    s_index = v.astype(np.uint16)
    s_index <<= 8
    s_index += diff
    np.take(_S_TABLE, s_index, out=out[1])
    out[2] = v
    return out


def planar_hsv_to_bgr(hsv: np.ndarray) -> np.ndarray:
    """`hsv_to_bgr` on (3, H, W) planes, returning planes.

    OpenCV converts blocks of `_SIMD_PIXELS` pixels of each row with vector code (results truncated) and the rest
    of the row with scalar code (results rounded); both are compiled with fused multiply-adds, which the factor
    tables reproduce (`1 - s * f` computed in float64, rounded once to float32).
    """
    index = hsv[0].astype(np.intp)
    index <<= 8
    index += hsv[1]
    v = _V_SCALED[hsv[2]]
    tail = hsv.shape[2] % _SIMD_PIXELS
    out = np.empty(hsv.shape, dtype=np.uint8)
    for channel in range(3):
        scaled = np.take(_FACTORS[channel], index)
        scaled *= v
        scaled *= np.float32(255.0)
        if tail:
            scaled[:, -tail:] = np.rint(scaled[:, -tail:])
        out[channel] = scaled  # float -> uint8 truncates, as the vector code does
    return out


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
    """MMSeg's PhotoMetricDistortion of a uint8 BGR image (HWC), with the given draws; returns an HWC view of
    planar memory (what packing into a CHW tensor wants)."""
    lut = np.arange(256, dtype=np.uint8)
    if draws.brightness is not None:
        lut = affine_lut(1, draws.brightness)[lut]
    if draws.contrast_first and draws.contrast is not None:
        lut = affine_lut(draws.contrast, 0)[lut]
    planes = np.take(lut, img.transpose(2, 0, 1))
    if draws.saturation is not None:
        hsv = planar_bgr_to_hsv(planes)
        hsv[1] = affine_lut(draws.saturation, 0)[hsv[1]]
        planes = planar_hsv_to_bgr(hsv)
    if draws.hue is not None:
        hsv = planar_bgr_to_hsv(planes)
        hue_lut = ((np.arange(256, dtype=np.int64) + draws.hue) % 180).astype(np.uint8)
        hsv[0] = hue_lut[hsv[0]]
        planes = planar_hsv_to_bgr(hsv)
    if not draws.contrast_first and draws.contrast is not None:
        planes = affine_lut(draws.contrast, 0)[planes]
    result: np.ndarray = planes.transpose(1, 2, 0)
    return result
