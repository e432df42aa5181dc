"""Sync in the main window: a status-bar widget and the background loop that drives it.

``install_sync(main_window, runner, tr, data_dir=...)`` puts a ``SyncStatusWidget`` in the
status bar (offline/online, outbox depth, bytes pending, last confirmed sync, the last
error, a clock warning, "sync now", and "enroll…" while the desk is not enrolled) and
starts a ``SyncLoop``. Network rounds and the enrolment run on the runner's ``sync`` executor
with their own services (own SQLite connection, WAL), one at a time; the cheap local status
refresh runs on ``runner.db`` every few seconds. Closing the window cancels a round in flight
(sync/cancel.py): it stops at its next wait, within a second, and the next start resumes it.
The UI thread only schedules and paints. The widget and its dialogs follow the main window's
``language_changed``.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desk_app.domain.formats import clock_time, short_time
from desk_app.i18n import N_, Translator
from desk_app.ui.tasks import logged_only
from sync.cancel import Cancel

if TYPE_CHECKING:
    from desk_app.services.context import DeskServices
    from desk_app.services.sync_round import RoundSummary
    from desk_app.services.sync_service import SyncService

# Shown until the first status arrives. The other labels live in the sync service, imported
# only once a status came back from the DB thread (which loaded it), so building this widget
# at start-up does not pull requests and the store into the UI thread.
UNKNOWN_STATE = N_("Chưa rõ kết nối")


def _state_label(state: str) -> str:
    from desk_app.services.sync_service import STATE_LABELS

    return STATE_LABELS[state]


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


class SyncStatusWidget(QWidget):
    """What a receptionist needs to know about sync, at a glance. UI thread only."""

    sync_requested = Signal()
    issues_requested = Signal()
    enroll_requested = Signal()

    def __init__(self, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.tr_ = tr
        self.status: dict[str, Any] = {}
        self.running = False
        self.round_error: BaseException | None = None  # a round that failed outside the protocol
        self.next_try_at = None  # datetime of the loop's next round (said while offline)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        self.state_label = QLabel()
        self.state_label.setObjectName("syncState")
        self.outbox_label = QLabel()
        self.outbox_label.setObjectName("syncOutbox")
        self.last_label = QLabel()
        self.last_label.setObjectName("syncLast")
        self.clock_label = QLabel()
        self.clock_label.setObjectName("syncClock")
        self.clock_label.setStyleSheet("color: #b00020; font-weight: bold")
        self.clock_label.hide()
        # The last error, in words (offline is already said by the state label).
        self.error_label = QLabel()
        self.error_label.setObjectName("syncError")
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.hide()
        # Only while the desk is not enrolled: the way to enrol without the command line.
        self.enroll_button = QPushButton()
        self.enroll_button.setObjectName("syncEnroll")
        self.enroll_button.clicked.connect(self.enroll_requested)
        self.enroll_button.hide()
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("syncNow")
        self.sync_button.clicked.connect(self.sync_requested)
        # Shown only when something needs a person: records held back or flags.
        self.issues_button = QPushButton()
        self.issues_button.setObjectName("syncIssues")
        self.issues_button.clicked.connect(self.issues_requested)
        self.issues_button.hide()
        for widget in (
            self.state_label, self.outbox_label, self.last_label, self.error_label, self.clock_label,
            self.issues_button, self.enroll_button, self.sync_button,
        ):
            layout.addWidget(widget)
        self.retranslate(tr)

    def retranslate(self, tr: Translator) -> None:
        self.tr_ = tr
        self._paint()

    def set_running(self, running: bool) -> None:
        self.running = running
        self._paint()

    def show_next_try(self, when) -> None:
        """The loop scheduled its next round at ``when`` (a local datetime)."""
        self.next_try_at = when
        self._paint()

    def show_status(self, status: dict[str, Any], *, round_error: BaseException | None = None) -> None:
        self.status = dict(status)
        self.round_error = round_error
        self._paint()

    def _paint(self) -> None:
        tr, s = self.tr_, self.status
        self.sync_button.setText(tr("Đang đồng bộ…") if self.running else tr("Đồng bộ ngay"))
        self.sync_button.setEnabled(not self.running and bool(s.get("enrolled")))
        self.enroll_button.setText(tr("Đăng ký đồng bộ…"))
        # Restored from a backup on another PC: enrolled, but the secret is not here.
        not_enrolled = bool(s) and (not s.get("enrolled") or bool(s.get("reenroll_needed")))
        self.enroll_button.setVisible(not_enrolled)
        self.sync_button.setVisible(not not_enrolled)
        self._paint_error()
        if not s:
            self.state_label.setText(tr(UNKNOWN_STATE))
            return
        if not s.get("enrolled"):
            self.state_label.setText(tr("Chưa đăng ký đồng bộ"))
        elif s.get("reenroll_needed"):
            self.state_label.setText(tr("Cần đăng ký lại đồng bộ"))
        elif s.get("synced"):
            self.state_label.setText(tr("Đã đồng bộ"))
        else:
            self.state_label.setText(tr(_state_label(s.get("state") or "unknown")))
        self.state_label.setStyleSheet("color: #1b5e20" if s.get("synced") else ("color: #b00020" if s.get("state") == "offline" else ""))
        depth = int(s.get("outbox_depth") or 0)
        text = tr("Chờ gửi: {count} ({size})", count=depth, size=human_bytes(int(s.get("bytes_pending") or 0)))
        if depth and s.get("oldest_unsent_seconds") is not None:
            text += " · " + tr("chờ lâu nhất {age}", age=age_text(tr, int(s["oldest_unsent_seconds"])))
        self.outbox_label.setToolTip(
            tr("{count} bản ghi bị giữ lại", count=s["quarantined"]) if s.get("quarantined") else "")
        # Held-back records: the "Xem … mục cần xử lý" button says it (room on a 1366-px status
        # bar).
        self.outbox_label.setText(text)
        last = s.get("last_confirmed_sync")
        self.last_label.setText(
            # Short: on a 1280-px screen the offline reason and next try must fit beside it.
            tr("Xác nhận gần nhất: {when}", when=short_time(last)) if last else tr("Chưa từng đồng bộ")
        )
        issues = int(s.get("quarantined") or 0) + int(s.get("conflicts") or 0)
        self.issues_button.setText(tr("Xem {count} mục cần xử lý…", count=issues))
        self.issues_button.setVisible(issues > 0)
        self.state_label.setToolTip(self._error_text() or "")
        skew = s.get("clock_skew_seconds")
        if s.get("clock_warning") and skew is not None:
            self.clock_label.setText(tr("Đồng hồ máy tính lệch {minutes} phút so với máy chủ tỉnh!", minutes=round(abs(skew) / 60)))
            self.clock_label.show()
        else:
            self.clock_label.hide()


    def _error_text(self) -> str | None:
        """The last round's error in the current language (translated at paint time from its
        reason, so a language switch repaints it)."""
        from desk_app.domain.errors import DeskError

        if isinstance(self.round_error, DeskError):
            return self.round_error.translated(self.tr_)
        error = self.status.get("last_error") if self.status.get("enrolled") else None
        if not isinstance(error, dict):
            return None
        from sync.errors import MESSAGES

        reason, category = str(error.get("reason") or ""), str(error.get("category") or "")
        template = MESSAGES.get(reason) or MESSAGES.get(category) or MESSAGES["server"]
        return self.tr_(template, detail=str(error.get("detail") or reason))

    def _paint_error(self) -> None:
        """The last error in words; while offline also when the next try is (not only in a
        tooltip: "Đồng bộ ngay" pressed offline must say why nothing was sent)."""
        tr = self.tr_
        text = full = self._error_text()
        offline = self.status.get("state") == "offline" or self.round_error is not None
        error = self.status.get("last_error")
        if text and isinstance(error, dict) and error.get("reason") == "unreachable" and self.round_error is None:
            text = tr("Không liên lạc được máy chủ tỉnh.")  # the causes to check are in the tooltip
        if text and offline and self.next_try_at is not None and not self.running:
            text += " " + tr("Tự thử lại lúc {time}.", time=clock_time(self.next_try_at))
        self.error_label.setText(text or "")
        self.error_label.setToolTip(full or "")
        self.error_label.setVisible(bool(text))


def age_text(tr: Translator, seconds: int) -> str:
    """A waiting time in words: "5 phút", "3 giờ", "2 ngày"."""
    if seconds < 60:
        return tr("dưới 1 phút")
    if seconds < 3600:
        return tr("{count} phút", count=seconds // 60)
    if seconds < 86400:
        return tr("{count} giờ", count=seconds // 3600)
    return tr("{count} ngày", count=seconds // 86400)


class SyncLoop(QObject):
    """Schedules sync rounds: every ``interval`` seconds when things go well, exponential
    backoff with jitter after transport failures, at once on "sync now". Lives on the UI
    thread; each round runs on the runner's I/O pool, never two at once."""

    round_finished = Signal(object)

    def __init__(
        self,
        runner,
        widget: SyncStatusWidget,
        tr: Translator,
        *,
        data_dir: Path,
        interval: float = 60.0,
        refresh_interval: float = 3.0,
        services_factory: Callable[[], Any] | None = None,
    ):
        super().__init__(widget)
        self.runner = runner
        self.widget = widget
        self.tr_ = tr
        self.interval = interval
        self.failures = 0
        self.in_flight = False
        self.again = False  # "sync now" asked while a round was running: one more at its end
        self._services: DeskServices | None = None  # this loop's own, built on the sync thread
        # Held by a round for its whole length: the services are closed only between rounds.
        self._services_lock = threading.Lock()
        # Set once, at shutdown: the round in flight stops at its next wait, no new one starts.
        self.cancel = Cancel()
        self._factory = services_factory or _default_factory(Path(data_dir), tr)
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.sync_now)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(int(refresh_interval * 1000))
        self.refresh_timer.timeout.connect(self.refresh)
        widget.sync_requested.connect(self.sync_now)
        widget.issues_requested.connect(self.show_issues)
        widget.enroll_requested.connect(self.show_enroll)
        self.issues_dialog = None
        self.enroll_dialog = None

    def start(self, *, first_delay: float = 2.0) -> None:
        self.refresh()
        self.refresh_timer.start()
        self.timer.start(int(first_delay * 1000))

    def stop(self) -> None:
        self.timer.stop()
        self.refresh_timer.stop()

    def refresh(self) -> None:
        """Local figures only (no network: a few cheap queries), on the DB thread. Runs every
        few seconds, so an enrolment made with the command line shows up at once."""
        if self.in_flight:
            return
        self.runner.db(lambda services: services.sync.status(ping=False), on_done=self._merge_local, on_error=logged_only)

    def _merge_local(self, status: dict[str, Any]) -> None:
        if self.in_flight:
            return
        previous = self.widget.status
        if previous.get("state") in ("online", "offline"):
            status = {**status, "state": previous["state"], "online": previous.get("online")}
        self.widget.show_status(status, round_error=self.widget.round_error)
        if status.get("enrolled") and previous.get("enrolled") is False:
            self.sync_now()  # just enrolled (e.g. with `desk enroll`): a first round now

    def sync_now(self) -> None:
        if self.cancel.is_set():
            return  # shutting down
        if self.in_flight:
            self.again = True
            return
        self.timer.stop()
        self.in_flight = True
        self.widget.set_running(True)
        self.runner.sync(self._round, on_done=self._done, on_error=self._failed)

    def _round(self) -> dict[str, Any]:
        """Sync thread: one round with this loop's own services (own connection)."""
        with self._services_lock:
            if self.cancel.is_set():
                return {"summary": None, "status": self.widget.status}
            if self._services is None:
                self._services = self._factory()
            return self._round_with(self._services.sync)

    def _round_with(self, sync: SyncService) -> dict[str, Any]:
        if not sync.enrolled():
            return {"summary": None, "status": sync.status(ping=False)}
        summary = sync.sync_once(tr=self.tr_, cancel=self.cancel)
        status = sync.status(ping=False)
        status["online"] = summary.online
        status["state"] = "online" if summary.online else "offline"
        if summary.clock_skew_seconds is not None:
            status["clock_skew_seconds"] = summary.clock_skew_seconds
            status["clock_warning"] = summary.clock_warning
        return {"summary": summary, "status": status}

    def _done(self, result: dict[str, Any]) -> None:
        self.in_flight = False
        self.widget.set_running(False)
        self.widget.show_status(result["status"])
        summary: RoundSummary | None = result["summary"]
        transport = summary is not None and summary.transport_failed
        self.failures = self.failures + 1 if transport else 0
        self._schedule()
        if summary is not None and summary.changed_dossiers:
            self.runner.changes.synced.emit()  # e.g. the dossier shown: "Đã gửi lúc ..."
        self.round_finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.in_flight = False
        self.widget.set_running(False)
        self.widget.show_status(self.widget.status, round_error=exc)
        self.failures += 1
        self._schedule()
        self.round_finished.emit({"error": repr(exc)})

    def _schedule(self) -> None:
        if self.cancel.is_set():
            return
        if self.again:
            self.again = False
            self.timer.start(0)
            return
        if self.failures:
            ceiling = min(self.interval * 10, 5.0 * (2 ** self.failures))
            delay = random.uniform(ceiling / 2, ceiling)
        else:
            delay = self.interval
        self.timer.start(int(delay * 1000))
        from datetime import datetime, timedelta

        self.widget.show_next_try(datetime.now() + timedelta(seconds=delay))

    def show_issues(self):
        """Open (or raise) the dialog of held-back records and flags; a retry there starts a
        round at once."""
        from desk_app.ui.sync_dialog import open_sync_issues

        if self.issues_dialog is not None:
            self.issues_dialog.raise_()
            self.issues_dialog.load()
            return self.issues_dialog
        dialog = open_sync_issues(self.runner, self.tr_, self.widget.window())
        dialog.retried.connect(lambda _count: self.sync_now())
        dialog.destroyed.connect(lambda *_: setattr(self, "issues_dialog", None))
        self.issues_dialog = dialog
        return dialog

    def show_enroll(self):
        """Open (or raise) the enrolment dialog; the exchange runs on the I/O pool."""
        from desk_app.ui.sync_enroll_dialog import SyncEnrollDialog

        if self.enroll_dialog is not None:
            self.enroll_dialog.raise_()
            return self.enroll_dialog
        dialog = SyncEnrollDialog(self.enroll, self.tr_, self.widget.window(), server_url=self.widget.status.get("server") or "")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.enrolled.connect(self._enrolled)
        dialog.destroyed.connect(lambda *_: setattr(self, "enroll_dialog", None))
        self.enroll_dialog = dialog
        dialog.show()
        return dialog

    def enroll(self, server_url: str, code: str, on_done: Callable[[dict], None], on_error: Callable[[BaseException], None]) -> None:
        """UI thread: run ``SyncService.enroll`` (what ``desk enroll`` runs) on the sync executor
        with services of its own (own connection), so it never waits on the UI thread nor
        shares a connection with a round."""
        factory = self._factory

        def run() -> dict:
            services = factory()
            try:
                return services.sync.enroll(server_url, code)
            finally:
                services.close()

        self.runner.sync(run, on_done=on_done, on_error=on_error)

    def _enrolled(self, meta: dict) -> None:
        """Enrolled from the dialog: say so now, then a first round at once."""
        self.widget.show_status({**self.widget.status, "enrolled": True, "server": meta.get("server_url"), "last_error": None})
        self.failures = 0
        self.sync_now()

    def retranslate(self, tr: Translator) -> None:
        """The main window's language changed: the widget, open dialogs and the messages of
        later rounds follow it."""
        self.tr_ = tr
        self.widget.retranslate(tr)
        for dialog in (self.issues_dialog, self.enroll_dialog):
            if dialog is not None:
                dialog.retranslate(tr)

    def shutdown(self) -> None:
        """UI thread, at exit: stop scheduling, cancel the round in flight (it stops at its next
        wait, sync/cancel.py) and close the loop's connection on the sync executor once no
        round holds it. ``runner.shutdown()`` gives that a bounded grace."""
        self.stop()
        self.cancel.set()
        self.runner.sync(self._close_services)

    def _close_services(self) -> None:
        with self._services_lock:
            services, self._services = self._services, None
            if services is not None:
                services.close()


def _default_factory(data_dir: Path, tr: Translator) -> Callable[[], Any]:
    def build():
        from desk_app.domain.permissions import SYNC
        from desk_app.services.context import build_services
        from desk_app.services.session import Session

        # The periodic sync is the machine's own work: it may sync, and only that, whoever is signed
        # in.
        services = build_services(data_dir, tr=tr, session=Session.for_background(SYNC))
        services.sync.rounds_only()  # its commits never hold the file for an fsync
        return services

    return build


def install_sync(main_window, runner, tr: Translator, *, data_dir: Path, interval: float = 60.0, start: bool = True) -> SyncLoop:
    """Add the sync widget to ``main_window``'s status bar and start the background loop.
    Call ``loop.shutdown()`` before ``runner.shutdown()``."""
    widget = SyncStatusWidget(tr)
    main_window.add_status_widget(widget)
    loop = SyncLoop(runner, widget, tr, data_dir=data_dir, interval=interval)
    # The window swaps its translator before emitting; widget and dialogs follow it.
    main_window.language_changed.connect(lambda _language: loop.retranslate(main_window.tr_))
    if start:
        loop.start()
    return loop


__all__ = ["SyncStatusWidget", "SyncLoop", "install_sync", "N_"]
