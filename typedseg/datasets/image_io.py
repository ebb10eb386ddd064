"""Reading images and label maps from files, as MMCV decodes them; writing PNGs atomically.

Images are decoded with Pillow and returned in OpenCV's layout (HWC, BGR order, uint8), as `mmcv.imfrombytes`
returns them with its default cv2 backend: PNG decoding is lossless, so the arrays are equal. A 'color' read applies
the EXIF orientation, as OpenCV's IMREAD_COLOR does.
"""

from collections.abc import Callable
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from typedseg.files import write_durably

IMAGE_ERRORS = (OSError, UnidentifiedImageError, ValueError, SyntaxError)
"""What Pillow raises for a missing, truncated or undecodable file."""
WriteFn = Callable[[IO[bytes]], object]
_ORIENTATION = 0x0112
"""The EXIF orientation tag."""


def why_unreadable(exc: BaseException) -> str:
    """A short reason for a read failure, without the absolute paths Pillow puts in its messages."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image Pillow can decode"
    if isinstance(exc, IsADirectoryError):
        return "a folder, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"truncated or corrupt ({type(exc).__name__})"


def _bgr(array: np.ndarray) -> np.ndarray:
    if array.ndim == 3 and array.shape[2] >= 3:
        order = [2, 1, 0, *range(3, array.shape[2])]
        return np.ascontiguousarray(array[:, :, order])
    return array


def read_image(path: str | Path, color_type: str = "color") -> np.ndarray:
    """The image at `path` as `mmcv.imread(path, flag=color_type)` returns it (BGR for colour images)."""
    with Image.open(path) as file:
        image: Image.Image = file
        if color_type in ("color", "grayscale") and image.getexif().get(_ORIENTATION, 1) != 1:
            image = ImageOps.exif_transpose(image)
        if color_type in ("color", "color_ignore_orientation"):
            return _bgr(np.asarray(image.convert("RGB")))
        if color_type in ("grayscale", "grayscale_ignore_orientation"):
            return np.asarray(image.convert("L"))
        if image.mode == "P":
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        return _bgr(np.asarray(image))


def read_label_map(path: str | Path, decode_backend: str = "pillow") -> np.ndarray:
    """The label map at `path` as MMSeg's LoadAnnotations reads it: the stored values (palette indices for a
    palette PNG with the pillow backend), squeezed, as uint8."""
    with Image.open(path) as file:
        image: Image.Image = file
        if decode_backend != "pillow" and image.mode == "P":
            image = image.convert("RGB")  # OpenCV expands palette images to colours
        array = _bgr(np.asarray(image))
    return np.squeeze(array).astype(np.uint8)


def write_png(path: str | Path, array: np.ndarray, palette: np.ndarray | None = None) -> None:
    """Write `array` (HW labels or HWC RGB) as a PNG, atomically; with `palette` ((N, 3) RGB), as a palette PNG."""
    image = Image.fromarray(array)
    if palette is not None:
        image = Image.fromarray(array.astype(np.uint8))  # mode L; putpalette makes it a palette image
        flat = np.zeros((256, 3), dtype=np.uint8)
        flat[: len(palette)] = palette[:256]
        image.putpalette(flat.reshape(-1).tolist())
    write_atomically(Path(path), lambda handle: image.save(handle, format="PNG", optimize=False))


def write_atomically(path: Path, write: WriteFn) -> None:
    """Write `path` through the package's one atomic writer, creating its folder first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_durably(path, write)
