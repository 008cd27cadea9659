"""Product photos for the demo: a clean card in the product's colour, a drawn shape for its
category and its short English name.

Drawn with Pillow at twice the size and scaled down (smooth edges), then reduced to a small
palette so each PNG stays around 10 KB. Pillow writes no timestamps into PNGs, so the same
product always gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Final

from PIL import Image, ImageDraw, ImageFont

SIZE: Final = 480
_SCALE: Final = 2  # drawn at 2x, then scaled down: anti-aliased shapes
_PALETTE_COLOURS: Final = 48

Rgb = tuple[int, int, int]

COLOURS: Final[Mapping[str, Rgb]] = {
    "black": (38, 38, 42),
    "white": (246, 246, 244),
    "grey": (140, 144, 150),
    "silver": (192, 196, 202),
    "beige": (222, 202, 170),
    "brown": (133, 90, 58),
    "red": (206, 52, 52),
    "orange": (240, 140, 40),
    "yellow": (245, 200, 40),
    "green": (62, 150, 88),
    "teal": (30, 150, 150),
    "blue": (48, 110, 206),
    "navy": (32, 48, 96),
    "purple": (136, 84, 178),
    "pink": (236, 130, 170),
}
_INK: Final[Rgb] = (34, 34, 40)
_MUTED: Final[Rgb] = (110, 110, 118)


def _mix(colour: Rgb, other: Rgb, share: float) -> Rgb:
    r, g, b = (round(a * (1 - share) + o * share) for a, o in zip(colour, other, strict=True))
    return (r, g, b)


def render_photo(*, title: str, category: str, shape: str, colour: str) -> bytes:
    """The PNG bytes of one product card."""
    fill = COLOURS[colour]
    light = sum(fill) / 3 > 200
    background = _mix(fill, (255, 255, 255), 0.82) if not light else (226, 230, 236)
    outline = _mix(fill, (0, 0, 0), 0.45) if not light else (150, 154, 162)
    big = SIZE * _SCALE
    image = Image.new("RGB", (big, big), background)
    draw = ImageDraw.Draw(image)
    s = _SCALE
    draw.rounded_rectangle(
        (24 * s, 24 * s, big - 24 * s, big - 24 * s), radius=36 * s, fill=(255, 255, 255)
    )
    _SHAPES.get(shape, _box)(draw, (240 * s, 200 * s), 1.0 * s, fill, outline)
    _caption(draw, title, category, big)
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    small = small.quantize(_PALETTE_COLOURS, dither=Image.Dither.NONE)
    output = io.BytesIO()
    small.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _caption(draw: ImageDraw.ImageDraw, title: str, category: str, big: int) -> None:
    s = _SCALE
    label = ImageFont.load_default(size=20 * s)
    draw.text((big / 2, 54 * s), category.upper(), font=label, fill=_MUTED, anchor="mm")
    size = 34
    while True:  # the largest type that fits the title in at most three lines
        font = ImageFont.load_default(size=size * s)
        lines = _wrap(draw, title, font, big - 110 * s)
        if len(lines) <= 3 or size <= 22:
            break
        size -= 2
    height = size * s * 1.25
    top = 384 * s - (len(lines) - 1) * height / 2
    for number, line in enumerate(lines[:3]):
        draw.text((big / 2, top + number * height), line, font=font, fill=_INK, anchor="mm")


def _wrap(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: float,
) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


# --- one shape per category, centred on (x, y), about 260 px wide at scale 1 -----------------
Shape = Callable[[ImageDraw.ImageDraw, tuple[float, float], float, Rgb, Rgb], None]


def _headphones(
    draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb
) -> None:
    x, y = c
    draw.arc(
        (x - 100 * k, y - 110 * k, x + 100 * k, y + 90 * k),
        180,
        360,
        fill=line,
        width=round(22 * k),
    )
    draw.arc(
        (x - 96 * k, y - 106 * k, x + 96 * k, y + 86 * k), 180, 360, fill=fill, width=round(14 * k)
    )
    for side in (-1, 1):
        cx = x + side * 100 * k
        draw.rounded_rectangle(
            (cx - 30 * k, y - 20 * k, cx + 30 * k, y + 80 * k),
            radius=24 * k,
            fill=fill,
            outline=line,
            width=round(6 * k),
        )


def _phone(
    draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb
) -> None:
    x, y = c
    draw.rounded_rectangle(
        (x - 70 * k, y - 120 * k, x + 70 * k, y + 120 * k),
        radius=26 * k,
        fill=fill,
        outline=line,
        width=round(6 * k),
    )
    draw.rounded_rectangle(
        (x - 54 * k, y - 96 * k, x + 54 * k, y + 94 * k), radius=10 * k, fill=(250, 250, 252)
    )
    draw.ellipse((x - 6 * k, y - 112 * k, x + 6 * k, y - 100 * k), fill=line)


def _mug(draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb) -> None:
    x, y = c
    draw.ellipse(
        (x + 40 * k, y - 35 * k, x + 130 * k, y + 60 * k), outline=line, width=round(22 * k)
    )
    draw.rounded_rectangle(
        (x - 100 * k, y - 70 * k, x + 70 * k, y + 105 * k),
        radius=22 * k,
        fill=fill,
        outline=line,
        width=round(6 * k),
    )
    for offset in (-50, -15, 20):  # steam
        draw.arc(
            (x + offset * k, y - 125 * k, x + (offset + 26) * k, y - 82 * k),
            90,
            270,
            fill=line,
            width=round(5 * k),
        )


def _shirt(
    draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb
) -> None:
    x, y = c
    points = [
        (-45, -110),
        (-130, -70),
        (-100, -10),
        (-70, -30),
        (-70, 120),
        (70, 120),
        (70, -30),
        (100, -10),
        (130, -70),
        (45, -110),
        (0, -80),
    ]
    draw.polygon(
        [(x + px * k, y + py * k) for px, py in points], fill=fill, outline=line, width=round(6 * k)
    )


def _shoe(
    draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb
) -> None:
    x, y = c
    points = [(-130, 60), (-130, -60), (-70, -60), (-40, -10), (60, 10), (125, 35), (130, 60)]
    draw.polygon(
        [(x + px * k, y + py * k) for px, py in points], fill=fill, outline=line, width=round(6 * k)
    )
    draw.rounded_rectangle(
        (x - 138 * k, y + 54 * k, x + 138 * k, y + 84 * k), radius=14 * k, fill=line
    )
    for step in range(3):  # laces
        lx = x + (-40 + step * 28) * k
        draw.line(
            (lx, y - 12 * k + step * 6 * k, lx + 18 * k, y + 8 * k + step * 6 * k),
            fill=line,
            width=round(5 * k),
        )


def _house(
    draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb
) -> None:
    x, y = c
    draw.rectangle(
        (x - 95 * k, y - 20 * k, x + 95 * k, y + 115 * k),
        fill=fill,
        outline=line,
        width=round(6 * k),
    )
    draw.polygon(
        [(x - 125 * k, y - 10 * k), (x, y - 120 * k), (x + 125 * k, y - 10 * k)], fill=line
    )
    draw.rounded_rectangle(
        (x - 25 * k, y + 35 * k, x + 25 * k, y + 115 * k),
        radius=8 * k,
        fill=(255, 255, 255),
        outline=line,
        width=round(5 * k),
    )


def _block(
    draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb
) -> None:
    x, y = c
    for dx in (-70, 0, 70):  # studs
        draw.rounded_rectangle(
            (x + (dx - 24) * k, y - 95 * k, x + (dx + 24) * k, y - 55 * k),
            radius=8 * k,
            fill=fill,
            outline=line,
            width=round(5 * k),
        )
    draw.rounded_rectangle(
        (x - 120 * k, y - 65 * k, x + 120 * k, y + 100 * k),
        radius=14 * k,
        fill=fill,
        outline=line,
        width=round(6 * k),
    )


def _bottle(
    draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb
) -> None:
    x, y = c
    draw.rounded_rectangle(
        (x - 30 * k, y - 125 * k, x + 30 * k, y - 70 * k), radius=8 * k, fill=line
    )
    draw.rounded_rectangle(
        (x - 70 * k, y - 75 * k, x + 70 * k, y + 115 * k),
        radius=30 * k,
        fill=fill,
        outline=line,
        width=round(6 * k),
    )
    draw.rounded_rectangle(
        (x - 45 * k, y - 5 * k, x + 45 * k, y + 55 * k), radius=8 * k, fill=(255, 255, 255)
    )


def _box(draw: ImageDraw.ImageDraw, c: tuple[float, float], k: float, fill: Rgb, line: Rgb) -> None:
    x, y = c
    draw.rounded_rectangle(
        (x - 110 * k, y - 100 * k, x + 110 * k, y + 100 * k),
        radius=20 * k,
        fill=fill,
        outline=line,
        width=round(6 * k),
    )


_SHAPES: Final[Mapping[str, Shape]] = {
    "headphones": _headphones,
    "phone": _phone,
    "mug": _mug,
    "shirt": _shirt,
    "shoe": _shoe,
    "house": _house,
    "block": _block,
    "bottle": _bottle,
}
