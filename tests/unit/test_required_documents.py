"""Required vs optional documents: the catalogue says which (a fourth part in the documents cell,
else a conditional "(nếu ...)" name is optional); the intake service refuses a dossier with no
document and, unless allowed, one missing a required document; `desk intake` needs
--allow-missing."""

from __future__ import annotations

import json

import pytest

from desk_app.domain.catalogue import RequiredDocument, parse_documents_cell, read_catalogue_file
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import Translator
from tests.conftest import desk_cli


def test_optional_is_derived_from_the_name_or_marked():
    docs = parse_documents_cell(
        "Tờ khai|original|1 ; Giấy chứng nhận kết hôn của cha mẹ (nếu có)|photocopy|1 ; "
        "Giấy xác nhận (Nếu đăng ký ngoài nơi thường trú) ; Sơ đồ thửa đất|original||không bắt buộc ; "
        "Văn bản ủy quyền (nếu có)|original|1|bắt buộc",
        row=2,
    )
    assert [(d.name, d.required) for d in docs] == [
        ("Tờ khai", True),
        ("Giấy chứng nhận kết hôn của cha mẹ (nếu có)", False),
        ("Giấy xác nhận (Nếu đăng ký ngoài nơi thường trú)", False),
        ("Sơ đồ thửa đất", False),
        ("Văn bản ủy quyền (nếu có)", True),
    ]
    # A catalogue stored before the flag existed reads the same way.
    assert RequiredDocument(name="Bản sao sổ hộ khẩu (nếu có)").required is False
    assert RequiredDocument(name="Giấy tờ nếu có").required is True  # no parenthesis: not a condition
    with pytest.raises(DeskError) as caught:
        parse_documents_cell("Tờ khai|original|1|có lẽ", row=7)
    assert "Dòng 7" in caught.value.translated(Translator("vi"))


def test_the_flag_survives_import_and_storage(desk, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("code,name,processing_days,documents\n"
                    "1.000001.000.00.00.H14,Thủ tục A,3,Đơn|original|1 ; Ảnh|original|2|optional\n", encoding="utf-8")
    desk.catalogue.import_file(path)
    stored = desk.catalogue.get("1.000001.000.00.00.H14")
    assert [(d.name, d.required) for d in stored.documents] == [("Đơn", True), ("Ảnh", False)]
    assert read_catalogue_file(path, Translator("vi")).errors == []


def test_service_reports_and_refuses_missing_documents(desk, intake_json):
    # The sample birth registration needs the declaration, the birth certificate and the ID card;
    # the parents' marriage certificate is "(nếu có)".
    assert desk.intake.missing_documents(intake_json) == ["Căn cước của người đi đăng ký"]
    with pytest.raises(ValidationError) as caught:
        desk.intake.intake(intake_json, allow_missing=False)
    assert caught.value.field == "documents" and caught.value.details == ["Căn cước của người đi đăng ký"]
    assert "Căn cước của người đi đăng ký" in caught.value.translated(Translator("vi"))
    complete = {**intake_json, "documents": intake_json["documents"] + [{"name": "căn cước của người đi đăng ký"}]}
    assert desk.intake.missing_documents(complete) == []
    desk.intake.intake(complete, allow_missing=False)  # names match without case/diacritics differences
    desk.intake.intake(intake_json, allow_missing=True)
    with pytest.raises(ValidationError) as caught:
        desk.intake.intake({**intake_json, "documents": []}, allow_missing=True)
    assert caught.value.field == "documents" and "Chưa đánh dấu giấy tờ nào" in str(caught.value)
    assert desk.queue.summary()["all"] == 2


def test_cli_intake_refuses_unless_allow_missing(tmp_path, intake_json):
    data = str(tmp_path / "d")
    assert desk_cli("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "3").returncode == 0
    refused = desk_cli("intake", "--data", data, "--json", "-", input=json.dumps(intake_json))
    assert refused.returncode == 1
    error = json.loads(refused.stderr)
    assert error["field"] == "documents" and error["details"] == ["Căn cước của người đi đăng ký"]
    assert "Thiếu giấy tờ bắt buộc" in error["message"]
    taken = desk_cli("intake", "--allow-missing", "--data", data, "--json", "-", input=json.dumps(intake_json))
    assert taken.returncode == 0, taken.stderr
    none = desk_cli("intake", "--allow-missing", "--data", data, "--json", "-",
                    input=json.dumps({**intake_json, "documents": []}))
    assert none.returncode == 1 and json.loads(none.stderr)["field"] == "documents"
