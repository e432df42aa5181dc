"""VietQR (EMVCo) payloads, their CRC, tracking payloads and slip recognition."""

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.forms.payloads import (
    check_url_template,
    recognise_slip,
    survey_payload,
    tracking_payload,
)
from desk_app.forms.vietqr import crc16_ccitt_false, parse_tlv, verify_crc, vietqr_payload

CODE = "000.31.14.H14-261118-3001"
TEMPLATE = "https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}"


def test_crc_check_value():
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF


def test_matches_a_published_vietqr_payload():
    # Published by github.com/subiz/vietqr (README): 120.000 VND to 0011001932418 at BIN 970415.
    published = (
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
        "530370454061200005802VN62170813ung ho lu lut6304C15C"
    )
    assert verify_crc(published)
    assert vietqr_payload("970415", "0011001932418", amount=120000, note="ủng hộ lũ lụt") == published


def test_full_payload_structure_and_crc():
    payload = vietqr_payload("970415", "113366668888", amount=20000, note=CODE)
    fields = dict(parse_tlv(payload))
    assert list(dict(parse_tlv(payload))) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert fields["00"] == "01" and fields["01"] == "12" and fields["53"] == "704" and fields["58"] == "VN"
    assert fields["54"] == "20000"
    merchant = dict(parse_tlv(fields["38"]))
    assert merchant == {"00": "A000000727", "01": "00069704150112113366668888", "02": "QRIBFTTA"}
    assert dict(parse_tlv(merchant["01"])) == {"00": "970415", "01": "113366668888"}
    assert dict(parse_tlv(fields["62"])) == {"08": CODE}
    assert payload[-8:-4] == "6304" and verify_crc(payload)
    assert f"{crc16_ccitt_false(payload[:-4].encode()):04X}" == fields["63"]
    # A changed character breaks the CRC.
    assert not verify_crc(payload.replace("20000", "90000"))


def test_static_payload_without_amount():
    fields = dict(parse_tlv(vietqr_payload("970436", "0011000123456")))
    assert fields["01"] == "11" and "54" not in fields and "62" not in fields


@pytest.mark.parametrize("bin_code,account", [("97041", "123"), ("97041a", "123"), ("970415", ""), ("970415", "12 34-56")])
def test_bad_bank_details_are_refused(bin_code, account):
    with pytest.raises(ValidationError):
        vietqr_payload(bin_code, account)


def test_long_note_is_cut_to_25_ascii():
    fields = dict(parse_tlv(vietqr_payload("970415", "1", note="000.31.14.H14-261118-31000 Đào")))
    note = dict(parse_tlv(fields["62"]))["08"]
    assert len(note) <= 25 and note.isascii() and note.startswith("0003114H14-261118-31000")


def test_tracking_payload_template_and_tag():
    assert tracking_payload(CODE) == CODE
    assert tracking_payload(CODE, TEMPLATE) == f"https://dichvucong.caobang.gov.vn/tra-cuu?mahs={CODE}"
    tagged = tracking_payload(CODE, TEMPLATE, tag_provider=lambda code: "k9X2")
    assert tagged.endswith(f"mahs={CODE}&t=k9X2")
    assert tracking_payload(CODE, "https://x.vn/hs/{code}/{tag}", tag_provider=lambda c: "T1") == f"https://x.vn/hs/{CODE}/T1"
    assert tracking_payload(CODE, tag_provider=lambda c: "T1") == f"{CODE}#T1"
    assert tracking_payload(CODE, TEMPLATE, tag_provider=lambda c: None) == tracking_payload(CODE, TEMPLATE)
    assert survey_payload(CODE, "https://x.vn/danh-gia?mahs={code}") == f"https://x.vn/danh-gia?mahs={CODE}"


@pytest.mark.parametrize(
    "template",
    ["ftp://x.vn/{code}", "https://x.vn/tra-cuu", "https://x.vn/{code}/{secret}", "https://x.vn/{code", "tra-cuu?mahs={code}"],
)
def test_bad_templates_are_refused(template):
    with pytest.raises(ValidationError):
        check_url_template(template)


@pytest.mark.parametrize(
    "scanned",
    [
        CODE,
        f"  {CODE.lower()}  ",
        f"https://dichvucong.caobang.gov.vn/tra-cuu?mahs={CODE}",
        f"https://dichvucong.caobang.gov.vn/tra-cuu?MAHS={CODE}&t=k9X2",
        f"https://x.vn/hs/{CODE}",
        f"{CODE}#k9X2",
        "H14.52.01-261118-3001",
    ],
)
def test_recognise_slip(scanned):
    assert recognise_slip(scanned) in (CODE, "H14.52.01-261118-3001")


@pytest.mark.parametrize(
    "scanned",
    ["", "004099001234|123456789|Nguyễn Văn An|15081999|Nam|Tổ 1|10072024", "https://x.vn/?q=1", "000.31.14.H14-261118"],
)
def test_other_scans_are_not_slips(scanned):
    assert recognise_slip(scanned) is None
