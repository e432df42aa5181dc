"""The Qt application's composition root: ``python main.py [--data DIR] [--lang vi|en]``.

Builds the translator, the TaskRunner (whose DB thread builds the services for the data
folder) and the main window; on first run shows the set-up wizard (ui/first_run). ``--selftest``
opens everything, prints a JSON line and exits (installers and the start-up benchmark use it).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtWidgets
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from desk_app.domain.codes import is_placeholder_unit_code
from desk_app.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from desk_app.paths import default_data_dir
from desk_app.services.ocr_worker import OcrWorker

# Add-ons: at start-up they only build actions and widgets; their heavy modules (numpy,
# Pillow, reportlab, requests, the store) load on the worker threads or when first used.
from desk_app.ui.accounts import install_accounts
from desk_app.ui.admin import install_admin
from desk_app.ui.main_window import MainWindow
from desk_app.ui.pages.procedure_finder import find_procedures
from desk_app.ui.printing import install_printing
from desk_app.ui.qt_translations import install_qt_translations
from desk_app.ui.scan import install_scanning
from desk_app.ui.support import claim_instance, install_support
from desk_app.ui.sync_status import install_sync
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from desk_app.services.context import DeskServices
    from desk_app.ui.first_run.wizard import FirstRunWizard

PROCESS_START = time.time()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    # Bilingual on purpose: the language is not known before the arguments are parsed.
    parser = argparse.ArgumentParser(
        prog="desk-app", description="Bộ phận Một cửa — ứng dụng tiếp nhận hồ sơ / one-stop desk intake app"
    )
    parser.add_argument(
        "--data", type=Path, default=None,
        help="thư mục dữ liệu (mặc định: thư mục của người dùng) / data folder (default: per-user folder)",
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=None,
        help="ngôn ngữ giao diện (mặc định: lần chọn trước, nếu không thì tiếng Việt) / interface language",
    )
    parser.add_argument(
        "--portable", action="store_true",
        help="dữ liệu trong thư mục desk-data cạnh chương trình (cài trên USB; hoặc đặt tệp portable.flag) / "
             "keep the data in desk-data beside the program (USB install; or a portable.flag file)",
    )
    parser.add_argument(
        "--selftest", action="store_true",
        help="mở cửa sổ, in JSON rồi thoát (0 nếu dùng được) / open the window, print JSON, exit 0 if usable",
    )
    return parser.parse_args(argv)


def make_services_factory(data_dir: Path, tr: Translator) -> Callable[[], object]:
    shared: dict = {}  # one signed-in session for the DB-thread and reader-thread services

    def build():
        # Imported here, on the DB thread: the store's imports never delay the first window.
        from desk_app.services.context import build_services
        from desk_app.services.session import Session

        return build_services(data_dir, tr=tr, session=shared.setdefault("session", Session()))

    return build


def start_warm_up() -> object:
    """Devices thread, once the catalogue is listed: compile the page coder in a low-priority
    process (services/warmup.py; its module and subprocess load there, not before the window)."""
    from desk_app.services.warmup import start_page_coder_warm_up

    return start_page_coder_warm_up()


def nothing(_services: DeskServices) -> None:
    """DB thread: a no-op; its answer comes back after those of the jobs queued before it."""


def open_desk(services: DeskServices) -> dict:
    """DB thread: open (and migrate) the database, make sure there is a catalogue, and say
    whether the desk still needs setting up."""
    services.catalogue.ensure_sample()
    language = services.preferences.language()
    if not services.setup.needs_setup():
        # The catalogue's first entries ride along: the intake page lists them without asking
        # the DB thread again (one round trip less before the catalogue is listed).
        return {"initialised": True, "config": services.setup.config().as_dict(), "language": language,
                "catalogue": find_procedures(services, "")}
    from desk_app.services.first_run import first_run_state

    return {"initialised": False, "language": language, **first_run_state(services)}


def save_language(services: DeskServices, language: str) -> str:
    """DB thread: remember the language the receptionist picked from the menu."""
    return services.preferences.set_language(language)


def remember_language(window: MainWindow, runner: TaskRunner) -> None:
    """Each language picked from the menu is saved for the next run. UI thread."""

    def failed(_error: BaseException) -> None:
        # The switch itself happened; only remembering it failed (the runner logged why).
        window.statusBar().showMessage(window.tr_("Không lưu được lựa chọn ngôn ngữ cho lần sau."), 8000)

    for lang, action in window.language_actions.items():
        action.triggered.connect(lambda _checked=False, lang=lang: runner.db(save_language, lang, on_error=failed))


class DeskStartup:
    """Takes the window from 'opening' to a usable intake page. UI thread.

    ``ready_callbacks`` run with the desk's config (or ``{"error": ...}``) as soon as the
    database is open and set up, before the catalogue is listed: what must not wait (the
    sign-in). ``listed_callbacks`` run with the config one event-loop turn after the catalogue
    is first listed, and ``settled_callbacks`` once, after the first of: the catalogue listed,
    the set-up wizard open, the failure reported. What the first intake does not need (the
    help and backup menus, sync rounds, OCR, the page coder's warm-up) waits for those, so it
    never competes with the catalogue for the interpreter (bench/bench_startup.py).
    """

    def __init__(self, window: MainWindow, runner: TaskRunner, *, interactive: bool = True, language_fixed: bool = False,
                 warm_up: Callable[[], object] | None = None):
        self.window = window
        self.warm_up = warm_up  # background work started once the intake page is usable
        self.language_fixed = language_fixed  # --lang given: it wins over the remembered one
        self.runner = runner
        self.interactive = interactive
        self.dialog: FirstRunWizard | None = None
        self.ready_callbacks: list[Callable[[dict], None]] = []
        self.listed_callbacks: list[Callable[[dict], None]] = []
        self.settled_callbacks: list[Callable[[], None]] = []
        self.state: dict | None = None
        self.error: BaseException | None = None

    def start(self) -> None:
        self.runner.db(open_desk, on_done=self._opened, on_error=self._failed)

    def _opened(self, state: dict) -> None:
        self.state = state
        language = state.get("language")
        if language and not self.language_fixed and language != self.window.tr_.language:
            self.window.set_language(language)
        if state["initialised"] or not self.interactive:
            self._ready(state.get("config") or {})
            return
        from desk_app.ui.first_run.wizard import FirstRunWizard  # first run only

        self.dialog = FirstRunWizard(self.runner, self.window.tr_, state, parent=self.window)
        self.dialog.accepted.connect(self._wizard_accepted)
        self.dialog.rejected.connect(self.window.close)  # only after "Thoát?" was answered yes
        self.dialog.open()
        self._settle()

    def _wizard_accepted(self) -> None:
        assert self.dialog is not None and self.dialog.config is not None  # set by the wizard's accept()
        self._ready(self.dialog.config)

    def _ready(self, config: dict) -> None:
        if config:
            self.window.set_config(config)
            if is_placeholder_unit_code(config.get("unit_code", "")):
                from desk_app.ui.first_run.placeholder_banner import show_placeholder_warning

                show_placeholder_warning(self.window, config["unit_code"])
        self.window.show_page("intake", remember=False)
        for callback in self.ready_callbacks:
            callback(config)
        # After the ready callbacks: a catalogue fetched with the opening is listed at once,
        # and they may be waiting for it (the self-test's "listed" moment).
        self.window.intake.load_catalogue(first=(self.state or {}).get("catalogue"))
        # The DB thread answers in order: this no-op's answer follows the catalogue's.
        self.runner.db(nothing, on_done=lambda _none: self._listed(config), on_error=lambda _error: self._listed(config))

    def _listed(self, config: dict) -> None:
        # One more turn: the list is painted before the work that waited for it starts.
        QTimer.singleShot(0, lambda: self._after_listing(config))

    def _after_listing(self, config: dict) -> None:
        if self.warm_up is not None:
            self.runner.devices(self.warm_up)
        for callback in self.listed_callbacks:
            callback(config)
        self._settle()

    def _settle(self) -> None:
        callbacks, self.settled_callbacks = self.settled_callbacks, []
        for callback in callbacks:
            callback()

    def _failed(self, error: BaseException) -> None:
        self.error = error
        tr = self.window.tr_
        message = error.translated(tr) if hasattr(error, "translated") else repr(error)
        self._settle()  # the help menu (export diagnostics) and the crash dialog before the message
        if self.interactive:
            QtWidgets.QMessageBox.critical(self.window, tr("Không mở được dữ liệu"), message)
            self.window.close()
        for callback in self.ready_callbacks:
            callback({"error": message})


def _unless_error(start: Callable[[], None]) -> Callable[[dict], None]:
    """A ready callback that calls ``start`` unless the database failed to open."""

    def callback(config: dict) -> None:
        if "error" not in config:
            start()

    return callback


def install_router(window: MainWindow, app: QApplication, printing) -> None:
    """UI thread, once the start-up settled (the catalogue listed, the set-up wizard open or
    the failure reported): scans anywhere in the app fill the intake form (ID card) or open
    the dossier to record its result as returned (receipt slip)."""
    from desk_app.ui.wedge import install_scanner_router  # its module loads then too

    install_scanner_router(window, app, on_slip=printing.slip_scanned)  # parented to the window


def main(argv: list[str] | None = None) -> int:
    # No cyclic garbage collection until the start-up settled (the entry point, ui/launch.py,
    # turned it off before the UI's modules loaded): the window's objects, the services and
    # their modules live as long as the process; ~10 more passes over them cost ~3 ms before
    # the catalogue (bench/bench_startup.py). Reference counting still frees.
    gc.disable()
    args = parse_args(argv)
    if args.selftest and sys.platform.startswith("linux") and not (
        os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a headless installer check still runs
    data_dir = args.data or default_data_dir(portable=args.portable)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # instance() is typed as the core application
    app.setApplicationName("desk-app")
    # A second start hands over to the running window (one writer per data folder); the
    # installers' --selftest may run beside it.
    claim = claim_instance(data_dir, single=not args.selftest)
    if claim is None:
        gc.enable()
        print(json.dumps({"already_running": True, "data": str(data_dir)}), flush=True)
        return 0
    tr = Translator(args.lang or DEFAULT_LANGUAGE)
    runner = TaskRunner(make_services_factory(data_dir, tr))
    window = MainWindow(runner, tr)
    install_qt_translations(app, window)  # Qt's own dialogs in Vietnamese
    install_scanning(window, runner, tr)  # scanning pages into a dossier
    printing = install_printing(window, runner)  # receipts, forms, slip scans
    install_admin(window, runner)  # catalogue import, calendar, USB bundle (menus only)
    window.resize(1280, 780)
    # The first scan of the day then finds the page coder compiled instead of waiting 10-35 s
    # for it (a low-priority process; starting it is the devices thread's job).
    startup = DeskStartup(window, runner, interactive=not args.selftest, language_fixed=args.lang is not None,
                          warm_up=None if args.selftest else start_warm_up)
    remember_language(window, runner)
    sync_loop = install_sync(window, runner, tr, data_dir=data_dir, start=False)
    install_accounts(window, runner, startup, printing)
    support = install_support(window, runner, tr, claim)  # logs, crash dialog, backups, help menu
    startup.settled_callbacks.append(support.install)
    ocr_worker = OcrWorker(make_services_factory(data_dir, tr))
    if not args.selftest:  # rounds and backups start once the database is open and migrated
        startup.listed_callbacks.append(_unless_error(sync_loop.start))
        startup.listed_callbacks.append(_unless_error(support.start))
        startup.listed_callbacks.append(_unless_error(ocr_worker.start))
    exit_code = 0
    if args.selftest:
        marks: dict[str, float] = {}

        def done(config: dict) -> None:
            nonlocal exit_code
            if "ready_at" in marks:
                return
            marks["ready_at"] = time.time()
            marks["cpu_ready"] = time.process_time()
            exit_code = 1 if "error" in config else 0
            # After the moments are taken (bench_startup.py reads them): the headless checks
            # of `desk selftest` in a temporary folder, plus this window's own check.
            from desk_app.services.selftest import run_selftest, window_check

            checks = [window_check(tr, exit_code == 0, marks["ready_at"] - PROCESS_START, config.get("error"))]
            checks += run_selftest(tr)["checks"]
            exit_code = 0 if all(c["ok"] for c in checks) else 1
            print(json.dumps({
                "ok": exit_code == 0,
                "checks": checks,
                "ready": "error" not in config,
                "initialised": bool(startup.state and startup.state.get("initialised")),
                "shown_at": marks["shown_at"],
                "ready_at": marks["ready_at"],
                "seconds_to_shown": round(marks["shown_at"] - PROCESS_START, 3),
                "seconds_to_catalogue": round(marks["ready_at"] - PROCESS_START, 3),
                # CPU seconds of the process (all threads) at the two moments: steadier than
                # the wall clock on a busy machine (bench_startup.py prints both).
                "cpu_shown": marks["cpu_shown"],
                "cpu_ready": marks["cpu_ready"],
                "error": config.get("error"),
            }, ensure_ascii=False), flush=True)
            app.quit()

        def report(config: dict) -> None:
            # Fully loaded = the catalogue is listed on the intake page, then one more turn of
            # the event loop.
            if "error" in config:
                QTimer.singleShot(0, lambda: done(config))
            else:
                window.intake.finder.matches_shown.connect(lambda _n: QTimer.singleShot(0, lambda: done(config)))

        startup.ready_callbacks.append(report)
        # Shown and usable = the first turn of the event loop after show(): the intake page
        # is up with the cursor in the name field, taking keystrokes.
        QTimer.singleShot(0, lambda: marks.update(shown_at=time.time(), cpu_shown=time.process_time()))
    # The DB thread builds the services and opens the database while this thread shows the
    # window: Qt's layout and first paint leave the interpreter free for it. (Started before
    # the window was built, its imports delayed the window by ~50 ms and the catalogue not
    # at all: both threads wanted the interpreter.) Its answers come in the event loop.
    startup.start()
    window.show()
    # Keyboard-wedge scans (ID cards, receipt slips) are routed by an application event filter,
    # installed once the start-up settled: it passes every event through Python, and the first
    # event of a Qt-private object it is handed makes PySide set up every wrapped class
    # (~130 enums, 25-40 ms; ui/accounts/lock.py SessionControl._watch_activity).
    startup.settled_callbacks.append(lambda: install_router(window, app, printing))
    startup.settled_callbacks.append(gc.enable)
    try:
        result = app.exec()
    finally:
        gc.enable()
        sync_loop.shutdown()
        ocr_worker.shutdown()
        runner.shutdown()
        support.shutdown()  # last: the lock is held until the database is closed
    return exit_code if args.selftest else result


if __name__ == "__main__":
    raise SystemExit(main())
