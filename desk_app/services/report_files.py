"""The period report as an .xlsx workbook (openpyxl) and an A4 PDF in Vietnamese (reportlab,
the forms' embedded DejaVu fonts). Both written atomically (a failed write leaves no file)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from desk_app.domain.errors import ValidationError
from desk_app.i18n import N_, Translator
from desk_common.fsutil import write_atomic

LABELS: dict[str, str] = {
    "received": N_("Tiếp nhận"),
    "processed_on_time": N_("Giải quyết đúng hạn"),
    "processed_late": N_("Giải quyết quá hạn"),
    "returned_to_citizen": N_("Đã trả kết quả"),
    "refused": N_("Từ chối"),
    "digitised": N_("Số hóa khi tiếp nhận"),
    "unsynced": N_("Chưa đồng bộ lên tỉnh"),
}
TITLE = N_("BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ")
PERIOD = N_("Từ ngày {start} đến ngày {end}")
ON_TIME_RATE = N_("Tỷ lệ đúng hạn")
DIGITISED_SHARE = N_("Tỷ lệ số hóa")
BY_PROCEDURE = N_("Theo thủ tục")
BY_PERSON = N_("Theo cán bộ")
BY_DAY = N_("Theo ngày")
SUMMARY = N_("Tổng hợp")
PROCEDURE = N_("Thủ tục")
PERSON = N_("Cán bộ")
DAY = N_("Ngày")
FIGURE = N_("Chỉ tiêu")
VALUE = N_("Số lượng")


def _vn_date(text: str) -> str:
    y, m, d = text.split("-")
    return f"{d}/{m}/{y}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _write(out: Path, data: bytes) -> str:
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise ValidationError(
            "Không ghi được tệp {path}: {detail}.", field="out", path=str(out), detail=exc.strerror or str(exc)
        ) from exc
    return str(out.resolve())


def _check(out: Path, suffix: str) -> Path:
    if out.suffix.lower() != suffix:
        raise ValidationError("Tệp kết quả phải có đuôi {suffix}: {path}.", field="out", suffix=suffix, path=str(out))
    return out


def _tables(report: dict[str, Any], tr: Translator) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet title, header, rows) for each table, shared by the workbook and the PDF."""
    keys = list(LABELS)
    heads = [tr(LABELS[k]) for k in keys]
    summary = [[tr(LABELS[k]), report[k]] for k in keys]
    summary += [[tr(ON_TIME_RATE), _percent(report["on_time_rate"])], [tr(DIGITISED_SHARE), _percent(report["digitised_share"])]]
    return [
        (tr(SUMMARY), [tr(FIGURE), tr(VALUE)], summary),
        (tr(BY_PROCEDURE), [tr(PROCEDURE), *heads], [[p["name"], *[p[k] for k in keys]] for p in report["by_procedure"]]),
        (tr(BY_PERSON), [tr(PERSON), *heads], [[p["name"] or "—", *[p[k] for k in keys]] for p in report["by_receptionist"]]),
        (tr(BY_DAY), [tr(DAY), *heads], [[_vn_date(d["date"]), *[d[k] for k in keys]] for d in report["by_day"]]),
    ]


def write_xlsx(report: dict[str, Any], out: Path, *, tr: Translator | None = None, unit_name: str = "") -> str:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    tr = tr or Translator()
    out = _check(out, ".xlsx")
    book = Workbook()
    for blank in book.worksheets:  # the empty sheet a new workbook starts with
        book.remove(blank)
    for title, header, rows in _tables(report, tr):
        sheet = book.create_sheet(title[:31])
        sheet.append([unit_name])
        sheet.append([tr(TITLE)])
        sheet.append([tr(PERIOD, start=_vn_date(report["from"]), end=_vn_date(report["to"]))])
        sheet.append(header)
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    book.save(buffer)
    return _write(out, buffer.getvalue())


def write_pdf(report: dict[str, Any], out: Path, *, tr: Translator | None = None, unit_name: str = "") -> str:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from desk_app.forms.fonts import BOLD, REGULAR, register_fonts

    tr = tr or Translator()
    out = _check(out, ".pdf")
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=12, leading=15, alignment=1)
    sub = ParagraphStyle("sub", parent=body, fontSize=10, leading=13, alignment=1)
    h2 = ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=10, leading=14, spaceBefore=6)
    story: list[Any] = [Paragraph(unit_name, sub), Paragraph(tr(TITLE), head),
                        Paragraph(tr(PERIOD, start=_vn_date(report["from"]), end=_vn_date(report["to"])), sub), Spacer(1, 4 * mm)]
    width = A4[0] - 30 * mm
    for title, header, rows in _tables(report, tr):
        story.append(Paragraph(title, h2))
        cells = [[Paragraph(str(h), ParagraphStyle("th", parent=body, fontName=BOLD)) for h in header]]
        cells += [[Paragraph(str(c), body) for c in row] for row in rows]
        first = width * (0.6 if len(header) == 2 else 0.3)
        rest = (width - first) / max(len(header) - 1, 1)
        table = Table(cells, colWidths=[first] + [rest] * (len(header) - 1), repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5"))]))
        story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                      bottomMargin=15 * mm, title=tr(TITLE)).build(story)
    return _write(out, buffer.getvalue())
