"""A stored page of a dossier (table ``dossier_pages``) as the store reads it back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    """One scanned or imported page: its file in the content-addressed store (``sha256``) and,
    for a mixed page, an overlay file drawn over it at ``overlay_box`` ([x, y, w, h] in page
    pixels; docs/scanning.md). ``mode``: text (G4/JBIG2), grey or color (JPEG)."""

    document: str
    page_no: int
    sha256: str
    bytes: int
    mode: str
    width: int
    height: int
    dpi: int
    created_at: str
    overlay_sha256: str | None = None
    overlay_bytes: int | None = None
    overlay_box: tuple[int, int, int, int] | None = None
    overlay_dpi: int | None = None

    @property
    def mixed(self) -> bool:
        return self.overlay_sha256 is not None
