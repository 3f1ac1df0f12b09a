"""Drawn pictures for the demo news (no photos of real people in a demo): PNG bytes made with Pillow."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

W, H = 1600, 1000


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _sky(draw: ImageDraw.ImageDraw, top=(160, 200, 235), bottom=(225, 238, 248), until=H) -> None:
    for y in range(until):
        t = y / until
        draw.line(
            [(0, y), (W, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )


def coffee_table() -> bytes:
    """Cups, a coffee pot and a plate of biscuits on a table in a living room."""
    img = Image.new("RGB", (W, H), (236, 222, 200))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, W, 430], fill=(214, 196, 170))  # wall
    d.rectangle([120, 80, 520, 360], fill=(250, 250, 245), outline=(120, 90, 60), width=14)  # window
    d.line([(320, 80), (320, 360)], fill=(120, 90, 60), width=10)
    d.rectangle([1050, 120, 1450, 330], fill=(176, 84, 62))  # a painting
    d.ellipse([1180, 160, 1320, 290], fill=(240, 196, 80))
    d.polygon([(0, 430), (W, 430), (W, H), (0, H)], fill=(150, 100, 60))  # table
    d.ellipse([80, 480, W - 80, H + 300], fill=(170, 118, 72))
    rng = random.Random(4)
    for x, y in ((330, 620), (700, 700), (1080, 640), (1300, 800)):
        d.ellipse([x - 95, y + 40, x + 95, y + 90], fill=(245, 245, 240))  # saucer
        d.rounded_rectangle(
            [x - 60, y - 70, x + 60, y + 60], 22, fill=(250, 250, 250), outline=(60, 60, 60), width=4
        )
        d.arc([x + 40, y - 40, x + 100, y + 20], -90, 90, fill=(60, 60, 60), width=10)
        d.ellipse([x - 52, y - 80, x + 52, y - 50], fill=(92, 54, 30))
    d.polygon([(880, 420), (990, 420), (1010, 640), (860, 640)], fill=(40, 90, 140))  # pot
    d.rectangle([900, 390, 970, 420], fill=(30, 70, 110))
    d.polygon([(1010, 480), (1090, 440), (1100, 460), (1010, 520)], fill=(40, 90, 140))
    d.ellipse([420, 820, 780, 940], fill=(240, 240, 235), outline=(180, 180, 170), width=4)  # plate
    for _ in range(7):
        cx, cy = rng.randint(480, 720), rng.randint(845, 905)
        d.ellipse([cx - 34, cy - 20, cx + 34, cy + 20], fill=(214, 160, 90), outline=(170, 120, 60), width=3)
    return _png(img)


def garden() -> bytes:
    """Planters with flowers in front of the house, a watering can."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    _sky(d, until=560)
    d.rectangle([0, 560, W, H], fill=(110, 160, 80))
    d.rectangle([0, 500, W, 580], fill=(170, 90, 70))  # low brick wall
    for x in range(0, W, 60):
        d.line([(x, 500), (x, 580)], fill=(140, 70, 55), width=3)
    rng = random.Random(7)
    colours = [(230, 60, 80), (250, 200, 40), (150, 90, 200), (255, 140, 40), (245, 245, 245)]
    for i, left in enumerate((100, 600, 1100)):
        d.rectangle([left, 700, left + 400, 860], fill=(120, 80, 50), outline=(80, 50, 30), width=6)
        for _ in range(14):
            fx = rng.randint(left + 30, left + 370)
            fy = rng.randint(590, 690)
            d.line([(fx, fy), (fx, 705)], fill=(50, 120, 50), width=6)
            c = colours[(i + _) % len(colours)]
            for dx, dy in ((-18, 0), (18, 0), (0, -18), (0, 18)):
                d.ellipse([fx + dx - 16, fy + dy - 16, fx + dx + 16, fy + dy + 16], fill=c)
            d.ellipse([fx - 10, fy - 10, fx + 10, fy + 10], fill=(250, 220, 80))
    d.polygon([(1380, 900), (1540, 900), (1520, 780), (1400, 780)], fill=(40, 130, 120))  # can
    d.line([(1400, 800), (1300, 720)], fill=(40, 130, 120), width=22)
    d.ellipse([1250, 180, 1410, 340], fill=(255, 220, 90))  # sun
    return _png(img)


def house_front() -> bytes:
    """The front of an ordinary terraced house with a green door and the number 4."""
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)
    _sky(d)
    d.rectangle([0, 860, W, H], fill=(150, 150, 150))  # pavement
    for x in range(0, W, 120):
        d.line([(x, 860), (x - 40, H)], fill=(120, 120, 120), width=3)
    for left, colour in ((-300, (150, 80, 60)), (400, (176, 92, 66)), (1100, (150, 80, 60))):
        d.rectangle([left, 260, left + 700, 860], fill=colour)
        for y in range(260, 860, 28):
            d.line([(left, y), (left + 700, y)], fill=(128, 66, 50), width=2)
        d.polygon([(left - 20, 270), (left + 350, 80), (left + 720, 270)], fill=(70, 60, 60))
        for wx in (left + 80, left + 420):
            d.rectangle([wx, 340, wx + 200, 520], fill=(235, 240, 245), outline=(250, 250, 250), width=14)
    d.rectangle([650, 590, 790, 860], fill=(30, 110, 80), outline=(250, 250, 250), width=10)  # door
    d.ellipse([760, 720, 776, 736], fill=(220, 190, 90))
    d.rectangle([820, 600, 880, 660], fill=(250, 250, 250))
    d.text((838, 608), "4", fill=(30, 30, 30), font_size=48)
    d.rectangle([450, 600, 620, 820], fill=(235, 240, 245), outline=(250, 250, 250), width=12)
    return _png(img)
