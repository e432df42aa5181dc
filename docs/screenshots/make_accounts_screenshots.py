"""Screenshots of accounts and the supervisor's pages on a 1366 x 768 screen:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshots/make_accounts_screenshots.py

A desk with three accounts and ~120 dossiers over the last four weeks (some overdue, refused,
supplement requested, digitised). Saves accounts-login.png (sign-in at start), accounts-lock.png
(the lock over an intake being typed), accounts-dashboard.png, accounts-review.png and
accounts-audit.png: the whole screen, as a supervisor sees it.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(OUT)]

PASSWORDS = {"admin": "quan-tri-123", "giamsat": "giam-sat-123", "tiepnhan": "tiep-nhan-123"}
PEOPLE = {"tiepnhan": "Nông Văn Nhận", "tiepnhan2": "Hà Thị Lan"}
NAMES = ["Nguyễn Thị Đào", "Hoàng Văn Bình", "Lý Thị Mai", "Bế Văn Cường", "Đàm Thị Hoa", "Lục Văn Sơn",
         "Triệu Thị Yến", "Nông Đức Việt", "Vi Thị Oanh", "Lương Văn Phúc"]
PROCEDURES = [("1.004222.000.00.00.H14", "Tờ khai thay đổi thông tin cư trú (mẫu CT01)"),
              ("2.000908.000.00.00.H14", "Bản chính giấy tờ, văn bản cần chứng thực"),
              ("1.001193.000.00.00.H14", "Tờ khai đăng ký khai sinh"),
              ("1.004873.000.00.00.H14", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân")]


def populate(data_dir: Path) -> None:
    from desk_app.domain.calendar import VN_TZ, now_vn
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, actor="canbo")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273", unit_name="UBND Phường Thục Phán")
    ctx.catalogue.ensure_sample()
    ctx.accounts.create_first_admin("admin", "Hoàng Văn Quản", PASSWORDS["admin"])
    ctx.accounts.login("admin", PASSWORDS["admin"])
    ctx.accounts.add("giamsat", "supervisor", "Lý Thị Giám", PASSWORDS["giamsat"])
    ctx.accounts.add("tiepnhan", "receptionist", "Nông Văn Nhận", PASSWORDS["tiepnhan"])
    ctx.accounts.add("tiepnhan2", "receptionist", "Hà Thị Lan", PASSWORDS["tiepnhan"])
    rng = random.Random(11)
    now = now_vn()
    made = []
    for _ in range(120):
        day = (now - timedelta(days=rng.randint(0, 27))).date()
        moment = datetime.combine(day, time(rng.randint(7, 16), rng.randint(0, 59)), VN_TZ)
        if day.weekday() >= 5 or moment > now:
            continue
        procedure, document = rng.choice(PROCEDURES)
        who = rng.choice(list(PEOPLE))
        ctx.session.account = None
        ctx.accounts.login(who if who == "tiepnhan" else "tiepnhan2", PASSWORDS["tiepnhan"])
        record = ctx.intake.intake({
            "procedure_code": procedure, "received_at": moment.isoformat(),
            "documents": [{"name": document, "kind": "original", "count": 1}],
            "applicant": {"full_name": rng.choice(NAMES), "id_number": f"0041990{rng.randint(10000, 99999)}",
                          "gender": "Nữ", "birth_date": "1999-05-20", "address": "Phường Thục Phán"},
        })
        made.append((record, moment))
    ctx.accounts.login("giamsat", PASSWORDS["giamsat"])
    for record, moment in made:
        due = datetime.fromisoformat(record.appointment_at)
        roll = rng.random()
        try:
            if roll < 0.55 and due < now:
                ready = due - timedelta(hours=2) if rng.random() < 0.8 else due + timedelta(days=1)
                if ready > now or ready < moment:
                    continue
                ctx.queue.set_status(record.code, "result_ready", at=ready)
                if rng.random() < 0.7 and ready + timedelta(hours=3) < now:
                    ctx.queue.set_status(record.code, "returned", at=ready + timedelta(hours=3))
            elif roll < 0.62:
                ctx.queue.set_status(record.code, "refused", note="Thiếu giấy tờ", at=moment + timedelta(hours=1))
            elif roll < 0.72:
                ctx.queue.set_status(record.code, "supplement_requested", at=moment + timedelta(hours=1))
        except Exception as exc:  # a dossier whose times do not fit: leave it received
            print("skipped", record.code, exc)
        if rng.random() < 0.6:
            ctx.queue.show(record.code)  # opened: an audit entry
    ctx.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        return shoot(Path(tmp))


def shoot(tmp: Path) -> int:
    import shots
    from PySide6.QtWidgets import QApplication

    from desk_app.i18n import Translator
    from desk_app.ui.accounts import install_accounts
    from desk_app.ui.app import DeskStartup, make_services_factory
    from desk_app.ui.main_window import MainWindow
    from desk_app.ui.tasks import TaskRunner

    wait, wait_until = shots.wait, partial(shots.wait_until, timeout_ms=60000)

    def shot(name: str) -> None:
        shots.grab(OUT / name, settle_ms=500)
        print("saved", name)

    app = QApplication(sys.argv[:1])
    data_dir = tmp / "data"
    populate(data_dir)
    tr = Translator("vi")
    runner = TaskRunner(make_services_factory(data_dir, tr))
    window = MainWindow(runner, tr)
    window.resize(1366, 768)
    startup = DeskStartup(window, runner)
    accounts = install_accounts(window, runner, startup)
    window.show()
    startup.start()
    wait_until(lambda: accounts.session.dialog is not None and accounts.session.dialog.isVisible())
    dialog = accounts.session.dialog
    dialog.username.setText("giamsat")
    shot("accounts-login.png")
    dialog.password.setText(PASSWORDS["giamsat"])
    dialog.submit()
    wait_until(lambda: accounts.session.account is not None)
    window.show_page("intake")
    wait(300)
    window.intake.full_name.setText("Trần Văn Dũng")  # an intake being typed, unsaved
    accounts.session.lock()
    wait_until(lambda: accounts.session.dialog is not None and accounts.session.dialog.isVisible())
    shot("accounts-lock.png")
    accounts.session.dialog.password.setText(PASSWORDS["giamsat"])
    accounts.session.dialog.submit()
    wait_until(lambda: accounts.session.account is not None)
    window.show_page("dashboard")
    dashboard = window.page("dashboard")
    wait_until(lambda: dashboard.report is not None)
    shot("accounts-dashboard.png")
    window.show_page("review")
    review = window.page("review")
    review.view.setCurrentIndex([review.view.itemData(i) for i in range(review.view.count())].index("overdue"))
    wait_until(lambda: review.table.rowCount() > 0)
    wait(300)
    review.table.selectRow(0)
    shot("accounts-review.png")
    window.show_page("audit")
    audit = window.page("audit")
    wait_until(lambda: audit.table.rowCount() > 0)
    shot("accounts-audit.png")
    window.close()
    runner.shutdown()
    app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
