"""A deterministic synthetic segmentation dataset: coloured shapes on textured backgrounds, as real PNG files.

The layout is BaseSegDataset's (`images/<split>/NNNN.png`, `labels/<split>/NNNN.png`), so the quickstart and the
tests read it with the real loading code. Class 0 is the background; classes 1.. are squares, discs and stripes (in
turn), each with its own hue band. What makes it learnable but not trivial: every image has a textured, tinted
background; shapes overlap one another; colours are jittered in hue, saturation and brightness with pixel noise;
the hue bands of neighbouring classes are 120 degrees apart (with 4 classes), so colour gets a model most of the
way and shape edges the rest. The same seed writes byte-identical files.
"""

import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from typedseg import startup
from typedseg.datasets.errors import data_error
from typedseg.datasets.image_io import write_atomically, write_png

SHAPES = ("square", "disc", "stripe")
SPLITS = ("train", "val")


@dataclass(frozen=True)
class SynthSpec:
    """What to generate: class count (background included), images per split, image size (h, w), seed."""

    classes: int = 4
    train: int = 200
    val: int = 40
    size: tuple[int, int] = (128, 128)
    seed: int = 0

    def count(self, split: str) -> int:
        return self.train if split == "train" else self.val


def class_names(classes: int) -> tuple[str, ...]:
    """'background', then 'square', 'disc', 'stripe' (numbered from the second round on: 'square2', ...)."""
    names = ["background"]
    for k in range(1, classes):
        shape, round_ = SHAPES[(k - 1) % 3], (k - 1) // 3
        names.append(shape if round_ == 0 else f"{shape}{round_ + 1}")
    return tuple(names)


def class_hue(k: int, classes: int) -> float:
    """Hue (degrees) at the centre of class k's colour band."""
    return 360.0 * (k - 1) / max(classes - 1, 1)


def palette(classes: int) -> tuple[tuple[int, int, int], ...]:
    """One display colour per class (black background, then each class's hue at full colour)."""
    colours = [(0, 0, 0)]
    for k in range(1, classes):
        rgb = _hsv_to_rgb(np.array([class_hue(k, classes)]), np.array([0.85]), np.array([0.95]))[0]
        colours.append((int(rgb[0]), int(rgb[1]), int(rgb[2])))
    return tuple(colours)


