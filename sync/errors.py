"""Sync failures, classified. Only ``transport`` failures are retried automatically (with
backoff); the others need a person (authentication, clock), the province (server) or are
about one record (record: it is quarantined, never blocking the others).

Messages are Vietnamese templates (marked with N_) translated where they are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    """Who has to act on a failure. Members are str: stored, logged and sent as before."""

    TRANSPORT = "transport"
    AUTHENTICATION = "authentication"
    CLOCK = "clock"
    SERVER = "server"
    RECORD = "record"
    # The round was stopped on purpose (the window closing, sync/cancel.py): never retried.
    CANCELLED = "cancelled"


TRANSPORT = Category.TRANSPORT
AUTHENTICATION = Category.AUTHENTICATION
CLOCK = Category.CLOCK
SERVER = Category.SERVER
RECORD = Category.RECORD
CANCELLED = Category.CANCELLED
# A transport failure where no connection could be made at all (refused, DNS, no route,
# connect timeout): the server is down or this PC is offline. A reason, not a category.
UNREACHABLE = "unreachable"


def N_(text: str) -> str:
    return text


MESSAGES: dict[str, str] = {
    "transport": N_("Không kết nối được máy chủ tỉnh (mạng chập chờn hoặc mất kết nối)."),
    "unreachable": N_("Không liên lạc được máy chủ tỉnh (máy chủ đang tắt, sai địa chỉ hoặc máy tính không có mạng)."),
    "unauthenticated": N_("Máy chủ tỉnh không chấp nhận chứng thực của bàn này."),
    "bad_signature": N_("Chữ ký yêu cầu không hợp lệ: khóa của bàn không khớp với máy chủ."),
    "unknown_desk": N_("Máy chủ tỉnh không biết bàn này: hãy đăng ký lại."),
    "revoked": N_("Chứng thực của bàn này đã bị thu hồi: hãy liên hệ quản trị viên tỉnh."),
    "clock_skew": N_("Đồng hồ máy tính lệch quá nhiều so với máy chủ tỉnh."),
    "protocol_version": N_("Phiên bản giao thức đồng bộ không được máy chủ hỗ trợ: hãy cập nhật phần mềm."),
    "protocol_version_missing": N_("Phiên bản giao thức đồng bộ không được máy chủ hỗ trợ: hãy cập nhật phần mềm."),
    "enroll_code_invalid": N_("Mã đăng ký không đúng hoặc đã được dùng."),
    "enroll_code_expired": N_("Mã đăng ký đã hết hạn: hãy xin mã mới."),
    "server": N_("Máy chủ tỉnh báo lỗi: {detail}."),
    # Not the sync server at that address (a wrong URL, a web page, a proxy's error page).
    "not_found": N_("Địa chỉ này không phải máy chủ đồng bộ tỉnh: hãy kiểm tra lại địa chỉ."),
    "method_not_allowed": N_("Địa chỉ này không phải máy chủ đồng bộ tỉnh: hãy kiểm tra lại địa chỉ."),
    "http_404": N_("Địa chỉ này không phải máy chủ đồng bộ tỉnh: hãy kiểm tra lại địa chỉ."),
    "http_405": N_("Địa chỉ này không phải máy chủ đồng bộ tỉnh: hãy kiểm tra lại địa chỉ."),
    "too_large": N_("Máy chủ tỉnh từ chối yêu cầu quá lớn: hãy báo cho quản trị viên tỉnh."),
    "too_many_events": N_("Máy chủ tỉnh từ chối yêu cầu quá lớn: hãy báo cho quản trị viên tỉnh."),
    "not_enrolled": N_("Bàn này chưa đăng ký với máy chủ tỉnh: hãy chọn “Đăng ký đồng bộ…” ở thanh trạng thái (hoặc chạy 'desk enroll')."),
    "credential_missing": N_("Không đọc được khóa của bàn (kho khóa hoặc tệp khóa bị mất): hãy đăng ký lại."),
    # Security refusals (docs/security.md).
    "insecure_url": N_("Đăng ký chỉ qua https:// (trừ máy chủ trên chính máy này): khóa của bàn không được gửi qua kết nối không mã hóa."),
    "server_key_changed": N_(
        "Khóa của máy chủ tỉnh khác với khóa đã ghi nhận khi đăng ký: có thể có kẻ mạo danh trên đường truyền. "
        "Hãy liên hệ quản trị viên tỉnh."
    ),
    "tls_untrusted": N_("Không xác minh được chứng chỉ của máy chủ tỉnh: hãy kiểm tra địa chỉ hoặc xin tệp chứng chỉ (CA) của tỉnh."),
    "answer_not_signed": N_("Câu trả lời của máy chủ không có chữ ký hợp lệ (có thể bị sửa trên đường truyền): chưa áp dụng gì."),
    "cancelled": N_("Đồng bộ đã dừng giữa chừng vì chương trình được đóng; lần sau sẽ tiếp tục."),
    "busy": N_("Máy chủ tỉnh đang bận với các yêu cầu khác của bàn này: sẽ gửi lại sau."),
    "insufficient_storage": N_("Máy chủ tỉnh sắp hết dung lượng đĩa: hồ sơ chờ gửi sau, hãy báo quản trị viên tỉnh."),
    "upload_quota": N_("Bàn này có quá nhiều tệp đang gửi dở trên máy chủ: hãy thử lại sau."),
    "replayed": N_("Máy chủ tỉnh từ chối một yêu cầu bị gửi lặp lại."),
    # Record refusals (quarantine reasons).
    "other_commune": N_("Hồ sơ không thuộc xã của bàn này."),
    "other_desk": N_("Mã hồ sơ không do bàn này cấp."),
    "not_receiving_desk": N_("Hồ sơ do bàn khác tiếp nhận: chỉ bàn tiếp nhận hoặc tỉnh được đổi trạng thái, sửa hồ sơ."),
    "code_taken": N_("Mã hồ sơ đã được một hồ sơ khác dùng trên máy chủ."),
    "key_reused": N_("Mã chống trùng đã dùng cho một nội dung khác (xung đột)."),
    "unknown_dossier": N_("Máy chủ chưa có hồ sơ này."),
    "malformed": N_("Bản ghi không đúng định dạng: {detail}."),
    "unknown_kind": N_("Loại bản ghi không được hỗ trợ: {detail}."),
    "bad_status": N_("Trạng thái không hợp lệ: {detail}."),
    "local_file_missing": N_("Thiếu tệp trang scan trên máy: {detail}."),
    "file_rejected": N_("Máy chủ từ chối tệp: {detail}."),
    "missing_files": N_("Máy chủ vẫn thiếu tệp của hồ sơ."),
}


class SyncError(Exception):
    def __init__(self, category: Category, reason: str, detail: str = "", **extra: Any):
        super().__init__(f"{category}/{reason}: {detail}" if detail else f"{category}/{reason}")
        self.category = category
        self.reason = reason
        self.detail = detail
        self.extra = extra

    @property
    def retryable(self) -> bool:
        return self.category == TRANSPORT

    def message_template(self) -> str:
        return MESSAGES.get(self.reason) or MESSAGES.get(self.category) or MESSAGES["server"]

    def translated(self, tr: Callable[..., str]) -> str:
        return tr(self.message_template(), detail=self.detail or self.reason)

    def as_dict(self, tr: Callable[..., str] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"category": self.category, "reason": self.reason, "detail": self.detail}
        if tr is not None:
            out["message"] = self.translated(tr)
        return out


def reason_message(reason: str) -> str:
    """Vietnamese template for a record refusal reason (for quarantine lists)."""
    return MESSAGES.get(reason, MESSAGES["malformed"])
