"""Forms 01-05 of a dossier and the tracking book (06) as PDF. Pure: runs on any thread.

The wording follows Circular 01/2018/TT-VPCP's templates; it is the legal Vietnamese text of
the form and is not translated. Values typed by people are escaped before layout.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from desk_app.domain.formats import vn_date, vn_datetime
from desk_app.forms.layouts import A4, Layout
from desk_app.forms.model import BookData, FormData, RenderedPdf
from desk_app.forms.pdf_parts import (
    DOTS,
    Styles,
    bars,
    boxed,
    build_pdf,
    date_words,
    e,
    fitted_line,
    grid,
    local,
    money,
    plain_table,
    qr,
    time_words,
)

NOT_SENT_NOTE = "Hồ sơ đã tiếp nhận tại Bộ phận Một cửa, chưa gửi lên hệ thống tỉnh"
UNIT_SHARE = 0.42  # of the text width: the unit's column of a two-column header
COPY_LABELS = ("Liên 1: Giao người nộp hồ sơ", "Liên 2: Lưu tại Bộ phận Một cửa")


def _marks(data: FormData, s: Styles, copy_label: str) -> list:
    labels = []
    if data.copy_number > 1:
        labels.append(f"<b>BẢN SAO LẦN {data.copy_number}</b>")
    if copy_label:
        labels.append(e(copy_label))
    return [Paragraph(" · ".join(labels), s.center)] if labels else []


def _header(data: FormData, layout: Layout, s: Styles, width: float, copy_label: str = "") -> list:
    """Unit and national motto side by side (one column on narrow paper), the place and
    date, and the reprint mark ("Bản sao lần N") where the eye lands first."""
    unit_width = width if layout.stacked_header else width * UNIT_SHARE
    unit: list[Flowable] = [
        fitted_line(data.unit_name.upper(), s.center, unit_width),
        fitted_line(data.office_name.upper(), s.center, unit_width, bold=True),
    ]
    nation: list[Flowable] = [
        Paragraph("<b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b>", s.center),
        Paragraph("<b><u>Độc lập - Tự do - Hạnh phúc</u></b>", s.center),
    ]
    place = Paragraph(f"{e(data.place)}, {date_words(data.printed_on)}", s.right)
    marks = _marks(data, s, copy_label)
    if layout.stacked_header:
        return [*marks, *nation, Spacer(1, 1.5 * mm), *unit, Spacer(1, 1 * mm), place]
    table = plain_table(
        [[unit + [Spacer(1, 1 * mm)] + marks, nation + [Spacer(1, 1.5 * mm), place]]], [unit_width, width - unit_width]
    )
    return [table]


def _code_block(data: FormData, layout: Layout, s: Styles) -> list:
    out: list[Flowable] = [Paragraph(f"Mã hồ sơ: <b>{e(data.code)}</b>", s.center)]
    if not layout.bars_vertical:  # thermal: the bars run down the right edge instead
        out += [Spacer(1, 1 * mm), bars(data.code, layout)]
    out.append(Spacer(1, 1.5 * mm))
    return out


def _opening(data: FormData, layout: Layout, s: Styles, width: float, copy_label: str = "") -> list:
    """What every form starts with: the header, the form's title and the dossier code."""
    return [*_header(data, layout, s, width, copy_label), Paragraph(data.title.upper(), s.title), *_code_block(data, layout, s)]


def _applicant(data: FormData, s: Styles, lead: str) -> list:
    id_number = f"; số định danh cá nhân/CCCD: {e(data.id_number)}" if data.id_number else ""
    rows = [
        Paragraph(f"{lead} <b>{e(data.applicant_name)}</b>{id_number}", s.normal),
        Paragraph(f"Địa chỉ: {e(data.address) or DOTS}", s.normal),
        Paragraph(
            f"Số điện thoại: {e(data.phone) or DOTS}&nbsp;&nbsp;&nbsp; Email: {e(data.email) or DOTS}", s.normal
        ),
        Paragraph(f"Nội dung yêu cầu giải quyết: <b>{e(data.procedure_name)}</b> (mã {e(data.procedure_code)})", s.normal),
    ]
    return rows


