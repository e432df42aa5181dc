"""Page geometry of the printed forms: A4, A5 and 80 mm thermal paper (72 mm print width).

Code sizes follow docs/platform.md: QR modules >= 0.5 mm (>= 4 dots at 200 dpi) with a
4-module quiet zone. Code128 of a 25-character dossier code is ~290 modules: at 0.5 mm it
needs 154 mm, more than A5's text width, so A5 prints it at 0.4 mm (still 2.4 px at a 150 dpi
render and far above what counter scanners read), and on thermal paper the bars run down the
right edge of the slip at 0.5 mm (4 dots of a 203 dpi head), where the length is free.
"""

from __future__ import annotations

from dataclasses import dataclass

from desk_app.domain.errors import ValidationError

mm = 72 / 25.4  # points per millimetre (PDF user space)


@dataclass(frozen=True)
class Layout:
    name: str
    width: float  # points
    height: float | None  # None = continuous paper: the page is as long as its content
    margin_x: float
    margin_top: float
    margin_bottom: float
    font_size: float
    title_size: float
    qr_module: float
    bar_module: float
    bar_height: float
    signature_space: float = 16 * mm  # blank height for a handwritten signature
    bars_vertical: bool = False  # Code128 along the right edge (thermal)
    stacked_header: bool = False  # one column header (narrow paper)

    @property
    def continuous(self) -> bool:
        return self.height is None

    @property
    def leading(self) -> float:
        return round(self.font_size * 1.3, 2)

    def frame_width(self) -> float:
        width = self.width - 2 * self.margin_x
        if self.bars_vertical:
            width -= self.bar_height + 2.5 * mm
        return width


A4 = Layout("a4", 210 * mm, 297 * mm, 20 * mm, 15 * mm, 15 * mm, 11, 13.5, 0.6 * mm, 0.5 * mm, 12 * mm)
A5 = Layout("a5", 148 * mm, 210 * mm, 10 * mm, 7 * mm, 6 * mm, 8, 10.5, 0.5 * mm, 0.4 * mm, 9 * mm, 12 * mm)
THERMAL80 = Layout(
    "thermal80", 80 * mm, None, 4 * mm, 4 * mm, 6 * mm, 7.5, 9, 0.5 * mm, 0.5 * mm, 9 * mm, 12 * mm,
    bars_vertical=True, stacked_header=True,
)
LAYOUTS = {layout.name: layout for layout in (A4, A5, THERMAL80)}


def get_layout(name: str) -> Layout:
    try:
        return LAYOUTS[(name or "").strip().lower()]
    except KeyError as exc:
        raise ValidationError(
            "Khổ giấy không hợp lệ: {value} (a4, a5, thermal80).", field="layout", value=name
        ) from exc
