"""Synthetic scanned pages (dense Vietnamese text, scanner noise, a small tilt, optionally a red
seal) for tests, the benchmark and demos: a reproducible stand-in for a real A4 paper scan.

Pure Pillow + numpy; safe on any thread.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_MM = (210.0, 297.0)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "C:/Windows/Fonts/times.ttf",
)
TEXT = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM. Độc lập - Tự do - Hạnh phúc. "
    "Tờ khai đăng ký khai sinh: họ, chữ đệm, tên người được khai sinh Nguyễn Thị Đào; "
    "ngày, tháng, năm sinh 20/05/2024; giới tính Nữ; dân tộc Tày; quốc tịch Việt Nam; "
    "nơi sinh Bệnh viện Đa khoa tỉnh Cao Bằng; quê quán xã Bảo Lâm, tỉnh Cao Bằng. "
    "Họ, chữ đệm, tên người mẹ Hoàng Thị Lụa, năm sinh 1998, nơi cư trú tổ 1, phường Thục Phán. "
    "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật, được sự thỏa thuận "
    "nhất trí của các bên liên quan theo quy định pháp luật và chịu trách nhiệm trước pháp luật về "
    "nội dung cam đoan của mình. Đề nghị cấp bản sao Giấy khai sinh: có, số lượng 02 bản. "
)


def font_path() -> str:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise FileNotFoundError("no TrueType font with Vietnamese glyphs (install fonts-dejavu-core)")


def _wrap(draw: ImageDraw.ImageDraw, words: list[str], font, width: int) -> list[str]:
    lines, line = [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) > width and line:
            lines.append(line)
            line = word
        else:
            line = trial
    if line:
        lines.append(line)
    return lines


def text_page(
    dpi: int = 200,
    *,
    seal: bool = False,
    tilt: float = 0.0,
    noise: float = 6.0,
    seed: int = 1,
    point_size: float = 13.0,
    leading: float = 1.25,
    lines_out: list[str] | None = None,
) -> Image.Image:
    """A dense A4 page as a scanner would deliver it: grey paper, dark-grey ink, noise.
    Body text 13 pt with single spacing, the densest layout Decree 30/2020/NĐ-CP allows
    for administrative documents (13-14 pt).

    ``seal`` stamps a red round seal with a signature (the page then has colour content);
    the result is RGB when ``seal`` else L. ``lines_out`` receives the text lines drawn, in
    order (the ground truth for OCR measurements).
    """
    rng = random.Random(seed)
    w, h = (round(mm / 25.4 * dpi) for mm in A4_MM)
    page = Image.new("RGB", (w, h), (238, 236, 230))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(font_path(), round(point_size / 72 * dpi))
    mm = dpi / 25.4
    # Decree 30/2020 margins: left 30 mm, right 15 mm, top and bottom 20 mm.
    left, right, top, bottom = round(30 * mm), round(15 * mm), round(20 * mm), round(20 * mm)
    margin = top
    line_h = round(point_size * leading / 72 * dpi)
    words = TEXT.split()
    y = top
    while y < h - bottom - line_h:
        rng.shuffle(words)
        for line in _wrap(draw, words, font, w - left - right):
            if y >= h - bottom - line_h:
                break
            draw.text((left, y), line, font=font, fill=(35, 35, 40))
            if lines_out is not None:
                lines_out.append(line)
            y += line_h
        y += round(6 / 72 * dpi)  # 6 pt after each paragraph
    if seal:
        cx, cy, r = w - margin - round(dpi * 0.9), h - margin - round(dpi * 1.1), round(dpi * 0.8)
        red = (200, 30, 35)
        for k in range(3):
            draw.ellipse((cx - r + k * 3, cy - r + k * 3, cx + r - k * 3, cy + r - k * 3), outline=red, width=3)
        draw.ellipse((cx - r * 0.62, cy - r * 0.62, cx + r * 0.62, cy + r * 0.62), outline=red, width=2)
        small = ImageFont.truetype(font_path(), round(7 / 72 * dpi))
        draw.text((cx, cy - r * 0.8), "ỦY BAN NHÂN DÂN", font=small, fill=red, anchor="mm")
        draw.text((cx, cy + r * 0.8), "PHƯỜNG THỤC PHÁN", font=small, fill=red, anchor="mm")
        draw.regular_polygon((cx, cy, r * 0.35), 5, fill=red)
        pts = [(cx - r * 1.2 + i * r / 10, cy + (rng.random() - 0.5) * r * 0.5) for i in range(25)]
        draw.line(pts, fill=(20, 40, 140), width=max(2, dpi // 100))
    if tilt:
        page = page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=(238, 236, 230), expand=False)
    page = page.filter(ImageFilter.GaussianBlur(radius=dpi / 300 * 0.7))
    arr = np.asarray(page, dtype=np.int16)
    gen = np.random.default_rng(seed)
    arr = arr + gen.normal(0, noise, size=arr.shape[:2])[..., None].astype(np.int16)
    page = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    page.info["dpi"] = (dpi, dpi)
    if not seal:
        page = page.convert("L")
        page.info["dpi"] = (dpi, dpi)
    return page


def blank_back(dpi: int = 200, *, seed: int = 2, noise: float = 6.0) -> Image.Image:
    """The back of a one-sided sheet from a duplex feeder: paper, noise, a faint edge shadow."""
    w, h = (round(mm / 25.4 * dpi) for mm in A4_MM)
    gen = np.random.default_rng(seed)
    arr = np.full((h, w), 236.0) + gen.normal(0, noise, size=(h, w))
    arr[:, : max(2, dpi // 50)] -= 60  # sheet edge shadow
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    img.info["dpi"] = (dpi, dpi)
    return img


def photo_page(dpi: int = 200, *, seed: int = 5, size_in: tuple[float, float] = (1.6, 2.0)) -> Image.Image:
    """A text page (14 pt, 1.5 lines) with a grey photograph pasted at the top right, as on a
    photocopied ID paper: a lit face-like blob on a gradient, with mid-scale texture. Mode L."""
    img = text_page(dpi, seed=seed, point_size=14, leading=1.5)
    pw, ph = round(dpi * size_in[0]), round(dpi * size_in[1])
    gen = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:ph, 0:pw]
    backdrop = 60 + 70 * (xx / pw) + 70 * (yy / ph)
    face = np.exp(-(((xx - pw * 0.5) / (pw * 0.25)) ** 2 + ((yy - ph * 0.4) / (ph * 0.3)) ** 2))
    noise = Image.fromarray((gen.normal(128, 25, (ph // 8 + 1, pw // 8 + 1))).clip(0, 255).astype(np.uint8))
    texture = np.asarray(noise.resize((pw, ph), Image.Resampling.BICUBIC), dtype=np.float64) - 128
    photo = Image.fromarray((backdrop * (1 - face) + 190 * face + texture).clip(0, 255).astype(np.uint8), "L")
    img.paste(photo, (img.width - pw - round(dpi * 0.8), round(dpi * 0.9)))
    img.info["dpi"] = (dpi, dpi)
    return img