def _signatures(left: tuple[str, str] | None, right: tuple[str, str], s: Styles, width: float, layout: Layout) -> list:
    def block(title: str, name: str) -> list:
        return [
            Paragraph(f"<b>{e(title)}</b>", s.center),
            Paragraph("(Ký và ghi rõ họ tên)", s.small_center),
            Spacer(1, layout.signature_space),
            Paragraph(e(name), s.bold_center),
        ]

    if left is None:
        return [Spacer(1, 3 * mm), plain_table([["", block(*right)]], [width * 0.4, width * 0.6])]
    return [Spacer(1, 3 * mm), plain_table([[block(*left), block(*right)]], [width / 2, width / 2])]


def _codes_row(data: FormData, layout: Layout, s: Styles, width: float) -> list:
    cells = []
    if data.tracking_payload:
        cells.append((qr(data.tracking_payload, layout, data.qr_ec), "Quét mã để tra cứu hồ sơ"))
    if data.survey_payload:
        cells.append((qr(data.survey_payload, layout, data.qr_ec), "Đánh giá mức độ hài lòng"))
    if data.payment_payload:
        cells.append((qr(data.payment_payload, layout, data.qr_ec), f"Nộp phí {money(data.fee)} đồng: {data.bank_label}"))
    if not cells:
        return []
    per_row = 2 if layout.stacked_header else 3
    rows: list[list[list[Flowable] | str]] = []
    for start in range(0, len(cells), per_row):
        chunk = cells[start : start + per_row]
        rows.append([[flow, Paragraph(e(caption), s.small_center)] for flow, caption in chunk])
    columns = max(len(r) for r in rows)
    rows = [r + [""] * (columns - len(r)) for r in rows]
    return [Spacer(1, 2 * mm), plain_table(rows, [width / columns] * columns, pad=1)]


def _documents_table(data: FormData, layout: Layout, s: Styles, width: float):
    count_head = "SL" if layout.stacked_header else "Số lượng"
    rows = [[Paragraph(t, s.cell_bold) for t in ("TT", "Tên giấy tờ", "Hình thức", count_head)]]
    for i, doc in enumerate(data.documents, start=1):
        rows.append(
            [
                Paragraph(str(i), s.cell_center),
                Paragraph(e(doc.name), s.cell),
                Paragraph(e(doc.kind_label), s.cell_center),
                Paragraph(f"{doc.count:02d}", s.cell_center),
            ]
        )
    if len(rows) == 1:
        rows.append([Paragraph("", s.cell)] * 4)
    return grid(rows, [width * 0.08, width * 0.52, width * 0.25, width * 0.15])