def _hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(N,) hue in degrees, saturation and value in [0, 1] -> (N, 3) RGB in [0, 255]."""
    c = v * s
    x = c * (1 - np.abs((h / 60.0) % 2 - 1))
    m = v - c
    sector = (h // 60).astype(int) % 6
    zeros = np.zeros_like(c)
    table = np.stack(
        [
            np.stack([c, x, zeros], -1),
            np.stack([x, c, zeros], -1),
            np.stack([zeros, c, x], -1),
            np.stack([zeros, x, c], -1),
            np.stack([x, zeros, c], -1),
            np.stack([c, zeros, x], -1),
        ],
        1,
    )
    rgb = table[np.arange(len(h)), sector] + m[:, None]
    out: np.ndarray = np.clip(np.rint(rgb * 255.0), 0, 255)
    return out


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int, channels: int) -> np.ndarray:
    """Low-frequency noise in [-1, 1]: a coarse random grid upsampled bilinearly."""
    coarse = rng.uniform(-1.0, 1.0, size=(cells, cells, channels)).astype(np.float32)
    planes = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(coarse[:, :, c])).resize((w, h), Image.Resampling.BILINEAR)
        )
        for c in range(channels)
    ]
    return np.stack(planes, axis=-1)


def _shape_mask(rng: np.random.Generator, kind: str, h: int, w: int) -> np.ndarray:
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    short = min(h, w)
    if kind == "square":
        side = rng.uniform(0.14, 0.32) * short
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        angle = rng.uniform(0, math.pi / 2)
        u = (xs - cx) * math.cos(angle) + (ys - cy) * math.sin(angle)
        v = -(xs - cx) * math.sin(angle) + (ys - cy) * math.cos(angle)
        mask: np.ndarray = (np.abs(u) <= side / 2) & (np.abs(v) <= side / 2)
        return mask
    if kind == "disc":
        radius = rng.uniform(0.08, 0.18) * short
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        disc: np.ndarray = (ys - cy) ** 2 + (xs - cx) ** 2 <= radius**2
        return disc
    width = rng.uniform(0.05, 0.1) * short
    cy, cx = rng.uniform(0.2 * h, 0.8 * h), rng.uniform(0.2 * w, 0.8 * w)
    angle = rng.uniform(0, math.pi)
    distance = (xs - cx) * math.sin(angle) - (ys - cy) * math.cos(angle)
    stripe: np.ndarray = np.abs(distance) <= width / 2
    return stripe


def synth_sample(spec: SynthSpec, split: str, index: int) -> tuple[np.ndarray, np.ndarray]:
    """Image `index` of `split`: (RGB uint8 HWC, labels uint8 HW)."""
    rng = np.random.default_rng([spec.seed, SPLITS.index(split), index])
    h, w = spec.size
    grey = rng.uniform(70, 180)
    tint = rng.uniform(-20, 20, size=3)
    image = grey + tint + 35.0 * _smooth_noise(rng, h, w, 6, 3) + 12.0 * _smooth_noise(rng, h, w, 24, 1)
    labels = np.zeros((h, w), dtype=np.uint8)
    for _ in range(int(rng.integers(2, 6))):
        k = int(rng.integers(1, spec.classes)) if spec.classes > 1 else 0
        if k == 0:
            continue
        mask = _shape_mask(rng, SHAPES[(k - 1) % 3], h, w)
        hue = (class_hue(k, spec.classes) + rng.uniform(-20, 20)) % 360
        colour = _hsv_to_rgb(
            np.array([hue]), np.array([rng.uniform(0.45, 0.9)]), np.array([rng.uniform(0.5, 0.95)])
        )[0]
        texture = 1.0 + 0.12 * _smooth_noise(rng, h, w, 12, 1)
        image[mask] = (colour[None, None, :] * texture)[mask]
        labels[mask] = k
    image += rng.normal(0.0, 8.0, size=image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), labels


@dataclass(frozen=True)
class SynthSummary:
    root: Path
    written: dict[str, int]
    classes: tuple[str, ...]


def is_complete(root: Path) -> bool:
    """Whether `root` holds a finished synthetic dataset: classes.txt is written last, after every image."""
    return (root / "classes.txt").is_file() and (root / "images").is_dir() and (root / "labels").is_dir()


def write_synthetic(
    root: Path, spec: SynthSpec, *, force: bool = False, progress: Callable[[int, int], None] | None = None
) -> SynthSummary:
    """Write the dataset under `root`; a non-empty `root` is refused unless `force` (which replaces the images and
    labels folders, and nothing else)."""
    if root.exists() and not root.is_dir():
        raise data_error(
            "synth-folder-not-empty", (), f"{root} is a file.", "Give a folder path for the dataset."
        )
    if root.is_dir() and any(root.iterdir()):
        if not force:
            raise data_error(
                "synth-folder-not-empty",
                (),
                f"{root} is not empty; typedseg will not write the synthetic dataset over other files.",
                "Choose an empty or new folder, or pass --force to replace its images/ and labels/ folders.",
            )
        for sub in ("images", "labels"):
            shutil.rmtree(root / sub, ignore_errors=True)
    total = spec.train + spec.val
    done = 0
    colours = np.array(palette(spec.classes), dtype=np.uint8)
    startup.resume()  # the collector, if the command line paused it while it started
    for split in SPLITS:
        for index in range(spec.count(split)):
            image, labels = synth_sample(spec, split, index)
            name = f"{index:05d}.png"
            write_png(root / "images" / split / name, image)
            write_png(root / "labels" / split / name, labels, palette=colours)
            done += 1
            if progress is not None:
                progress(done, total)
    names = class_names(spec.classes)
    classes_text = "".join(f"{name}\n" for name in names)
    write_atomically(root / "classes.txt", lambda handle: handle.write(classes_text.encode("utf-8")))
    return SynthSummary(root, {split: spec.count(split) for split in SPLITS}, names)
