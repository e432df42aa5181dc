"""Building blocks shared by the form PDFs: styles, code flowables, the page builder that
handles continuous thermal paper, and Vietnamese date/time wording. Pure: any thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from desk_app.domain.calendar import VN_TZ
from desk_app.forms.codes import (
    QRSymbol,
    bars_length,
    code128_pattern,
    draw_bars,
    draw_qr,
    qr_symbol,
)
from desk_app.forms.fonts import BOLD, REGULAR, register_fonts
from desk_app.forms.layouts import Layout
from desk_app.forms.model import RenderedPdf

DOTS = "…" * 20


def e(value: object) -> str:
    """Escape user text for reportlab's paragraph markup."""
    return escape(str(value if value is not None else ""))


def local(moment: datetime) -> datetime:
    return moment.astimezone(VN_TZ) if moment.tzinfo else moment.replace(tzinfo=VN_TZ)


def date_words(day: date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def time_words(moment: datetime) -> str:
    m = local(moment)
    return f"{m.hour:02d} giờ {m.minute:02d} phút, {date_words(m.date())}"


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


class Styles:
    def __init__(self, layout: Layout):
        register_fonts()  # paragraphs resolve <b> to a face when they are built
        size, lead = layout.font_size, layout.leading
        base = ParagraphStyle("base", fontName=REGULAR, fontSize=size, leading=lead, spaceAfter=size * 0.25)
        self.normal = base
        self.justify = ParagraphStyle("justify", parent=base, alignment=TA_JUSTIFY)
        self.center = ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=0)
        self.right = ParagraphStyle("right", parent=base, alignment=TA_CENTER if layout.stacked_header else TA_RIGHT)
        self.bold_center = ParagraphStyle("boldc", parent=self.center, fontName=BOLD)
        self.title = ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=layout.title_size, leading=layout.title_size * 1.3,
            alignment=TA_CENTER, spaceBefore=size * 0.6, spaceAfter=size * 0.4,
        )
        self.small = ParagraphStyle("small", parent=base, fontSize=size * 0.85, leading=lead * 0.85, spaceAfter=0)
        self.small_center = ParagraphStyle("smallc", parent=self.small, alignment=TA_CENTER)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=size * 0.92, leading=lead * 0.92, spaceAfter=0)
        self.cell_center = ParagraphStyle("cellc", parent=self.cell, alignment=TA_CENTER)
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell_center, fontName=BOLD)
        self.note = ParagraphStyle("note", parent=base, fontName=BOLD, alignment=TA_CENTER, spaceAfter=0)
        self.left = ParagraphStyle("left", parent=base, alignment=TA_LEFT)


class QRFlowable(Flowable):
    """A QR symbol with its quiet zone, drawn as vector modules."""

    def __init__(self, symbol: QRSymbol, module: float):
        super().__init__()
        self.symbol = symbol
        self.module = module
        self.side = (symbol.size + 8) * module
        self.hAlign = "CENTER"

    def wrap(self, available_width, available_height):
        return self.side, self.side

    def draw(self):
        draw_qr(self.canv, self.symbol, x=0, y=0, module=self.module)


class BarsFlowable(Flowable):
    """A horizontal Code128 symbol with its quiet zones."""

    def __init__(self, pattern: str, module: float, height: float):
        super().__init__()
        self.pattern = pattern
        self.module = module
        self.height = height
        self.length = bars_length(pattern, module)
        self.hAlign = "CENTER"

    def wrap(self, available_width, available_height):
        return self.length, self.height

    def draw(self):
        draw_bars(self.canv, self.pattern, x=0, y=0, module=self.module, height=self.height)


def grid(rows, widths, *, header: bool = True, pad: float = 2) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0)),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),  # cells default to Helvetica, never embedded
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.8),
            ]
        )
    )
    return table


# A header line is shrunk down to this share of its font size before it is let wrap.
MIN_FIT_SCALE = 0.7


def fitted_line(text: str, style: ParagraphStyle, width: float, *, bold: bool = False) -> Paragraph:
    """One header line (unit or office name) on one line: the font shrinks until ``text``
    fits ``width`` (down to ``MIN_FIT_SCALE``; beyond that it wraps rather than get
    unreadable). On A5 "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" otherwise left "QUẢ" alone on a line."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size = style.fontSize
    needed = stringWidth(text, BOLD if bold else REGULAR, size)
    if needed > width:
        size = max(size * MIN_FIT_SCALE, size * width / needed * 0.99)
    fitted = ParagraphStyle(f"{style.name}-fit", parent=style, fontSize=size, leading=min(style.leading, size * 1.3))
    body = e(text)
    return Paragraph(f"<b>{body}</b>" if bold else body, fitted)


def plain_table(rows, widths, *, valign: str = "TOP", pad: float = 0) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), valign),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def boxed(paragraph: Paragraph, width: float) -> Table:
    table = Table([[paragraph]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, (0, 0, 0)),
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ]
        )
    )
    return table


def measure(story: list, width: float) -> float:
    """Height of a story laid out at ``width`` (for continuous thermal paper)."""
    total = 0.0
    for index, flowable in enumerate(story):
        if isinstance(flowable, PageBreak):
            break
        _, height = flowable.wrap(width, 10**6)
        total += height + flowable.getSpaceAfter() + (flowable.getSpaceBefore() if index else 0)
    return total


def build_pdf(
    stories: list[list],
    layout: Layout,
    *,
    title: str,
    landscape: bool = False,
    vertical_code: str = "",
) -> RenderedPdf:
    """Lay out one story per page group into a PDF. On continuous paper every story gets a
    page exactly as long as it needs; ``vertical_code`` draws a Code128 along the right edge."""
    register_fonts()
    width, height = layout.width, layout.height
    if landscape and height is not None:
        width, height = height, width
    frame_width = layout.frame_width() if vertical_code else width - 2 * layout.margin_x
    pattern = code128_pattern(vertical_code) if vertical_code else ""
    if height is None:
        content = max(measure(story, frame_width) for story in stories)
        content = max(content * 1.02 + 3 * mm, bars_length(pattern, layout.bar_module) if pattern else 0)
        height = content + layout.margin_top + layout.margin_bottom

    def on_page(canvas, doc):
        if pattern:
            draw_bars(
                canvas,
                pattern,
                x=width - layout.margin_x - layout.bar_height,
                y=height - layout.margin_top - bars_length(pattern, layout.bar_module),
                module=layout.bar_module,
                height=layout.bar_height,
                vertical=True,
            )

    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=layout.margin_x,
        rightMargin=layout.margin_x,
        topMargin=layout.margin_top,
        bottomMargin=layout.margin_bottom,
        title=title,
        author="desk-app",
        creator="desk-app",
        pageCompression=1,
        # Otherwise the canvas starts with Helvetica, a font the PDF would not embed.
        initialFontName=REGULAR,
        initialFontSize=layout.font_size,
    )
    frame = Frame(
        layout.margin_x,
        layout.margin_bottom,
        frame_width,
        height - layout.margin_top - layout.margin_bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    flowables: list = []
    for index, story in enumerate(stories):
        if index:
            flowables.append(PageBreak())
        flowables.extend(story)
    doc.build(flowables)
    return RenderedPdf(buffer.getvalue(), doc.page)


def qr(text: str, layout: Layout, ec: str) -> QRFlowable:
    return QRFlowable(qr_symbol(text, ec=ec), layout.qr_module)


def bars(text: str, layout: Layout) -> BarsFlowable:
    return BarsFlowable(code128_pattern(text), layout.bar_module, layout.bar_height)


StoryFn = Callable[[], list]
