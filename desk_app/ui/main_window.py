"""The main window: a thin shell of pages (intake, queue, dossier), language menu, status bar.

No business logic here. Later features plug in through ``add_page``, ``add_status_widget``
and ``dossier.add_action``. UI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QToolBar, QWidget

from desk_app.i18n import LANGUAGES, N_, Translator
from desk_app.ui.pages.dossier import DossierPage
from desk_app.ui.pages.intake import IntakePage
from desk_app.ui.pages.queue import QueuePage
from desk_app.ui.tasks import TaskRunner

# Language names are shown in their own language, whatever the current one.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
BUSY_DELAY_MS = 400


class MainWindow(QMainWindow):
    def __init__(
        self,
        runner: TaskRunner,
        tr: Translator,
        *,
        make_translator: Callable[[str], Translator] = Translator,
    ):
        super().__init__()
        self.runner = runner
        self.tr_ = tr
        self._make_translator = make_translator
        self.config: dict | None = None
        self._pages: dict[str, tuple[QWidget, str, QAction]] = {}
        self._history: list[str] = []

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.nav = QToolBar(objectName="pages")
        self.nav.setMovable(False)
        self.nav.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.nav)
        self._nav_group = QActionGroup(self)

        self.intake = IntakePage(runner, tr)
        self.queue = QueuePage(runner, tr)
        self.dossier = DossierPage(runner, tr)
        self.add_page("intake", self.intake, N_("Tiếp nhận (F2)"), shortcut=QKeySequence(Qt.Key.Key_F2))
        self.add_page("queue", self.queue, N_("Danh sách hồ sơ (F3)"), shortcut=QKeySequence(Qt.Key.Key_F3))
        self.add_page("dossier", self.dossier, N_("Chi tiết hồ sơ"))
        self._pages["dossier"][2].setEnabled(False)  # until a dossier is opened

        self.queue.open_dossier.connect(self.open_dossier)
        self.intake.saved.connect(lambda _d: self.queue.model.refresh() if self.stack.currentWidget() is self.queue else None)
        self.dossier.status_changed.connect(lambda _d: self.queue.model.refresh())
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.go_back)

        # --- menus -------------------------------------------------------------------------------
        self.file_menu = self.menuBar().addMenu("")
        self.quit_action = QAction(self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        self.file_menu.addAction(self.quit_action)
        self.language_menu = self.menuBar().addMenu("")
        self._language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for lang in LANGUAGES:
            action = QAction(LANGUAGE_NAMES[lang], self, checkable=True)
            action.setChecked(lang == tr.language)
            action.triggered.connect(lambda _checked=False, lang=lang: self.set_language(lang))
            self._language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[lang] = action

        # --- status bar ----------------------------------------------------------------------------
        self.desk_label = QLabel()
        self.busy_label = QLabel()
        self.statusBar().addWidget(self.desk_label, 1)
        self.statusBar().addPermanentWidget(self.busy_label)
        self._busy_now = False
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS, timeout=self._show_busy)
        runner.busy_changed.connect(self._busy)

        self.retranslate()
        self.show_page("intake")

    # --- extension points ------------------------------------------------------------------------
    def add_page(self, key: str, widget: QWidget, title: str, *, shortcut: QKeySequence | None = None) -> QAction:
        """Add a page with a navigation button. ``title`` is the Vietnamese source text
        (mark it with N_); a page with ``retranslate(tr)`` follows language changes, and one
        with ``activate()`` gets it called each time it is shown."""
        action = QAction(self, checkable=True)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: self.show_page(key))
        self._nav_group.addAction(action)
        self.nav.addAction(action)
        self.stack.addWidget(widget)
        self._pages[key] = (widget, title, action)
        action.setText(self.tr_(title))
        return action

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget on the right of the status bar (sync status, clock warning)."""
        self.statusBar().insertPermanentWidget(0, widget)

    def page(self, key: str) -> QWidget:
        return self._pages[key][0]

    # --- navigation ----------------------------------------------------------------------------------
    def current_page_key(self) -> str:
        current = self.stack.currentWidget()
        return next(key for key, (widget, _t, _a) in self._pages.items() if widget is current)

    def show_page(self, key: str, *, remember: bool = True) -> None:
        widget, _title, action = self._pages[key]
        if remember and self.stack.currentWidget() is not widget and self.stack.count() and self._history != [key]:
            self._history.append(self.current_page_key())
            del self._history[:-20]
        action.setEnabled(True)
        action.setChecked(True)
        self.stack.setCurrentWidget(widget)
        activate = getattr(widget, "activate", None)
        if activate is not None:
            activate()

    def go_back(self) -> None:
        """Esc: back to the page shown before (the queue after a dossier)."""
        while self._history:
            key = self._history.pop()
            if self._pages[key][0] is not self.stack.currentWidget():
                self.show_page(key, remember=False)
                return

    def open_dossier(self, code: str) -> None:
        self.dossier.show_dossier(code)
        self.show_page("dossier")

    # --- language --------------------------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        self.tr_ = self._make_translator(language)
        self.language_actions[language].setChecked(True)
        self.retranslate()

    def retranslate(self) -> None:
        tr = self.tr_
        self.setWindowTitle(tr("Bộ phận Một cửa — Tiếp nhận hồ sơ"))
        self.file_menu.setTitle(tr("&Tệp"))
        self.quit_action.setText(tr("Thoát"))
        self.language_menu.setTitle(tr("&Ngôn ngữ"))
        self.nav.setWindowTitle(tr("Trang"))
        for widget, title, action in self._pages.values():
            action.setText(tr(title))
            retranslate = getattr(widget, "retranslate", None)
            if retranslate is not None:
                retranslate(tr)
        self._show_config()

    # --- desk identity and activity -----------------------------------------------------------------------
    def set_config(self, config: dict) -> None:
        self.config = config
        self._show_config()

    def _show_config(self) -> None:
        tr = self.tr_
        config = self.config
        if not config:
            self.desk_label.setText(tr("Đang mở dữ liệu…"))
            return
        self.desk_label.setText(
            tr("{unit} · Mã đơn vị {code} · Bàn số {desk}", unit=config.get("unit_name") or config.get("commune_name") or "",
               code=config["unit_code"], desk=config["desk"])
        )

    def _busy(self, busy: bool) -> None:
        # Most tasks take milliseconds: say "working" only when one is noticeably slow.
        self._busy_now = busy
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_label.clear()

    def _show_busy(self) -> None:
        tr = self.tr_
        if self._busy_now:
            self.busy_label.setText(tr("Đang xử lý…"))
