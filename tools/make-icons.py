#!/usr/bin/env python3
"""Draw Knead's app icons: a calm teal rounded square with a white, softly
curved spine (a column of rounded vertebrae) cradled by two open hands.

    pip install pillow
    python3 tools/make-icons.py

Writes crates/knead-web/static/icons/icon-192.png, icon-512.png and
icon-maskable-512.png. Drawn at 4x and scaled down for smooth edges.
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "crates" / "knead-web" / "static" / "icons"
TEAL = (31, 111, 120, 255)  # #1f6f78, the app's theme colour
TEAL_LIGHT = (47, 138, 147, 255)
WHITE = (255, 255, 255, 255)
SUPER = 4


def draw_icon(size: int, maskable: bool) -> Image.Image:
    s = size * SUPER
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    if maskable:
        # Full bleed: the platform cuts its own shape; keep the art in the
        # central 80% safe zone.
        d.rectangle([0, 0, s, s], fill=TEAL)
        art = 0.62
    else:
        radius = int(s * 0.22)
        d.rounded_rectangle([0, 0, s - 1, s - 1], radius=radius, fill=TEAL)
        art = 0.78

    # A soft inner circle for depth.
    c = s / 2
    r = s * art * 0.5
    d.ellipse([c - r, c - r, c + r, c + r], fill=TEAL_LIGHT)

    # The spine: seven rounded vertebrae on a gentle curve, widest in the middle.
    n = 7
    top = c - r * 0.72
    bottom = c + r * 0.42
    gap = (bottom - top) / n
    for i in range(n):
        t = i / (n - 1)
        y = top + i * gap
        x = c + r * 0.10 * (math.sin(math.pi * t) - 0.5)
        w = r * (0.30 + 0.16 * math.sin(math.pi * t))
        hgt = gap * 0.70
        d.rounded_rectangle([x - w / 2, y, x + w / 2, y + hgt], radius=hgt * 0.45, fill=WHITE)

    # Two open hands cradling it: a white arc under the spine, with rounded ends.
    cx, cy = c, c + r * 0.02
    rx, ry = r * 0.74, r * 0.66
    width = r * 0.12
    start, end = 22, 158
    d.arc([cx - rx, cy - ry, cx + rx, cy + ry], start=start, end=end, fill=WHITE, width=int(width))
    for angle in (start, end):
        # The arc's stroke runs inside its box: put the round cap on its centre line.
        ex = cx + (rx - width / 2) * math.cos(math.radians(angle))
        ey = cy + (ry - width / 2) * math.sin(math.radians(angle))
        tr = width * 0.5
        d.ellipse([ex - tr, ey - tr, ex + tr, ey + tr], fill=WHITE)

    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw_icon(192, False).save(OUT / "icon-192.png", optimize=True)
    draw_icon(512, False).save(OUT / "icon-512.png", optimize=True)
    draw_icon(512, True).save(OUT / "icon-maskable-512.png", optimize=True)
    for name in ("icon-192.png", "icon-512.png", "icon-maskable-512.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
