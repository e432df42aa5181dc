"""Catalogue files: the shipped sample, CSV and .xlsx with English or Vietnamese headers,
clear per-row errors."""

from __future__ import annotations

import openpyxl
import pytest

from desk_app.domain.catalogue import read_catalogue_file
from desk_app.domain.errors import ImportRowError, ValidationError
from desk_app.i18n import Translator
from desk_app.paths import resources_dir

tr = Translator("vi")
VI_HEADER = [
    "STT",
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Thời hạn giải quyết (ngày làm việc)",
    "Phí, lệ phí (đồng)",
    "Thành phần hồ sơ",
]


def test_sample_catalogue_is_complete():
    result = read_catalogue_file(resources_dir() / "catalogue/sample_commune_catalogue.csv", tr)
    assert result.errors == []
    assert len(result.procedures) >= 25
    fields = {p.field for p in result.procedures}
    assert {"Hộ tịch", "Chứng thực", "Cư trú", "Bảo trợ xã hội", "Đất đai"} <= fields
    assert all(p.documents for p in result.procedures)


def test_csv_with_vietnamese_headers_and_semicolons(tmp_path):
    path = tmp_path / "dm.csv"
    path.write_text(
        "STT;Mã thủ tục;Tên thủ tục;Lĩnh vực;Thời hạn giải quyết (ngày làm việc);Phí, lệ phí (đồng);Thành phần hồ sơ\n"
        '1;1.001193.000.00.00.H14;Đăng ký khai sinh;Hộ tịch;0;Miễn;"Tờ khai|original|1; Giấy chứng sinh|original|1"\n'
        "2;2.000815.000.00.00.H14;Chứng thực bản sao;Chứng thực;0;2.000;\n",
        encoding="utf-8-sig",
    )
    result = read_catalogue_file(path, tr)
    assert result.errors == []
    birth, copy = result.procedures
    assert birth.name == "Đăng ký khai sinh" and birth.fee == 0 and len(birth.documents) == 2
    assert copy.fee == 2000 and copy.processing_days == 0


def test_bad_rows_are_reported_with_their_row_number(tmp_path):
    path = tmp_path / "dm.csv"
    path.write_text(
        "code,name,processing_days,fee,documents\n"
        "1.001193.000.00.00.H14,Đăng ký khai sinh,0,0,\n"
        "1.0011,Mã sai,3,0,\n"
        "1.000894.000.00.00.H14,Thời hạn lẻ,1.5,0,\n"
        "1.000656.000.00.00.H14,Phí chữ,3,nhiều,\n"
        "1.001022.000.00.00.H14,,3,0,\n"
        "1.001193.000.00.00.H14,Trùng mã,1,0,\n"
        "1.000689.000.00.00.H14,Giấy tờ sai,1,0,Tờ khai|scan|1\n",
        encoding="utf-8",
    )
    result = read_catalogue_file(path, tr)
    assert [p.code for p in result.procedures] == ["1.001193.000.00.00.H14"]
    assert [e.split(":")[0] for e in result.errors] == ["Dòng 3", "Dòng 4", "Dòng 5", "Dòng 6", "Dòng 7", "Dòng 8"]
    assert "1.5" in result.errors[1]  # 1.5 days is refused, never read as 15


def test_xlsx_with_vietnamese_headers(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(VI_HEADER)
    sheet.append([1, "1.001193.000.00.00.H14", "Đăng ký khai sinh", "Hộ tịch", 0, 0, "Tờ khai|original|1"])
    sheet.append([2, "1.000894.000.00.00.H14", "Đăng ký kết hôn", "Hộ tịch", 5.0, 15000, None])
    sheet.append([3, "1.000656.000.00.00.H14", "Thời hạn lẻ", "Hộ tịch", 2.5, 0, None])
    sheet.append([None] * 7)
    path = tmp_path / "dm.xlsx"
    book.save(path)
    result = read_catalogue_file(path, tr)
    assert [(p.code, p.processing_days, p.fee) for p in result.procedures] == [
        ("1.001193.000.00.00.H14", 0, 0),
        ("1.000894.000.00.00.H14", 5, 15000),
    ]
    assert len(result.errors) == 1 and result.errors[0].startswith("Dòng 4")


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("x.csv", b"", ValidationError),
        ("x.pdf", b"%PDF", ValidationError),
        ("x.xlsx", b"not a zip", ValidationError),
        ("x.csv", b"foo,bar\n1,2\n", ImportRowError),
    ],
)
def test_unreadable_files(tmp_path, name, content, error):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error):
        read_catalogue_file(path, tr)


def test_missing_file(tmp_path):
    with pytest.raises(ValidationError, match="Không tìm thấy tệp"):
        read_catalogue_file(tmp_path / "none.csv", tr)
