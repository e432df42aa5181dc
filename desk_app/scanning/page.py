"""The two shapes a page takes: as captured (``RawPage``) and as stored (``ProcessedPage``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from PIL import Image

MODES = ("auto", "text", "grey", "color")
# What a stored page is: bilevel CCITT G4 TIFF, grey JPEG or colour JPEG.
STORED_MODES = ("text", "grey", "color")
MIME = {"text": "image/tiff", "grey": "image/jpeg", "color": "image/jpeg"}


@dataclass
class RawPage:
    """A captured image and where it came from (scanner, file page, watched folder)."""

    image: Image.Image
    dpi: int
    origin: str = ""  # "test:0 #3", "hoso.pdf p.2" ... for messages only
    side: str = "front"  # "front" or "back" (duplex feeders)


@dataclass(frozen=True)
class ProcessedPage:
    """Encoded page bytes plus what the database row records about them."""

    data: bytes = field(repr=False)
    mode: str  # one of STORED_MODES
    width: int
    height: int
    dpi: int
    skew_degrees: float = 0.0
    origin: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def bytes(self) -> int:
        return len(self.data)

    @property
    def mime(self) -> str:
        return MIME[self.mode]

    def describe(self) -> dict:
        return {
            "sha256": self.sha256,
            "bytes": self.bytes,
            "mode": self.mode,
            "width": self.width,
            "height": self.height,
            "dpi": self.dpi,
        }
