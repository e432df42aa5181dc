"""Administration from the main window (what was command-line only): the "Quản trị" menu with
the procedure catalogue import, the calendar of days off / make-up working days, and the USB
bundle export. Each dialog is built on first use; its work runs on the runner's DB thread.
UI thread."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from desk_app.i18n import N_

ACTIONS = (
    ("catalogue", N_("Nhập danh mục thủ tục…")),
    ("calendar", N_("Lịch nghỉ, làm bù…")),
    ("bundle", N_("Xuất gói đồng bộ ra USB…")),
)


class AdminMenu:
    def __init__(self, window, runner) -> None:
        self.window = window
        self.runner = runner
        self.menu = window.menuBar().addMenu("")
        self.actions: dict[str, QAction] = {}
        self.dialogs: dict[str, QDialog] = {}
        for key, _title in ACTIONS:
            action = QAction(window)
            action.triggered.connect(lambda _checked=False, key=key: self.open(key))
            self.menu.addAction(action)
            self.actions[key] = action
        window.language_changed.connect(lambda _language: self.retranslate())
        self.retranslate()

    def retranslate(self) -> None:
        tr = self.window.tr_
        self.menu.setTitle(tr("&Quản trị"))
        for key, title in ACTIONS:
            self.actions[key].setText(tr(title))

    def open(self, key: str) -> QDialog:
        """Open (or raise) the dialog ``key``; returns it (tests drive it)."""
        existing = self.dialogs.get(key)
        if existing is not None:
            existing.raise_()
            existing.activateWindow()
            return existing
        dialog: QDialog
        if key == "catalogue":
            from desk_app.ui.admin.catalogue_dialog import CatalogueImportDialog

            catalogue = CatalogueImportDialog(self.runner, self.window.tr_, parent=self.window)
            # the intake page lists the new procedures at once
            catalogue.imported.connect(lambda _result: self.window.intake.load_catalogue())
            dialog = catalogue
        elif key == "calendar":
            from desk_app.ui.admin.calendar_dialog import CalendarDialog

            dialog = CalendarDialog(self.runner, self.window.tr_, parent=self.window)
        else:
            from desk_app.ui.admin.bundle_dialog import BundleDialog

            dialog = BundleDialog(self.runner, self.window.tr_, parent=self.window)
        dialog.finished.connect(lambda _result, key=key: self._closed(key))
        self.dialogs[key] = dialog
        dialog.open()
        return dialog

    def _closed(self, key: str) -> None:
        dialog = self.dialogs.pop(key, None)
        if dialog is not None:
            dialog.deleteLater()


def install_admin(window, runner) -> AdminMenu:
    admin = AdminMenu(window, runner)
    window.admin = admin
    return admin
