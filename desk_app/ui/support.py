"""What keeps a running desk supportable, wired in by the app's composition root (ui/app.py):
log files, the crash dialog, one instance per data folder, automatic backups with their
status-bar warning and settings dialog, the update notice and "export diagnostics".

``claim_instance`` runs before the main window is built (a second start must not open a
second writer); ``install_support`` after it. Only ``claim_instance`` touches disk on the UI
thread, before any window exists (it opens the log file and carries out a restore asked for at
the last run); backups, diagnostics and settings go through the TaskRunner.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from desk_app import __version__
from desk_app.services.logs import log_error, setup_logging

if TYPE_CHECKING:  # imported lazily at run time, after the first paint (see Support)
    from desk_app.ui.backup_ui import BackupController
    from desk_app.ui.crash_dialog import CrashReporter
    from desk_app.ui.help_menu import HelpMenu

log = logging.getLogger(__name__)


class Claim:
    """This process's hold on the data folder: its log file and its single-instance lock, and
    the outcome of a restore carried out at this start (asked for by the backup dialog)."""

    def __init__(self, data_dir: Path, log_file: Path | None, instance):
        self.data_dir = data_dir
        self.log_file = log_file
        self.instance = instance
        self.restored: dict | None = None
        self.restore_error: BaseException | None = None

    def apply_pending_restore(self) -> None:
        """Before the database opens (this process holds the lock, nothing else writes)."""
        from desk_app.services.backup_schedule import apply_pending_restore

        try:
            self.restored = apply_pending_restore(self.data_dir)
        except Exception as exc:  # shown after start-up; the current data stays as it was
            log_error("restore at start-up failed", exc)
            self.restore_error = exc
        if self.restored:
            log.info("restored from a backup: %s dossiers, %s pages", self.restored["dossiers"], self.restored["pages"])

    def release(self) -> None:
        if self.instance is not None:
            self.instance.release()


def claim_instance(data_dir: Path, *, single: bool = True) -> Claim | None:
    """Start logging into ``data_dir`` and take the single-instance lock. None: another
    window already runs on this data folder and was asked to come to the front (exit)."""
    log_file = setup_logging(data_dir, rotating=False)  # rotating once the start-up settled (install)
    log.info("desk app %s starting on %s", __version__, data_dir)
    if not single:
        return Claim(data_dir, log_file, None)
    from desk_app.ui.single_instance import SingleInstance

    instance = SingleInstance(data_dir)
    if not instance.acquire():
        return None
    claim = Claim(data_dir, log_file, instance)
    claim.apply_pending_restore()
    return claim


class Support:
    """The add-ons of this module installed on one main window. Their modules are imported
    and their widgets built by ``install``, which the app calls once the start-up settled (the
    catalogue listed, the set-up wizard open or the failure reported: ui/app.py DeskStartup),
    so they never delay the first paint nor the catalogue (bench/bench_startup.py)."""

    def __init__(self, window, runner, tr, claim: Claim):
        self.window = window
        self.runner = runner
        self.tr_ = tr
        self.claim = claim
        self.crash: CrashReporter | None = None
        self.backups: BackupController | None = None
        self.help_menu: HelpMenu | None = None
        self.restart_after_exit = False
        self._start_pending = False

    def install(self) -> None:
        if self.backups is not None:
            return
        from desk_app.ui.backup_ui import install_backups
        from desk_app.ui.crash_dialog import install_crash_dialog
        from desk_app.ui.help_menu import install_help_menu

        window, claim = self.window, self.claim
        setup_logging(claim.data_dir)  # the same file, now rotated at its limit
        self.crash = install_crash_dialog(self.tr_, claim.log_file, window)
        if claim.instance is not None:  # loaded already by claim_instance (QtNetwork)
            from desk_app.ui.single_instance import bring_to_front

            claim.instance.on_raise = lambda: bring_to_front(window)
        self.backups = install_backups(window, self.runner, claim.data_dir, on_restart=self._restart_later)
        self.help_menu = install_help_menu(window, self.runner, claim.data_dir)
        if self._start_pending:
            self.start()

    def _restart_later(self) -> None:
        self.restart_after_exit = True

    def start(self) -> None:
        """Once the database is open: the daily backup timer, the update check, and what a
        restore carried out at this start brought back."""
        if self.backups is None:
            self._start_pending = True
            return
        self._start_pending = False
        assert self.help_menu is not None  # install() sets it together with self.backups
        self.backups.start()
        self.help_menu.start()
        if self.claim.restored is not None or self.claim.restore_error is not None:
            from desk_app.ui.backup_ui import show_restore_outcome

            show_restore_outcome(self.window, self.window.tr_, self.claim.restored, self.claim.restore_error)

    def shutdown(self) -> None:
        for part in (self.backups, self.help_menu):
            if part is not None:
                part.stop()
        if self.crash is not None:
            self.crash.restore_hooks()
        self.claim.release()
        log.info("desk app stopped")
        if self.restart_after_exit:  # a restore waits for the next start: start it now
            # Imported here: setting up its class (8 enums) is kept off the start-up.
            from PySide6.QtCore import QProcess

            # A frozen build's argv[0] is the program itself; from source it is main.py.
            QProcess.startDetached(sys.executable, sys.argv[1:] if getattr(sys, "frozen", False) else sys.argv)


def install_support(window, runner, tr, claim: Claim) -> Support:
    return Support(window, runner, tr, claim)
