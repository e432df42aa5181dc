"""Roles and what each may do (the matrix is written out in docs/permissions.md).

Pure data: the services check it (desk_app/services/guard.py), the UI and the CLI only ask.
"""

from __future__ import annotations

from desk_app.domain.dossier import REFUSED, WITHDRAWN
from desk_app.i18n import N_

RECEPTIONIST = "receptionist"
SUPERVISOR = "supervisor"
ADMIN = "admin"

ROLE_LABELS: dict[str, str] = {
    RECEPTIONIST: N_("Cán bộ tiếp nhận"),
    SUPERVISOR: N_("Cán bộ giám sát"),
    ADMIN: N_("Quản trị viên"),
}
ROLES = tuple(ROLE_LABELS)

# Permissions, one per kind of action.
INTAKE = "dossier.intake"  # record a new dossier
VIEW = "dossier.view"  # open, search, list dossiers (citizens' personal data)
STATUS = "dossier.status"  # ordinary status changes (transfer, supplement, result ready, returned)
REFUSE = "dossier.refuse"  # set refused or withdrawn
REASSIGN = "dossier.reassign"  # bulk status changes from the review queue
SCAN = "dossier.scan"  # add pages (scan, import)
PRINT = "dossier.print"  # print or save a form of one dossier
EXPORT = "dossier.export"  # export personal data in bulk: page PDFs, tracking book, report files
REPORT = "report.view"  # period report and dashboard
AUDIT = "audit.view"  # browse the audit trail
SYNC = "sync.run"  # send and fetch, USB bundle, retry quarantined records
ACCOUNTS = "accounts.manage"  # add, disable accounts, reset passwords
SETTINGS = "settings.change"  # desk set-up, printing settings, officer name
CATALOGUE = "catalogue.manage"  # import the procedure catalogue
CALENDAR = "calendar.manage"  # extra days off / make-up working days
ENROLL = "sync.enroll"  # register the desk with the province
BACKUP = "backup.manage"  # make and restore backups
CLOCK = "clock.recover"  # declare "the PC clock was wrong" so intake continues

PERMISSION_LABELS: dict[str, str] = {
    INTAKE: N_("Tiếp nhận hồ sơ"),
    VIEW: N_("Xem, tìm hồ sơ (dữ liệu cá nhân)"),
    STATUS: N_("Cập nhật trạng thái hồ sơ"),
    REFUSE: N_("Từ chối hoặc rút hồ sơ"),
    REASSIGN: N_("Đổi trạng thái hàng loạt"),
    SCAN: N_("Quét, số hóa tài liệu"),
    PRINT: N_("In phiếu của một hồ sơ"),
    EXPORT: N_("Xuất dữ liệu cá nhân (PDF, sổ theo dõi, báo cáo)"),
    REPORT: N_("Xem báo cáo, thống kê"),
    AUDIT: N_("Xem nhật ký truy vết"),
    SYNC: N_("Đồng bộ với tỉnh"),
    ACCOUNTS: N_("Quản lý tài khoản"),
    SETTINGS: N_("Thay đổi thiết lập"),
    CATALOGUE: N_("Nhập danh mục thủ tục"),
    CALENDAR: N_("Sửa lịch ngày nghỉ, ngày làm bù"),
    ENROLL: N_("Đăng ký máy với máy chủ tỉnh"),
    BACKUP: N_("Sao lưu, khôi phục"),
    CLOCK: N_("Xác nhận đồng hồ máy tính đã sai"),
}
PERMISSIONS = tuple(PERMISSION_LABELS)

_RECEPTIONIST = frozenset({INTAKE, VIEW, STATUS, SCAN, PRINT, SYNC})
_SUPERVISOR = _RECEPTIONIST | {REFUSE, REASSIGN, EXPORT, REPORT, AUDIT, CLOCK}
# The administrator can do everything: on a commune desk the administrator is usually the
# head of the centre, who also stands in at the counter.
MATRIX: dict[str, frozenset[str]] = {
    RECEPTIONIST: _RECEPTIONIST,
    SUPERVISOR: frozenset(_SUPERVISOR),
    ADMIN: frozenset(PERMISSIONS),
}


def allowed(role: str, permission: str) -> bool:
    return permission in MATRIX.get(role, frozenset())


def status_permission(status: str) -> str:
    """The permission a change to ``status`` needs: refusing and withdrawing are a supervisor's."""
    return REFUSE if status in (REFUSED, WITHDRAWN) else STATUS
