"""``desk selftest``: prove an installed desk works, headless, without touching its data.

Everything runs in a temporary folder with the real parts an installation must carry: the
packaged resources (translations, fonts, sample catalogue), the SQLite store and its
migrations, an intake, a receipt rendered by reportlab and read back by pypdfium2 and
zxing-cpp (both runtime dependencies, so an install without the test extras can check its
codes), a page compressed by the scan pipeline, and a backup restored into a fresh folder.
Each check is timed and reported; one failing check does not stop the others unless they
depend on it. No Qt: the windowed program adds its own window check (ui/app.py).
"""

from __future__ import annotations

import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desk_app.domain.errors import DeskError
from desk_app.i18n import N_, Translator, load_catalog
from desk_app.paths import resources_dir

if TYPE_CHECKING:
    from desk_app.services.context import DeskServices

SAMPLE_PROCEDURE = "1.001193.000.00.00.H14"  # in the packaged sample catalogue
SAMPLE_INTAKE = {
    "procedure_code": SAMPLE_PROCEDURE,
    "applicant": {
        "full_name": "Nguyễn Thị Đào",
        "id_number": "004199012345",
        "birth_date": "1999-05-20",
        "gender": "Nữ",
        "address": "Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng",
    },
    "documents": [{"name": "Giấy chứng sinh", "kind": "original", "count": 1}],
    "sets": 1,
    "return_channel": "desk",
}
DOCUMENT = "Giấy chứng sinh"
RENDER_DPI = 150  # the lowest resolution the receipts promise to decode at (docs/forms.md)


class CheckFailed(Exception):
    """A check ran but its result is wrong; the message is the translated detail."""


