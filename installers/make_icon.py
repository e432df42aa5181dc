"""Draw the app icon (resources/icon/desk-app.png and .ico) with Pillow. Run once when the
design changes; the outputs are committed so builds need no drawing step.

A dark-blue rounded square (the colour of the desk's header) with a white receipt slip whose
code lines and QR-like corner say "one-stop desk intake" at any size down to 16 px.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icon"
SIZE = 256
BLUE = (21, 71, 140, 255)
WHITE = (255, 255, 255, 255)
RED = (200, 30, 35, 255)


def draw(size: int = SIZE) -> Image.Image:
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((8 * s, 8 * s, 248 * s, 248 * s), radius=44 * s, fill=BLUE)
    d.rounded_rectangle((62 * s, 36 * s, 194 * s, 220 * s), radius=10 * s, fill=WHITE)  # the slip
    for i, width in enumerate((100, 76, 100, 60)):  # printed lines
        y = (58 + i * 22) * s
        d.rectangle((78 * s, y, (78 + width) * s, y + 9 * s), fill=BLUE)
    for x, y in ((78, 150), (120, 150), (78, 192)):  # QR finder squares
        d.rectangle((x * s, y * s, (x + 22) * s, (y + 22) * s), fill=BLUE)
        d.rectangle(((x + 6) * s, (y + 6) * s, (x + 16) * s, (y + 16) * s), fill=WHITE)
    d.ellipse((140 * s, 170 * s, 184 * s, 214 * s), outline=RED, width=max(1, round(6 * s)))  # the seal
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(SIZE)
    big.save(OUT / "desk-app.png")
    # Each ICO size drawn at its own scale (crisper than downsampling one image).
    sizes = [16, 24, 32, 48, 64, 128, 256]
    frames = [draw(n) for n in sizes]
    frames[-1].save(OUT / "desk-app.ico", sizes=[(n, n) for n in sizes], append_images=frames[:-1])


if __name__ == "__main__":
    main()
