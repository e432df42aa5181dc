"""Issue 8's printing defects, checked on rendered PDFs (pypdfium2): a PDF file is not a
print, the A5 header keeps "TRẢ KẾT QUẢ" on one line, the tracking book keeps each code on
one line and lists dossiers in order of receipt."""

from datetime import date, timedelta

from desk_app.services.printing import render
from tests.forms.helpers import page_texts


def _lines(pdf: bytes) -> list[str]:
    return [line.strip() for text in page_texts(pdf) for line in text.splitlines()]


def test_saving_a_pdf_is_not_a_print(desk, dossier, tmp_path):
    saved = desk.printing.export(dossier.code, tmp_path / "slip.pdf")
    assert saved["copy_number"] == 1
    again = desk.printing.export(dossier.code, tmp_path / "slip2.pdf")
    assert again["copy_number"] == 1  # still no paper handed out
    paper = desk.printing.prepare(dossier.code)
    assert paper.data.copy_number == 1
    assert not any("BẢN SAO" in line for line in _lines(render(paper).data))
    desk.printing.record(paper, target="printer:Counter")
    reprint = desk.printing.prepare(dossier.code)
    assert reprint.data.copy_number == 2
    assert any("BẢN SAO LẦN 2" in line for line in _lines(render(reprint).data))
    # Every issue is still in the log, files included.
    assert [p["target"].split(":")[0] for p in desk.printing.prints(dossier.code)] == ["pdf", "pdf", "printer"]


def test_a5_header_keeps_each_unit_line_whole(desk, dossier):
    for layout in ("a5", "a4", "thermal80"):
        lines = _lines(render(desk.printing.prepare(dossier.code, layout=layout)).data)
        assert "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in lines, (layout, lines[:6])
        assert "QUẢ" not in lines
        assert "UBND PHƯỜNG THỤC PHÁN" in lines


def test_long_unit_name_shrinks_but_stays_on_one_line(desk, intake_json):
    desk.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273", unit_name="Ủy ban nhân dân Phường Thục Phán")
    code = desk.intake.intake(intake_json).code
    lines = _lines(render(desk.printing.prepare(code, layout="a5")).data)
    assert "ỦY BAN NHÂN DÂN PHƯỜNG THỤC PHÁN" in lines


def test_book_codes_do_not_wrap_and_rows_follow_receipt_time(desk, intake_json, clock, tmp_path):
    codes = []
    for _ in range(3):
        codes.append(desk.intake.intake(intake_json).code)
        clock.moment += timedelta(minutes=7)
    # Slips printed out of order: the third dossier takes book number 1.
    desk.printing.prepare(codes[2])
    desk.printing.prepare(codes[0])
    desk.printing.export_book(date(2026, 11, 18), date(2026, 11, 18), tmp_path / "book.pdf")
    text = "\n".join(page_texts((tmp_path / "book.pdf").read_bytes()))
    positions = [text.find(code) for code in codes]
    assert all(p >= 0 for p in positions), "a code was wrapped inside its column"
    assert positions == sorted(positions)
    book = desk.printing.book(date(2026, 11, 18), date(2026, 11, 18))
    assert [(r.code, r.number) for r in book.rows] == [(codes[0], 2), (codes[1], 3), (codes[2], 1)]