class SelfTest:
    def __init__(self, tr: Translator, work: Path):
        self.tr = tr
        self.work = work
        self.checks: list[dict[str, Any]] = []
        self.ctx: DeskServices | None = None
        self.code: str | None = None

    @property
    def services(self) -> DeskServices:
        """The desk the store check opened; every later check runs on it."""
        assert self.ctx is not None, "the store check runs first"
        return self.ctx

    @property
    def dossier_code(self) -> str:
        """The dossier the intake check saved; the later checks use it."""
        assert self.code is not None, "the intake check runs first"
        return self.code

    def run(self, name: str, check: Callable[[], str], *, needs: tuple[str, ...] = ()) -> None:
        failed = [c["name"] for c in self.checks if c["name"] in needs and not c["ok"]]
        start = time.perf_counter()
        if failed:
            ok, detail = False, self.tr("Bỏ qua vì bước {step} không đạt.", step=", ".join(failed))
        else:
            try:
                ok, detail = True, check()
            except CheckFailed as exc:
                ok, detail = False, str(exc)
            except DeskError as exc:
                ok, detail = False, exc.as_json(self.tr).get("message", str(exc))
            except Exception as exc:  # a self-test reports every failure, it never crashes
                tail = traceback.format_exception_only(exc)[-1].strip()
                ok, detail = False, self.tr("Lỗi không mong đợi: {detail}", detail=tail)
        self.checks.append({"name": name, "ok": ok, "detail": detail, "seconds": round(time.perf_counter() - start, 3)})

    def fail(self, text: str, **params: object) -> CheckFailed:
        return CheckFailed(self.tr(text, **params))

    # --- the checks -------------------------------------------------------------------------

    def resources(self) -> str:
        root = resources_dir()
        fonts = sorted(p.name for p in (root / "fonts").glob("*.ttf"))
        catalogue = list((root / "catalogue").glob("*.csv"))
        english = load_catalog("en")
        if not fonts or not catalogue or not english:
            raise self.fail(N_("Thiếu tài nguyên trong {path}: phông chữ, bản dịch hoặc danh mục mẫu."), path=str(root))
        return self.tr(N_("{fonts} phông chữ, {strings} câu dịch tiếng Anh, danh mục mẫu ({path})."),
                       fonts=len(fonts), strings=len(english), path=str(root))

    def store(self) -> str:
        from desk_app.services.context import build_services
        from desk_app.store.migrations import known_migration_names

        self.ctx = build_services(self.work / "data", tr=self.tr, clock=_working_morning, actor="selftest")
        self.services.setup.configure(unit_code="000.31.14.H14", desk=1, commune_code="01273")
        self.services.catalogue.ensure_sample()
        procedures = len(self.services.catalogue.list())
        return self.tr(N_("{migrations} bước cập nhật cơ sở dữ liệu, {procedures} thủ tục mẫu."),
                       migrations=len(known_migration_names()), procedures=procedures)

    def intake(self) -> str:
        dossier = self.services.intake.intake(dict(SAMPLE_INTAKE))
        self.code = dossier.code
        if self.services.queue.show(self.code).code != self.code:
            raise self.fail(N_("Không đọc lại được hồ sơ {code} vừa lưu."), code=self.code)
        return self.tr(N_("Hồ sơ {code}, hẹn trả {appointment}."), code=self.code, appointment=dossier.appointment_at)

    def receipt(self) -> str:
        import zxingcpp

        from desk_app.pdfium_lock import render_page

        out = self.work / "receipt.pdf"
        self.services.printing.export(self.dossier_code, out, layout="a5")
        image = render_page(out.read_bytes(), 0, scale=RENDER_DPI / 72, grayscale=True)
        found = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)}
        code = self.dossier_code
        kinds = sorted({kind for kind, text in found if text == code or code in text})
        if not {"Code128", "QRCode"} <= set(kinds):
            raise self.fail(N_("Không đọc lại được mã hồ sơ {code} trên biên nhận ({dpi} dpi); đọc được: {found}."),
                            code=self.code, dpi=RENDER_DPI, found=sorted(found) or "-")
        return self.tr(N_("Biên nhận A5 in ra PDF, đọc lại mã vạch và mã QR ở {dpi} dpi: {codes}."),
                       dpi=RENDER_DPI, codes=", ".join(kinds))

    def page(self) -> str:
        source = self.work / "page.png"
        raw_bytes = _synthetic_page(source)
        stored = self.services.digitise.attach_files(self.dossier_code, DOCUMENT, [source])
        total = sum(p["bytes"] + (p["overlay_bytes"] or 0) for p in stored)
        report = self.services.digitise.verify_files()
        if not report["ok"]:
            raise self.fail(N_("Tệp trang lưu không khớp: {detail}."), detail=report)
        if total >= raw_bytes:
            raise self.fail(N_("Trang không được nén: {stored} byte, ảnh gốc {raw} byte."), stored=total, raw=raw_bytes)
        return self.tr(N_("Trang A4 {raw} KB nén còn {stored} KB ({mode})."),
                       raw=raw_bytes // 1024, stored=max(1, total // 1024), mode=stored[0]["mode"])

    def backup(self) -> str:
        from desk_app.services import backup
        from desk_app.services.context import build_services

        made = backup.backup(self.services.data_dir, self.work / "backups")
        restored_dir = self.work / "restored"
        backup.restore(Path(made["path"]), restored_dir)
        again = build_services(restored_dir, tr=self.tr, clock=_working_morning, actor="selftest", create=False)
        try:
            again.queue.show(self.dossier_code)  # raises when the dossier did not come back
            report = again.digitise.verify_files()
        finally:
            again.close()
        if not report["ok"] or made["pages"] < 1:
            raise self.fail(N_("Dữ liệu khôi phục thiếu tệp trang: {detail}."), detail=report)
        return self.tr(N_("Sao lưu {dossiers} hồ sơ, {pages} trang ({bytes} byte) rồi khôi phục vào thư mục mới: đủ."),
                       dossiers=made["dossiers"], pages=made["pages"], bytes=made["bytes"])

    def close(self) -> None:
        if self.ctx is not None:
            self.ctx.close()
            self.ctx = None


def _working_morning() -> datetime:
    """A Wednesday morning in office hours, so the appointment rules never refuse the intake."""
    from desk_app.domain.calendar import VN_TZ

    return datetime(2026, 11, 18, 9, 30, tzinfo=VN_TZ)


def _synthetic_page(path: Path, dpi: int = 200) -> int:
    """An A4 greyscale page of text in the packaged font, saved losslessly; returns its size."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    page = Image.new("L", (width, height), 236)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(resources_dir() / "fonts" / "DejaVuSans.ttf"), round(13 / 72 * dpi))
    line = "Tờ khai đăng ký khai sinh — Nguyễn Thị Đào, Phường Thục Phán, Tỉnh Cao Bằng"
    for y in range(round(0.8 * dpi), height - round(0.8 * dpi), round(dpi * 0.25)):
        draw.text((round(1.2 * dpi), y), line, font=font, fill=40)
    page.save(path, dpi=(dpi, dpi))
    return width * height  # the uncompressed 8-bit page a scanner hands over


def window_check(tr: Translator, ok: bool, seconds: float, error: object = None) -> dict[str, Any]:
    """The windowed program's own check: its window opened on the real data folder."""
    detail = tr(N_("Cửa sổ mở, danh mục sẵn sàng sau {seconds} giây."), seconds=round(seconds, 2)) if ok else str(error)
    return {"name": "window", "ok": ok, "detail": detail, "seconds": round(seconds, 3)}


def run_selftest(tr: Translator | None = None, *, work_dir: Path | None = None) -> dict[str, Any]:
    """Run every check in a temporary folder (removed afterwards). Returns {ok, checks}."""
    tr = tr or Translator()
    with tempfile.TemporaryDirectory(prefix="desk-selftest-", dir=work_dir, ignore_cleanup_errors=True) as tmp:
        test = SelfTest(tr, Path(tmp))
        try:
            test.run("resources", test.resources)
            test.run("store", test.store)
            test.run("intake", test.intake, needs=("store",))
            test.run("receipt", test.receipt, needs=("intake",))
            test.run("page", test.page, needs=("intake",))
            test.run("backup", test.backup, needs=("intake", "page"))
        finally:
            test.close()
    from desk_app.paths import default_data_dir
    from desk_app.services.at_rest import disk_encryption

    # Reported, not a failed check: the province makes it an installation requirement
    # (docs/security.md, "The desk"); a container or a test machine cannot tell.
    return {"ok": all(c["ok"] for c in test.checks), "checks": test.checks,
            "disk_encryption": disk_encryption(default_data_dir())}