def slip_story(data: FormData, layout: Layout, width: float, copy_label: str) -> list:
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    s = Styles(layout)
    story = _opening(data, layout, s, width, copy_label)
    if not data.synced:
        story += [boxed(Paragraph(NOT_SENT_NOTE, s.note), width), Spacer(1, 2 * mm)]
    story += _applicant(data, s, f"{e(data.unit_name)} tiếp nhận hồ sơ của:")
    story += [Paragraph("1. Thành phần hồ sơ nộp gồm:", s.normal), _documents_table(data, layout, s, width), Spacer(1, 1.5 * mm)]
    story += [
        Paragraph(f"2. Số lượng hồ sơ: <b>{data.sets:02d}</b> (bộ)", s.normal),
        Paragraph(f"3. Thời gian giải quyết hồ sơ theo quy định là: <b>{e(data.processing_text)}</b>", s.normal),
        Paragraph(f"4. Thời gian nhận hồ sơ: <b>{time_words(data.received_at)}</b>", s.normal),
        Paragraph(f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{time_words(data.appointment_at)}</b>", s.normal),
        Paragraph(f"6. Đăng ký nhận kết quả tại: <b>{e(data.return_channel_label)}</b>", s.normal),
    ]
    if data.fee:
        story.append(Paragraph(f"Phí, lệ phí: <b>{money(data.fee)} đồng</b>", s.normal))
    story.append(
        Paragraph(
            f"Vào Sổ theo dõi hồ sơ, Quyển số: <b>{e(data.book_volume) or DOTS}</b>, "
            f"Số thứ tự: <b>{data.book_number or DOTS}</b>",
            s.normal,
        )
    )
    story += _codes_row(data, layout, s, width)
    story += _signatures(("NGƯỜI NỘP HỒ SƠ", data.applicant_name), ("NGƯỜI TIẾP NHẬN HỒ SƠ", data.officer), s, width, layout)
    return story


def _dotted_lines(count: int, s: Styles) -> list:
    return [Paragraph(DOTS * 3, s.normal) for _ in range(count)]


def supplement_story(data: FormData, layout: Layout, width: float) -> list:
    """Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    s = Styles(layout)
    x = data.extras
    story = _opening(data, layout, s, width)
    story += _applicant(data, s, f"Ngày {vn_date(local(data.received_at))}, {e(data.unit_name)} tiếp nhận hồ sơ của:")
    story.append(
        Paragraph(
            "Sau khi xem xét, thẩm định hồ sơ, đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
            s.justify,
        )
    )
    rows = [[Paragraph("TT", s.cell_bold), Paragraph("Nội dung yêu cầu bổ sung, hoàn thiện", s.cell_bold)]]
    items = x.items or [""] * 4
    for i, item in enumerate(items, start=1):
        rows.append([Paragraph(str(i), s.cell_center), Paragraph(e(item) or "&nbsp;", s.cell)])
    story += [grid(rows, [width * 0.1, width * 0.9]), Spacer(1, 1.5 * mm)]
    story.append(Paragraph(f"Lý do: {e(x.reason) or DOTS * 2}", s.justify))
    story.append(
        Paragraph(
            "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với "
            f"{e(data.officer) or DOTS}, số điện thoại {e(x.officer_phone) or DOTS} để được hướng dẫn.",
            s.justify,
        )
    )
    story += _signatures(None, ("NGƯỜI HƯỚNG DẪN", data.officer), s, width, layout)
    return story


def refusal_story(data: FormData, layout: Layout, width: float) -> list:
    """Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    s = Styles(layout)
    x = data.extras
    story = _opening(data, layout, s, width)
    story += _applicant(data, s, f"{e(data.unit_name)} tiếp nhận hồ sơ của:")
    story.append(
        Paragraph(
            f"Căn cứ quy định tại {DOTS}, {e(data.unit_name)} từ chối tiếp nhận, giải quyết hồ sơ này "
            "với lý do cụ thể như sau:",
            s.justify,
        )
    )
    story += [Paragraph(e(x.reason), s.justify)] if x.reason else _dotted_lines(3, s)
    story.append(Paragraph("Xin thông báo để Ông/Bà được biết và thực hiện.", s.normal))
    story += _signatures(None, ("NGƯỜI TIẾP NHẬN HỒ SƠ", data.officer), s, width, layout)
    return story


def apology_story(data: FormData, layout: Layout, width: float) -> list:
    """Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả."""
    s = Styles(layout)
    x = data.extras
    unit = e(data.unit_name)
    new_date = date_words(local(x.new_appointment).date()) if x.new_appointment else "ngày … tháng … năm …"
    if x.new_appointment:
        new_date = f"{local(x.new_appointment):%H} giờ {local(x.new_appointment):%M} phút, {new_date}"
    story = _opening(data, layout, s, width)
    story += [
        Paragraph(f"Kính gửi: <b>{e(data.applicant_name)}</b>", s.normal),
        Paragraph(
            f"Ngày {vn_date(local(data.received_at))}, {unit} tiếp nhận giải quyết hồ sơ của Ông/Bà, "
            f"mã hồ sơ <b>{e(data.code)}</b>.",
            s.justify,
        ),
        Paragraph(f"Nội dung yêu cầu giải quyết: <b>{e(data.procedure_name)}</b>", s.justify),
        Paragraph(f"Thời gian hẹn trả kết quả giải quyết hồ sơ: <b>{time_words(data.appointment_at)}</b>.", s.justify),
        Paragraph(
            f"Tuy nhiên đến nay, {unit} chưa trả kết quả giải quyết hồ sơ cho Ông/Bà đúng hạn.", s.justify
        ),
        Paragraph(f"Lý do: {e(x.reason) or DOTS * 2}", s.justify),
        Paragraph(
            f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của Ông/Bà. {unit} xin lỗi Ông/Bà "
            f"và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào <b>{new_date}</b>.",
            s.justify,
        ),
        Paragraph("Xin trân trọng cảm ơn sự hợp tác của Ông/Bà.", s.normal),
    ]
    s_sig = _signatures(None, ("THỦ TRƯỞNG CƠ QUAN", ""), s, width, layout)
    return story + s_sig


def control_story(data: FormData, layout: Layout, width: float) -> list:
    """Mẫu 05: Phiếu kiểm soát quá trình giải quyết hồ sơ."""
    s = Styles(layout)
    story = _opening(data, layout, s, width)
    story += [
        Paragraph(f"Người nộp hồ sơ: <b>{e(data.applicant_name)}</b>; thủ tục: {e(data.procedure_name)}", s.normal),
        Paragraph(f"Thời gian nhận hồ sơ: {time_words(data.received_at)}", s.normal),
        Paragraph(f"Thời gian hẹn trả kết quả: {time_words(data.appointment_at)}", s.normal),
        Paragraph(f"Cơ quan (bộ phận) giải quyết hồ sơ: {DOTS * 2}", s.normal),
        Paragraph(f"Cơ quan phối hợp giải quyết hồ sơ: {DOTS * 2}", s.normal),
    ]
    head = ("TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (trước hạn/ đúng hạn/ quá hạn)", "GHI CHÚ")
    rows = [[Paragraph(t, s.cell_bold) for t in head]]
    due = local(data.appointment_at)
    Step = tuple[str, str, datetime, str] | tuple[str, str, datetime, str, str]  # (..., actor)
    steps: list[Step] = [("received", "1. Giao: Bộ phận Một cửa<br/>Nhận: " + DOTS, local(data.received_at), "")]
    for line in data.history:
        if line.status == "received":
            continue
        verdict = ""
        if line.status in ("result_ready", "returned"):
            at = local(line.at)
            verdict = "Trước hạn" if at.date() < due.date() else ("Đúng hạn" if at <= due else "Quá hạn")
        steps.append((line.status, f"{len(steps) + 1}. {e(line.label)}", local(line.at), verdict, line.actor))
    for step in steps:
        label, at, verdict = step[1], step[2], step[3]
        who = e(step[4]) if len(step) > 4 and step[4] else ""
        rows.append(
            [
                Paragraph(label, s.cell),
                Paragraph(f"{at:%H} giờ {at:%M} phút, ngày {vn_date(at)}<br/>Người giao: {who}<br/>Người nhận:", s.cell),
                Paragraph(verdict, s.cell_center),
                Paragraph("", s.cell),
            ]
        )
    for n in range(len(steps) + 1, max(len(steps) + 3, 6)):
        rows.append(
            [
                Paragraph(f"{n}. Giao: …<br/>Nhận: …", s.cell),
                Paragraph("… giờ … phút, ngày …/…/…<br/>Người giao:<br/>Người nhận:", s.cell),
                Paragraph("", s.cell),
                Paragraph("", s.cell),
            ]
        )
    story.append(grid(rows, [width * 0.26, width * 0.34, width * 0.24, width * 0.16]))
    return story


STORIES = {"02": supplement_story, "03": refusal_story, "04": apology_story, "05": control_story}


def render_form(data: FormData, layout: Layout) -> RenderedPdf:
    """The PDF of ``data.form`` on ``layout`` paper (form 01 in ``data.copies`` pages)."""
    width = layout.frame_width() if layout.bars_vertical else layout.width - 2 * layout.margin_x
    if data.form == "01":
        labels = COPY_LABELS if data.copies > 1 else ("",)
        stories = [slip_story(data, layout, width, label) for label in labels]
    else:
        stories = [STORIES[data.form](data, layout, width)]
    return build_pdf(
        stories,
        layout,
        title=f"{data.title} - {data.code}",
        vertical_code=data.code if layout.bars_vertical else "",
    )


BOOK_HEAD = (
    "Số thứ tự",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho cá nhân, tổ chức",
    "Ký nhận",
    "Ghi chú",
)
BOOK_WIDTHS = (0.05, 0.11, 0.13, 0.045, 0.09, 0.11, 0.065, 0.06, 0.06, 0.06, 0.06, 0.06, 0.05, 0.05)
BOOK_CODE_COLUMN = 1
BOOK_PAD = 1.5
# Columns of free text that give up width when the code column needs more (they wrap well).
BOOK_FLEX_COLUMNS = (2, 5, 13)


def book_widths(codes: list[str], width: float, font_size: float) -> list[float]:
    """Column widths of the book: the dossier code never wraps (a code split after its 24th
    character reads as another dossier), so its column is as wide as the longest code; the
    free-text columns give up what it takes."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from desk_app.forms.fonts import REGULAR

    widths = [width * w for w in BOOK_WIDTHS]
    needed = max((stringWidth(c, REGULAR, font_size) for c in codes), default=0) + 2 * BOOK_PAD + 1
    extra = needed - widths[BOOK_CODE_COLUMN]
    if extra > 0:
        flex = sum(widths[i] for i in BOOK_FLEX_COLUMNS)
        for i in BOOK_FLEX_COLUMNS:
            widths[i] -= extra * widths[i] / flex
        widths[BOOK_CODE_COLUMN] = needed
    return widths


def stamp(moment) -> str:
    return vn_datetime(local(moment)) if moment else ""


def render_book(book: BookData) -> RenderedPdf:
    """Mẫu 06: Sổ theo dõi hồ sơ for a date range, A4 landscape."""
    layout = Layout("book", A4.width, A4.height, 10 * mm, 10 * mm, 10 * mm, 6.5, 11, A4.qr_module, A4.bar_module, A4.bar_height)
    assert layout.height is not None  # A4 is cut paper, never continuous
    width = layout.height - 2 * layout.margin_x
    s = Styles(layout)
    story = [
        Paragraph(e(book.unit_name.upper()), s.left),
        Paragraph(f"<b>{e(book.office_name.upper())}</b>", s.left),
        Paragraph("SỔ THEO DÕI HỒ SƠ", s.title),
        Paragraph(f"Từ {date_words(book.date_from)} đến {date_words(book.date_to)}", s.center),
        Spacer(1, 3 * mm),
    ]
    rows = [[Paragraph(t, s.cell_bold) for t in BOOK_HEAD]]
    for r in book.rows:
        values = (
            f"{r.number}<br/>(Q.{e(r.volume)})",
            e(r.code),
            e(r.procedure_name),
            str(r.sets),
            e(r.applicant_name),
            e(r.contact),
            e(r.lead_agency),
            stamp(r.received_at),
            stamp(r.appointment_at),
            stamp(r.transferred_at),
            stamp(r.result_at),
            stamp(r.returned_at),
            "",
            e(r.notes),
        )
        rows.append([Paragraph(v, s.cell) for v in values])
    if len(rows) == 1:
        rows.append([Paragraph("", s.cell)] * len(BOOK_HEAD))
    story.append(grid(rows, book_widths([r.code for r in book.rows], width, s.cell.fontSize), pad=BOOK_PAD))
    return build_pdf([story], layout, title="Sổ theo dõi hồ sơ", landscape=True)
