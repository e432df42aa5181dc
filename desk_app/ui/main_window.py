"""The main window: a thin shell of pages (intake, queue, dossier), language menu, status bar.

No business logic here. Later features plug in through ``add_page``, ``add_status_widget``,
``dossier.add_action`` and ``when_page`` (e.g. ``when_page("dossier", lambda p: p.add_action(a))``).
UI thread.

Start-up: only the intake page is built before the window shows; the queue and dossier pages
(and their modules) are built the first time they are shown or asked for (``page(key)``,
``window.queue``, ``window.dossier``). Shortcuts are given as key names. PySide builds the ~93
Python enums of its ``Qt`` namespace at the first use of ``Qt`` (~20 ms), which the intake
page needs anyway (bench/bench_startup.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QStackedWidget, QToolBar, QWidget

from desk_app.i18n import LANGUAGES, N_, Translator
from desk_app.ui.pages.intake import IntakePage
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import available_area, fit_to_screen

if TYPE_CHECKING:
    from desk_app.ui.pages.dossier import DossierPage
    from desk_app.ui.pages.queue import QueuePage

PageFactory = Callable[[], QWidget]

# Language names are shown in their own language, whatever the current one.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
BUSY_DELAY_MS = 400
# Below this available screen area the window opens maximised (a 1366x768 commune PC): the
# status bar (sync state, "Đồng bộ ngay") must never end up below the screen's edge.
SMALL_SCREEN = (1440, 900)
STATUS_NORMAL_WIDGETS = 1  # the desk label, left of the permanent widgets


class MainWindow(QMainWindow):
    language_changed = Signal(str)  # after set_language: add-ons retranslate their actions

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
        # key -> [page widget (None until built), title, navigation action]
        self._pages: dict[str, list] = {}
        self._factories: dict[str, PageFactory] = {}
        self._when_built: dict[str, list[Callable[[QWidget], None]]] = {}
        self._history: list[str] = []
        self._placed = False  # sized to the screen on first show

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.nav = QToolBar()
        self.nav.setObjectName("pages")
        self.nav.setMovable(False)
        self.nav.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)  # text-only buttons, no icons
        self.addToolBar(self.nav)  # top area
        self._nav_group = QActionGroup(self)

        self.intake = IntakePage(runner, tr)
        intake_action = self.add_page("intake", self.intake, N_("Tiếp nhận (F2)"), shortcut=QKeySequence("F2"))
        intake_action.triggered.connect(lambda _checked=False: self.intake.new_dossier())  # F2: a new dossier
        self.add_page("queue", self._build_queue, N_("Danh sách hồ sơ (F3)"), shortcut=QKeySequence("F3"))
        self.add_page("dossier", self._build_dossier, N_("Chi tiết hồ sơ"))
        self._pages["dossier"][2].setEnabled(False)  # until a dossier is opened

        QShortcut(QKeySequence("Esc"), self).activated.connect(self.go_back)

        # --- menus -------------------------------------------------------------------------------
        self.file_menu = self.menuBar().addMenu("")
        self.officer_action = QAction(self)
        self.officer_action.triggered.connect(self.edit_officer)
        self.file_menu.addAction(self.officer_action)
        self.file_menu.addSeparator()
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.close)
        self.quit_action.setShortcuts(QKeySequence.StandardKey.Quit)
        self.file_menu.addAction(self.quit_action)
        self.language_menu = self.menuBar().addMenu("")
        self._language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for lang in LANGUAGES:
            action = QAction(self, checkable=True)  # QAction(text, ...) would load QIcon's type
            action.setText(LANGUAGE_NAMES[lang])
            action.setChecked(lang == tr.language)
            action.triggered.connect(lambda _checked=False, lang=lang: self.set_language(lang))
            self._language_group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[lang] = action

        # --- status bar ---------------------------------------------------------------------------
        self.desk_label = QLabel()
        self.busy_label = QLabel()
        # The desk's identity gives way first on a narrow screen (full text in its tooltip): the
        # sync state, why it is offline and "Đồng bộ ngay" on the right must stay whole.
        self.desk_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.statusBar().addWidget(self.desk_label, 1)
        self.statusBar().addPermanentWidget(self.busy_label)
        self._busy_now = False
        self._busy_timer = QTimer(self, singleShot=True, interval=BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self._show_busy)
        runner.busy_changed.connect(self._busy)

        self.retranslate()
        self.show_page("intake")

    # --- pages built on first use --------------------------------------------------------------
    def _build_queue(self) -> QueuePage:
        from desk_app.ui.pages.queue import QueuePage

        queue = QueuePage(self.runner, self.tr_)
        queue.open_dossier.connect(self.open_dossier)
        return queue

    def _build_dossier(self) -> DossierPage:
        from desk_app.ui.pages.dossier import DossierPage

        return DossierPage(self.runner, self.tr_)

    @property
    def queue(self) -> QueuePage:
        return cast("QueuePage", self.page("queue"))  # built by _build_queue

    @property
    def dossier(self) -> DossierPage:
        return cast("DossierPage", self.page("dossier"))  # built by _build_dossier

    # --- size on screen ---------------------------------------------------------------------------
    def setVisible(self, visible: bool) -> None:  # show() comes here too
        if visible and not self._placed:
            self._placed = True
            if self.fit_to_screen():
                self.showMaximized()  # comes back here, now placed
                return
        super().setVisible(visible)

    def fit_to_screen(self) -> bool:
        """Keep the size asked for (``resize`` before ``show``) where the screen holds it,
        else fit the available area (a window manager may ignore "maximised"). Returns
        whether the screen is small enough to open maximised."""
        area = available_area(self)
        # Never taller or wider than the screen's free area, whatever a page asks for (pages
        # scroll inside instead: a 30-document checklist once pushed Save off a 1366×768 screen).
        self.setMaximumSize(area.size())
        if fit_to_screen(self, self.width(), self.height()):
            self.move(area.topLeft())
        return area.width() < SMALL_SCREEN[0] or area.height() < SMALL_SCREEN[1]

    # --- the receiving officer --------------------------------------------------------------------
    def edit_officer(self) -> None:
        """File → Cán bộ tiếp nhận…: the name recorded as the actor and printed on forms."""
        from desk_app.ui.officer_dialog import OfficerDialog  # first use only

        dialog = OfficerDialog(self.runner, self.tr_, parent=self)
        dialog.saved.connect(self._officer_saved)
        self.officer_dialog = dialog
        dialog.open()

    def _officer_saved(self, name: str) -> None:
        if self.config is not None:
            self.config["officer_name"] = name
        self._show_config()

    # --- extension points ------------------------------------------------------------------------
    def add_page(self, key: str, widget: QWidget | PageFactory, title: str, *, shortcut: QKeySequence | None = None) -> QAction:
        """Add a page with a navigation button. ``title`` is the Vietnamese source text
        (mark it with N_); a page with ``retranslate(tr)`` follows language changes, and one
        with ``activate()`` gets it called each time it is shown. ``widget`` may be a factory
        (no arguments) that builds the page the first time it is shown or asked for."""
        action = QAction(self, checkable=True)
        if shortcut is not None:
            action.setShortcut(shortcut)  # QAction's default context: the whole window
        action.triggered.connect(lambda _checked=False: self.show_page(key))
        self._nav_group.addAction(action)
        self.nav.addAction(action)
        self._pages[key] = [None, title, action]
        if isinstance(widget, QWidget):
            self._install_page(key, widget)
        else:
            self._factories[key] = widget
        action.setText(self.tr_(title))
        return action

    def when_page(self, key: str, callback: Callable[[QWidget], None]) -> None:
        """Call ``callback(page)`` once page ``key`` exists: now if it is built, else when it
        is first built (add-ons put their actions on the dossier page this way without
        building it at start-up)."""
        widget = self._pages[key][0]
        if widget is not None:
            callback(widget)
        else:
            self._when_built.setdefault(key, []).append(callback)

    def add_status_widget(self, widget: QWidget) -> None:
        """A permanent widget on the right of the status bar (sync status, clock warning),
        left of the ones added before."""
        # insertPermanentWidget's index counts the normal widgets (the desk label) first; an
        # index at or before them is "out of range" (Qt warns and appends).
        self.statusBar().insertPermanentWidget(STATUS_NORMAL_WIDGETS, widget)

    def page(self, key: str) -> QWidget:
        """Page ``key``, built now if it was not yet."""
        entry = self._pages[key]
        if entry[0] is None:
            self._install_page(key, self._factories.pop(key)())
        return entry[0]

    def built(self, key: str) -> QWidget | None:
        """Page ``key`` if it has been built, else None (``page`` would build it)."""
        return self._pages[key][0]

    def nav_action(self, key: str) -> QAction:
        """The navigation button of page ``key``."""
        return self._pages[key][2]

    def _install_page(self, key: str, widget: QWidget) -> None:
        self._pages[key][0] = widget
        self.stack.addWidget(widget)
        for callback in self._when_built.pop(key, []):
            callback(widget)

    # --- navigation -------------------------------------------------------------------------------
    def current_page_key(self) -> str:
        current = self.stack.currentWidget()
        return next(key for key, (widget, _t, _a) in self._pages.items() if widget is current)

    def show_page(self, key: str, *, remember: bool = True) -> None:
        widget = self.page(key)
        _widget, _title, action = self._pages[key]
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
        queue: QueuePage | None = self._pages.get("queue", (None,))[0]  # None until first shown
        highlight = queue.search.text() if queue is not None and self.stack.currentWidget() is queue else ""
        self.dossier.show_dossier(code, highlight=highlight)
        self.show_page("dossier")

    # --- language ---------------------------------------------------------------------------------
    def set_language(self, language: str) -> None:
        self.tr_ = self._make_translator(language)
        self.language_actions[language].setChecked(True)
        self.retranslate()
        self.language_changed.emit(language)

    def retranslate(self) -> None:
        tr = self.tr_
        self.setWindowTitle(tr("Bộ phận Một cửa — Tiếp nhận hồ sơ"))
        self.file_menu.setTitle(tr("&Tệp"))
        self.quit_action.setText(tr("Thoát"))
        self.officer_action.setText(tr("Cán bộ tiếp nhận…"))
        self.language_menu.setTitle(tr("&Ngôn ngữ"))
        self.nav.setWindowTitle(tr("Trang"))
        for widget, title, action in self._pages.values():
            action.setText(tr(title))
            retranslate = getattr(widget, "retranslate", None)  # None too for a page not built yet
            if retranslate is not None:
                retranslate(tr)
        self._show_config()

    # --- desk identity and activity ---------------------------------------------------------------
    def set_config(self, config: dict) -> None:
        self.config = config
        self._show_config()

    def _show_config(self) -> None:
        tr = self.tr_
        config = self.config
        if not config:
            self.desk_label.setText(tr("Đang mở dữ liệu…"))
            return
        text = tr("{unit} · Mã đơn vị {code} · Bàn số {desk}", unit=config.get("unit_name") or config.get("commune_name") or "",
                  code=config["unit_code"], desk=config["desk"])
        if config.get("officer_name"):
            text += " · " + tr("Cán bộ: {name}", name=config["officer_name"])
        self.desk_label.setText(text)
        self.desk_label.setToolTip(text)

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
