"""Tesseract with its Vietnamese data, called through ``pytesseract`` (a pure-Python wrapper of
the ``tesseract`` program, so nothing is compiled at install time).

Where the program comes from: Debian/Ubuntu ``tesseract-ocr`` + ``tesseract-ocr-vie``; the
Windows build ships ``tesseract.exe`` with ``vie.traineddata`` beside the app (``DESK_TESSERACT``
or the ``ocr_tesseract`` setting names it). See docs/scanning.md.

Runs on the calling thread (a background worker); the program itself runs at a lower priority
(``nice``) with one thread (``OMP_THREAD_LIMIT=1``), so recognition never competes with the
counter for both cores.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

LANGUAGE = "vie"
NICE = 10
# Tesseract's legacy page segmentation "automatic" (3) suits full administrative pages.
CONFIG = "--psm 3"


@dataclass(frozen=True)
class Word:
    text: str
    x: int  # box in the recognised image's pixels
    y: int
    w: int
    h: int
    line: int  # running line number over the page, to rebuild lines
    conf: float

    def as_list(self) -> list[Any]:
        return [self.text, self.x, self.y, self.w, self.h, self.line, round(self.conf, 1)]

    @classmethod
    def from_list(cls, item: list[Any]) -> Word:
        text, x, y, w, h, line, conf = item
        return cls(str(text), int(x), int(y), int(w), int(h), int(line), float(conf))


@dataclass(frozen=True)
class PageText:
    text: str  # lines joined by newlines
    words: list[Word] = field(repr=False)
    width: int  # the recognised image's size, for scaling the boxes
    height: int
    seconds: float
    engine: str


class OcrUnavailable(RuntimeError):
    """No Tesseract program or no Vietnamese data on this PC."""


class TesseractEngine:
    def __init__(self, command: str | None = None, *, language: str = LANGUAGE):
        self.command = command or os.environ.get("DESK_TESSERACT") or shutil.which("tesseract") or ""
        self.language = language
        self._version: str | None = None
        # Read by the tesseract child at start (inherited environment): one core for OCR, the
        # other stays free for the counter. Process-wide, but only OpenMP programs read it.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    def available(self) -> bool:
        try:
            self.version()
        except OcrUnavailable:
            return False
        return True

    def version(self) -> str:
        if self._version is None:
            if not self.command:
                raise OcrUnavailable("tesseract not found")
            import pytesseract

            pytesseract.pytesseract.tesseract_cmd = self.command
            try:
                version = str(pytesseract.get_tesseract_version())
                languages = pytesseract.get_languages()
            except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError) as exc:
                raise OcrUnavailable(str(exc)) from exc
            if self.language not in languages:
                raise OcrUnavailable(f"no '{self.language}' language data (install tesseract-ocr-{self.language})")
            self._version = f"tesseract {version} {self.language}"
        return self._version

    def recognise(self, image: Image.Image) -> PageText:
        """Words with boxes and the page's text. Raises OcrUnavailable or RuntimeError."""
        import pytesseract

        engine = self.version()
        started = time.perf_counter()
        try:
            data = pytesseract.image_to_data(
                image, lang=self.language, config=CONFIG, nice=NICE, output_type=pytesseract.Output.DICT
            )
        except pytesseract.TesseractError as exc:
            raise RuntimeError(f"tesseract failed: {exc}") from exc
        words: list[Word] = []
        lines: list[list[str]] = []
        line_keys: dict[tuple[int, int, int], int] = {}
        for i, text in enumerate(data["text"]):
            text = (text or "").strip()
            if not text:
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            if key not in line_keys:
                line_keys[key] = len(lines)
                lines.append([])
            line = line_keys[key]
            lines[line].append(text)
            words.append(
                Word(text, data["left"][i], data["top"][i], data["width"][i], data["height"][i], line, float(data["conf"][i]))
            )
        return PageText(
            text="\n".join(" ".join(line) for line in lines),
            words=words,
            width=image.width,
            height=image.height,
            seconds=time.perf_counter() - started,
            engine=engine,
        )
