"""Mẫu 06, the tracking book, as an .xlsx workbook (openpyxl). Pure: any thread."""

from __future__ import annotations

from io import BytesIO

from desk_app.forms.model import BookData
from desk_app.forms.pdf import BOOK_HEAD
from desk_app.forms.pdf_parts import date_words, local

COLUMN_WIDTHS = (9, 28, 40, 8, 24, 36, 18, 17, 17, 17, 17, 17, 10, 20)
DATETIME_FORMAT = "hh:mm dd/mm/yyyy"


def render_book_xlsx(book: BookData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new Workbook always starts with one plain worksheet
    ws.title = "So theo doi ho so"
    ws.append([book.unit_name.upper()])
    ws.append(["SỔ THEO DÕI HỒ SƠ", f"Từ {date_words(book.date_from)} đến {date_words(book.date_to)}"])
    ws["A2"].font = Font(bold=True)
    ws.append(["Quyển số"] + list(BOOK_HEAD))
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for r in book.rows:
        # Times as naive local datetimes: Excel has no time zones, and the book is local.
        times = [
            local(t).replace(tzinfo=None) if t else None
            for t in (r.received_at, r.appointment_at, r.transferred_at, r.result_at, r.returned_at)
        ]
        ws.append([r.volume, r.number, r.code, r.procedure_name, r.sets, r.applicant_name, r.contact, r.lead_agency, *times, "", r.notes])
        for cell in ws[ws.max_row][8:13]:
            cell.number_format = DATETIME_FORMAT
    widths = (10,) + COLUMN_WIDTHS
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
