"""Digits written by hand as pen strokes, for testing on handwriting that is not MNIST's.

Each digit is one or more strokes: (x, y) points in a 100x100 box, drawn as a pen would (round
ends and joins) at any size, position, pen width, slant and polarity.
"""

from PIL import Image, ImageDraw

# Each digit: one or more pen strokes, as (x, y) points in a 100x100 box.
STROKES = {
    0: [
        [
            (50, 8),
            (30, 15),
            (20, 40),
            (22, 70),
            (40, 92),
            (60, 92),
            (78, 70),
            (80, 35),
            (68, 12),
            (50, 8),
        ]
    ],
    1: [[(38, 25), (55, 8), (55, 92)]],
    2: [[(22, 30), (35, 12), (58, 8), (75, 22), (72, 42), (22, 90), (80, 90)]],
    3: [[(22, 15), (72, 12), (45, 45), (70, 58), (74, 78), (52, 93), (22, 86)]],
    4: [[(58, 8), (18, 62), (82, 62)], [(62, 30), (62, 94)]],
    5: [[(74, 10), (30, 10), (26, 46), (52, 38), (72, 52), (72, 78), (52, 92), (24, 84)]],
    6: [[(66, 8), (40, 30), (26, 60), (32, 85), (52, 93), (70, 78), (66, 56), (45, 50), (28, 64)]],
    7: [[(18, 10), (82, 10), (40, 94)]],
    8: [
        [
            (70, 20),
            (50, 8),
            (28, 18),
            (32, 40),
            (68, 60),
            (72, 82),
            (50, 94),
            (28, 82),
            (32, 60),
            (68, 40),
            (70, 20),
        ]
    ],
    9: [[(72, 30), (55, 10), (32, 15), (28, 38), (45, 50), (72, 38)], [(72, 15), (70, 94)]],
}


def render(
    digit, size=100, offset=(50, 40), canvas=(300, 240), width=9, dark_on_light=True, rotate=0.0
):
    """A PIL grayscale image of `digit` written with a pen `width` pixels wide."""
    page, ink = (255, 0) if dark_on_light else (0, 255)
    image = Image.new("L", canvas, page)
    draw = ImageDraw.Draw(image)
    scale = size / 100
    for stroke in STROKES[digit]:
        points = [(offset[0] + x * scale, offset[1] + y * scale) for x, y in stroke]
        draw.line(points, fill=ink, width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round pen ends
            draw.ellipse([x - width / 2, y - width / 2, x + width / 2, y + width / 2], fill=ink)
    return image.rotate(rotate, fillcolor=page) if rotate else image


def draw_on_pad(page, digit: int, selector: str = "#pad") -> None:
    """Write `digit` with the mouse on the drawing page's canvas (a Playwright page)."""
    box = page.locator(selector).bounding_box()

    def on_pad(x, y):  # the 100x100 stroke box, inside the pad with a margin
        return (
            box["x"] + box["width"] * (0.15 + 0.7 * x / 100),
            box["y"] + box["height"] * (0.12 + 0.76 * y / 100),
        )

    for stroke in STROKES[digit]:
        page.mouse.move(*on_pad(*stroke[0]))
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(*on_pad(x, y), steps=8)
        page.mouse.up()
