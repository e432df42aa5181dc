"""VietQR (NAPAS) payment payloads: EMVCo merchant-presented QR, TLV fields ``ID LEN VALUE``.

Layout (one-stop-domain.md): 00=01; 01=11 static / 12 dynamic (with amount); 38 = {00=A000000727,
01 = {00 = bank BIN, 01 = account}, 02 = QRIBFTTA}; 53=704; 54 amount; 58=VN; 62 {08 note};
63 = CRC-16/CCITT-FALSE over everything before it including "6304", 4 uppercase hex digits.
Values are ASCII so lengths count characters and bytes alike.
"""

from __future__ import annotations

import re

from desk_app.domain.errors import ValidationError
from desk_app.domain.text import strip_diacritics

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
MAX_NOTE = 25  # EMVCo 62/08 "purpose of transaction" is at most 25 characters
_ACCOUNT_RE = re.compile(r"^[0-9A-Za-z]{1,19}$")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError(f"bad EMV tag {tag!r}")
    if not value.isascii():
        raise ValueError("EMV values must be ASCII")
    if len(value) > 99:
        raise ValueError(f"EMV value of tag {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def parse_tlv(payload: str) -> list[tuple[str, str]]:
    """Split a TLV string into (tag, value) pairs; raises ValueError on a malformed string."""
    out = []
    i = 0
    while i < len(payload):
        if i + 4 > len(payload):
            raise ValueError("truncated TLV header")
        tag, length = payload[i : i + 2], payload[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise ValueError(f"bad TLV header at {i}")
        end = i + 4 + int(length)
        if end > len(payload):
            raise ValueError(f"TLV value of tag {tag} runs past the end")
        out.append((tag, payload[i + 4 : end]))
        i = end
    return out


def with_crc(body: str) -> str:
    data = body + "6304"
    return data + f"{crc16_ccitt_false(data.encode('ascii')):04X}"


def check_bank_account(bin_code: str, account: str) -> tuple[str, str]:
    bin_code = (bin_code or "").strip()
    account = (account or "").strip().replace(" ", "")
    if not (len(bin_code) == 6 and bin_code.isdigit()):
        raise ValidationError("Mã BIN ngân hàng phải gồm 6 chữ số (ví dụ 970415).", field="bank_bin")
    if not _ACCOUNT_RE.match(account):
        raise ValidationError("Số tài khoản chỉ gồm chữ và số, tối đa 19 ký tự.", field="bank_account")
    return bin_code, account


def transfer_note(text: str) -> str:
    """An ASCII note of at most 25 characters (banks show it to the commune's accountant).
    A dossier code with a dotted unit identifier (25 characters) is kept whole; dots go first
    when it does not fit, then the text is cut."""
    note = re.sub(r"[^0-9A-Za-z .\-]", "", strip_diacritics(text))
    if len(note) > MAX_NOTE:
        note = note.replace(".", "")
    return note[:MAX_NOTE]


def vietqr_payload(bin_code: str, account: str, *, amount: int | None = None, note: str = "") -> str:
    """The full VietQR string, ready to encode in a QR symbol."""
    bin_code, account = check_bank_account(bin_code, account)
    beneficiary = tlv("00", bin_code) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = tlv("00", "01") + tlv("01", "12" if amount else "11") + tlv("38", merchant) + tlv("53", CURRENCY_VND)
    if amount:
        if amount < 0:
            raise ValidationError("Số tiền không được âm.", field="amount")
        body += tlv("54", str(int(amount)))
    body += tlv("58", "VN")
    note = transfer_note(note)
    if note:
        body += tlv("62", tlv("08", note))
    return with_crc(body)


def verify_crc(payload: str) -> bool:
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    return f"{crc16_ccitt_false(payload[:-4].encode('ascii')):04X}" == payload[-4:]
