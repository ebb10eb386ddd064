"""A small PNG of the lr (and momentum) curves, drawn with Pillow: no plotting library, no torch."""

import io
from pathlib import Path

from PIL import Image, ImageDraw

from typedseg.engine.optim.preview import Curves
from typedseg.files import write_durably

WIDTH, PANEL, MARGIN = 900, 300, 70
COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75)]


def render_png(curves: Curves) -> bytes:
    """The lr of every preview group (one panel) and group 0's momentum (a second panel, if any)."""
    panels = [("lr", curves.lr)] + (
        [("momentum", curves.momentum[:1])] if curves.momentum is not None else []
    )
    image = Image.new("RGB", (WIDTH, PANEL * len(panels)), "white")
    draw = ImageDraw.Draw(image)
    for index, (name, series) in enumerate(panels):
        _panel(draw, index * PANEL, name, series, curves.max_iters)
    legend_y = 8
    for g, label in enumerate(curves.labels[: len(COLOURS)]):
        draw.text((WIDTH - 260, legend_y), f"- {label}", fill=COLOURS[g])
        legend_y += 12
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _panel(draw: ImageDraw.ImageDraw, top: int, name: str, series: list[list[float]], max_iters: int) -> None:
    left, right, upper, lower = MARGIN, WIDTH - 20, top + 20, top + PANEL - 40
    low = min(0.0, *(min(values) for values in series))
    high = max(max(values) for values in series) or 1.0
    draw.rectangle((left, upper, right, lower), outline="black")
    draw.text((8, upper), f"{high:.3g}", fill="black")
    draw.text((8, lower - 10), f"{low:.3g}", fill="black")
    draw.text((left, lower + 6), "0", fill="black")
    draw.text((right - 60, lower + 6), f"{max_iters - 1}", fill="black")
    draw.text(((left + right) // 2 - 40, lower + 18), f"iteration: {name}", fill="black")
    span = max(max_iters - 1, 1)
    for g, values in enumerate(series[: len(COLOURS)]):
        step = max(1, len(values) // (right - left))  # about one point per pixel column
        points = [
            (
                left + (right - left) * i / span,
                lower - (lower - upper) * (values[i] - low) / ((high - low) or 1.0),
            )
            for i in range(0, len(values), step)
        ]
        points.append((right, lower - (lower - upper) * (values[-1] - low) / ((high - low) or 1.0)))
        draw.line(points, fill=COLOURS[g], width=2 if g == 0 else 1)


def write_png(curves: Curves, path: Path) -> None:
    """Write the plot through the package's one atomic writer."""
    data = render_png(curves)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_durably(path, lambda handle: handle.write(data))
