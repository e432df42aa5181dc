"""The two shapes a page takes: as captured (``RawPage``) and as stored (``ProcessedPage``)."""

from __future__ import annotations

import builtins
import hashlib
import io
from dataclasses import dataclass, field
from functools import cached_property

from PIL import Image

# What a stored page is: bilevel (lossless JBIG2, or CCITT G4 TIFF: pages stored before JBIG2 and
# desks without its coder), grey JPEG or colour JPEG. A mixed page (auto mode, colour or a grey
# photo on a small part of the page) is a bilevel page of the whole page plus an ``Overlay``: its
# mode says what the overlay is ("color" or "grey").
STORED_MODES = ("text", "grey", "color")
MIME = {"text": "image/tiff", "grey": "image/jpeg", "color": "image/jpeg"}
JBIG2_MIME = "image/x-jbig2"
JBIG2_FILE_ID = b"\x97JB2\r\n\x1a\n"  # T.88 D.4.1, the first bytes of a JBIG2 file


def is_jbig2(data: bytes) -> bool:
    return data[:8] == JBIG2_FILE_ID


def open_page(data: bytes) -> Image.Image:
    """A stored page file as an image: JBIG2 through our reader (mode "1"), anything else (G4
    TIFF, JPEG) through Pillow. A damaged JBIG2 file raises ``ValueError``."""
    if not is_jbig2(data):
        return Image.open(io.BytesIO(data))
    from desk_app.scanning import jbig2  # numba loads here (~1 s once), only for JBIG2 pages

    return Image.fromarray(~jbig2.decode(data))


@dataclass
class RawPage:
    """A captured image and where it came from (scanner, file page, watched folder)."""

    image: Image.Image
    dpi: int
    origin: str = ""  # "test:0 #3", "hoso.pdf p.2" ... for messages only
    side: str = "front"  # "front" or "back" (duplex feeders)


@dataclass(frozen=True)
class Overlay:
    """A colour or grey JPEG of one area of a mixed page, drawn opaquely over the bilevel page.
    ``box`` is (x, y, w, h) in the page's pixels (at the page's dpi); the JPEG itself is at
    ``dpi`` (150), so its pixel size is the box scaled by dpi / page dpi."""

    data: bytes = field(repr=False)
    box: tuple[int, int, int, int]
    dpi: int
    quality: int = 75  # the JPEG quality it was encoded at (a rotation re-encodes at the same)

    @cached_property  # hashed once: describe() and the blob write both ask (frozen: bytes never change)
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def bytes(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class ProcessedPage:
    """Encoded page bytes plus what the database row records about them. ``data`` is the page
    itself (JBIG2, G4 TIFF or JPEG); a mixed page adds an ``overlay``; ``bytes`` counts both
    files."""

    data: bytes = field(repr=False)
    mode: str  # one of STORED_MODES
    width: int
    height: int
    dpi: int
    skew_degrees: float = 0.0
    origin: str = ""
    overlay: Overlay | None = None
    warning: str = ""  # "black" / "white": a page to ask about before saving (analysis.page_warning)

    @cached_property  # hashed once: describe() and the blob write both ask (frozen: bytes never change)
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def bytes(self) -> int:
        return len(self.data) + (self.overlay.bytes if self.overlay else 0)

    @property
    def mime(self) -> str:
        """Of ``data``: a mixed page's file is its bilevel page whatever its mode."""
        if is_jbig2(self.data):
            return JBIG2_MIME
        return MIME["text"] if self.overlay else MIME[self.mode]

    def files(self) -> list[builtins.bytes]:  # the ``bytes`` property shadows the type here
        """Every file the page consists of, the page first."""
        return [self.data] + ([self.overlay.data] if self.overlay else [])

    def describe(self) -> dict:
        """The page as the CLI, the database row and the outbox payload describe it. ``bytes``
        is the total of the page's files; the overlay fields are null on a one-file page."""
        ov = self.overlay
        return {
            "sha256": self.sha256,
            "bytes": self.bytes,
            "mode": self.mode,
            "width": self.width,
            "height": self.height,
            "dpi": self.dpi,
            "overlay_sha256": ov.sha256 if ov else None,
            "overlay_bytes": ov.bytes if ov else None,
            "overlay_box": list(ov.box) if ov else None,
            "overlay_dpi": ov.dpi if ov else None,
            **({"warning": self.warning} if self.warning else {}),
        }
