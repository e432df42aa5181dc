"""Every form on every layout: render with pypdfium2, decode with zxing-cpp at 150 and 200 dpi,
read the text layer. Codes must give back exactly what was encoded."""

import pytest

from desk_app.forms.model import FormExtras
from desk_app.forms.pdf import NOT_SENT_NOTE
from desk_app.forms.vietqr import parse_tlv, verify_crc
from desk_app.services.printing import render
from tests.conftest import require
from tests.forms.helpers import decode, fonts_embedded, page_texts, render_pages

LAYOUTS = ("a4", "a5", "thermal80")
NAME = "Nguyễn Thị Đào"


def _zxing():
    try:
        import zxingcpp  # noqa: F401
    except ImportError:
        require(False, "zxing-cpp is not installed")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_slip_codes_decode_at_150_and_200_dpi(desk, fee_dossier, layout):
    _zxing()
    code = fee_dossier.code
    prepared = desk.printing.prepare(code, layout=layout)
    pdf = render(prepared)
    assert pdf.pages == 1
    expected_qr = {
        f"https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}",
        f"https://dichvucong.caobang.gov.vn/danh-gia?mahs={code}",
        prepared.data.payment_payload,
    }
    assert verify_crc(prepared.data.payment_payload)
    assert dict(parse_tlv(prepared.data.payment_payload))["54"] == str(fee_dossier.fee)
    for dpi in (150, 200):
        (image,) = render_pages(pdf.data, dpi)
        found = decode(image)
        assert found["code128"] == [code], (layout, dpi, found)
        assert set(found["qr"]) == expected_qr and len(found["qr"]) == 3, (layout, dpi, found)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_slip_text_layer_has_the_exact_name_and_fields(desk, dossier, layout):
    pdf = render(desk.printing.prepare(dossier.code, layout=layout))
    (text,) = page_texts(pdf.data)
    assert NAME in text
    assert dossier.code in text
    assert "004199012345" in text and "0912345678" in text and "dao@example.vn" in text
    for field in ("Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Bản chính", "Số lượng hồ sơ", "Thời gian nhận hồ sơ: 09 giờ 30 phút",
                  "Đăng ký nhận kết quả tại", "Vào Sổ theo dõi hồ sơ, Quyển số: 03/2026, Số thứ tự: 1",
                  "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"):
        assert field in " ".join(text.split()), (layout, field)
    # Not yet at the province: the slip says so plainly.
    assert NOT_SENT_NOTE in " ".join(text.split())
    assert fonts_embedded(pdf.data)


def test_synced_dossier_has_no_not_sent_note(desk, dossier):
    desk.store.db.conn.execute("UPDATE dossiers SET synced_at = '2026-11-18T10:00:00+07:00' WHERE code = ?", (dossier.code,))
    (text,) = page_texts(render(desk.printing.prepare(dossier.code)).data)
    assert NOT_SENT_NOTE not in " ".join(text.split()) and NAME in text


def test_without_template_the_qr_holds_the_bare_code(desk, intake_json):
    _zxing()
    code = desk.intake.intake(intake_json).code
    (image,) = render_pages(render(desk.printing.prepare(code, layout="a5")).data, 150)
    assert decode(image) == {"qr": [code], "code128": [code]}


def test_two_copies_and_reprint_mark(desk, dossier, tmp_path):
    _zxing()
    desk.printing.configure(slip_copies=2)
    first = desk.printing.export(dossier.code, tmp_path / "a.pdf", layout="thermal80")
    # Only paper counts: the original goes to the printer, then a file of it is a copy.
    desk.printing.record(desk.printing.prepare(dossier.code, layout="thermal80"), target="printer:Counter")
    second = desk.printing.export(dossier.code, tmp_path / "b.pdf", layout="thermal80")
    assert first["pages"] == 2 and first["copy_number"] == 1 and second["copy_number"] == 2
    texts = [" ".join(t.split()) for t in page_texts((tmp_path / "b.pdf").read_bytes())]
    assert "Liên 1: Giao người nộp hồ sơ" in texts[0] and "Liên 2: Lưu tại Bộ phận Một cửa" in texts[1]
    assert all("BẢN SAO LẦN 2" in t for t in texts)
    assert not any("BẢN SAO" in " ".join(t.split()) for t in page_texts((tmp_path / "a.pdf").read_bytes()))
    for image in render_pages((tmp_path / "b.pdf").read_bytes(), 150):
        assert decode(image)["code128"] == [dossier.code]


@pytest.mark.parametrize("form", ["02", "03", "04", "05"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_other_forms_render_with_known_data_and_barcode(desk, dossier, form, layout):
    _zxing()
    from datetime import datetime

    from desk_app.domain.calendar import VN_TZ

    extras = FormExtras(
        reason="Thiếu bản sao Giấy chứng nhận kết hôn của cha mẹ",
        items=["Bản sao Giấy chứng nhận kết hôn"],
        new_appointment=datetime(2026, 11, 27, 14, 0, tzinfo=VN_TZ),
        officer_phone="0206 3852 123",
    )
    desk.queue.set_status(dossier.code, "transferred")
    prepared = desk.printing.prepare(dossier.code, form=form, layout=layout, extras=extras)
    pdf = render(prepared)
    text = " ".join(" ".join(page_texts(pdf.data)).split())
    assert prepared.data.title.upper() in text
    assert NAME in text and dossier.code in text and fonts_embedded(pdf.data)
    if form in ("02", "03", "04"):
        assert extras.reason in text
    if form == "02":
        assert "Bản sao Giấy chứng nhận kết hôn" in text and "0206 3852 123" in text
    if form == "04":
        assert "14 giờ 00 phút, ngày 27 tháng 11 năm 2026" in text
    if form == "05":
        assert "Đã chuyển xử lý" in text
    for dpi in (150, 200):
        image = render_pages(pdf.data, dpi)[0]
        assert decode(image)["code128"] == [dossier.code], (form, layout, dpi)


def test_hostile_text_is_printed_literally(desk, intake_json):
    intake_json["applicant"]["address"] = "Tổ 1 <b>& \"Nà Rỏa\"</b>"
    code = desk.intake.intake(intake_json).code
    text = page_texts(render(desk.printing.prepare(code)).data)[0]
    assert "Tổ 1 <b>& \"Nà Rỏa\"</b>" in text
