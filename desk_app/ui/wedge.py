"""Keyboard-wedge scanners: one application-level router for everything a counter scanner types
(docs/keyboard.md).

A 2D/1D scanner at the counter is a keyboard: it types its payload a few ms per key, then
Enter, into WHATEVER widget has focus (a combo, a list, a check box, a spin box, a button...).
``ScannerRouter`` sits in front of every widget (an application event filter) and:

- holds key presses that arrive in a fast burst (gap below ``MAX_GAP_S``) instead of
  delivering them; the first key of a burst cannot be told from a person's key, so it has
  already been delivered: the widget's state from before it is kept and put back;
- when the burst ends with Enter and holds an ID-card QR payload, emits ``cccd_scanned``
  (or ``cccd_failed``); a receipt slip's barcode or tracking QR, ``slip_scanned(code)``; the
  held keys are dropped, so no widget sees any of it;
- otherwise (a fast typist's rollover, a burst that ends without Enter within
  ``IDLE_FLUSH_MS``, a shortcut or special key in the middle) replays the held keys, in
  order, to the widget that had focus, so ordinary typing is unchanged.
Auto-repeated keys never start a burst.

No keystroke is ever dropped, reordered or carried into the next dossier: before
anything else can act on what was typed, the held keys reach their widget, synchronously.
That is any shortcut (Ctrl+S, F2: Qt's shortcut map eats the key press, the filter only sees
the ``Shortcut`` event sent to the QShortcut before it fires), a mouse press or wheel, input
method text, the widget losing focus or being hidden, the window being deactivated or
blocked by a dialog (``ACTIONS``). A burst of ``DEVICE_RUN`` machine-speed keys is a
device's: it is held through a stall of up to ``STALL_MS`` (a scanner pausing mid-payload)
instead of being typed out; a stall before that typed out what was held, but the scan that
goes on keeps the restore point from before its first key, so reading the card takes back
what the stall typed (into a check box: its ticks). If a card's QR lands in a line edit anyway (a
longer stall, a scanner without its Enter suffix, a paste), text shaped like one
(``qr_shaped_span``: 7 or more '|'-separated fields) is taken out of the field and read as a scan,
when its Enter comes, when held keys are delivered, or when a shortcut acts.

While the intake form is being saved (the DB thread), keys typed are meant for the next
citizen, yet would land in the form the save then clears: ``gate`` holds every key until
``ungate`` (after the clear) delivers them, in order, to whatever then has focus, through
this same filter, so a scan among them is still a scan.

Gaps are measured with the key events' own timestamps (the window system's, so a busy UI
thread does not split a real scan) and with ``clock`` for events without one.
Installed once the start-up settled (``install_scanner_router``, called by ui/app.py after
the catalogue is listed): an application filter passes every event through Python, which
would slow the start-up. UI thread only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from desk_app.domain.cccd import looks_like_cccd, parse_cccd_qr, qr_shaped_span
from desk_app.domain.errors import DeskError
from desk_app.forms.payloads import recognise_slip

# Scanners type a key every 1-15 ms (slow ones ~25 ms); people need 60 ms or more between
# keys, except for the odd rolled-over pair, which is replayed unchanged.
MAX_GAP_S = 0.045
IDLE_FLUSH_MS = 120  # a held burst with no Enter after this long was typing: replay it
DEVICE_RUN = 8  # this many keys in a row at machine speed: no person, a device (or an auto-typer)
STALL_MS = 600  # how long a device's burst is held through a pause before it is typed out
# A save that never answers does not keep the keyboard for ever; one that answers late (a
# slow disk: seconds) still gets the keys typed meanwhile into the next form.
GATE_MAX_MS = 15000
MIN_SCAN_LENGTH = 16  # a dossier code has 21+ characters, an ID-card payload ~100
KEY_RETURN, KEY_ENTER = Qt.Key.Key_Return, Qt.Key.Key_Enter
MODIFIER_KEYS = frozenset({Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Meta, Qt.Key.Key_Alt, Qt.Key.Key_AltGr})
# With these held a key is a shortcut, not typing (Shift is typing: capitals, '|').
SHORTCUT_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
KEY_PRESS, KEY_RELEASE = QEvent.Type.KeyPress, QEvent.Type.KeyRelease
SHORTCUT = QEvent.Type.Shortcut
_T = QEvent.Type
# Events after which something may act on what was typed: held keys are delivered first.
ACTIONS = frozenset({
    SHORTCUT, _T.MouseButtonPress, _T.MouseButtonDblClick, _T.Wheel, _T.ContextMenu, _T.InputMethod,
    _T.TouchBegin, _T.TabletPress, _T.Drop, _T.WindowDeactivate, _T.ApplicationDeactivate, _T.WindowBlocked,
})
# ...and these when the held keys' own widget receives them.
WIDGET_ACTIONS = frozenset({_T.FocusAboutToChange, _T.FocusOut, _T.Hide, _T.Close})


def recognise_scan(text: str) -> tuple[str, str] | None:
    """('cccd', payload) or ('slip', dossier code) for a scanned text, else None. Pure."""
    if len(text) < MIN_SCAN_LENGTH:
        return None
    if "|" in text:
        return ("cccd", text) if looks_like_cccd(text) else None
    code = recognise_slip(text)
    return ("slip", code) if code else None


# --- the widget's state before the first key of a burst ------------------------------------
def snapshot(widget: QWidget) -> Callable[[], None] | None:
    """A function putting ``widget`` back as it is now (before a key reaches it), or None
    when a plain key cannot change it."""
    if isinstance(widget, QLineEdit):
        text, cursor = widget.text(), widget.cursorPosition()

        def restore_line() -> None:
            # Not undo(): QLineEdit merges typed characters into one undo step.
            if widget.text() != text:
                widget.setText(text)
                widget.textEdited.emit(text)  # as the key did: a search field re-runs its query
            widget.setCursorPosition(cursor)

        return restore_line
    if isinstance(widget, QAbstractSpinBox):
        edit = widget.findChild(QLineEdit)
        text = edit.text() if edit is not None else ""
        value = widget.value() if hasattr(widget, "value") else None

        def restore_spin() -> None:
            if edit is not None and edit.text() != text:
                edit.setText(text)
            if value is not None:  # a spin box with value() (QSpinBox, QDoubleSpinBox) has setValue()
                cast(Any, widget).setValue(value)

        return restore_spin
    if isinstance(widget, QComboBox):
        index = widget.currentIndex()
        edit_text = widget.currentText()

        def restore_combo() -> None:
            widget.setCurrentIndex(index)
            if widget.isEditable():
                widget.setEditText(edit_text)

        return restore_combo
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        text = widget.toPlainText()

        cursor_at = widget.textCursor().position()

        def restore_text() -> None:
            if widget.toPlainText() != text:
                widget.setPlainText(text)
                cursor = widget.textCursor()
                cursor.setPosition(min(cursor_at, len(text)))
                widget.setTextCursor(cursor)

        return restore_text
    if isinstance(widget, QAbstractItemView):
        current = widget.currentIndex()
        selected = list(widget.selectionModel().selectedIndexes()) if widget.selectionModel() else []

        def restore_view() -> None:
            widget.setCurrentIndex(current)
            model = widget.selectionModel()
            if model is not None and selected:
                model.clearSelection()
                for item in selected:
                    model.select(item, model.SelectionFlag.Select)

        return restore_view
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        checked = widget.isChecked()
        return lambda: widget.setChecked(checked)
    return None


@dataclass
class _Key:
    """The last key delivered: it may turn out to be the first key of a scan."""

    text: str
    widget: QWidget
    stamp: int  # the event's timestamp (ms), 0 when it has none
    clock: float
    restore: Callable[[], None] | None
    events: list = field(default_factory=list)  # clones of what was typed since ``restore``'s state


@dataclass
class _Burst:
    widget: QWidget
    first: _Key
    text: str
    held: list = field(default_factory=list)  # cloned QKeyEvents, in arrival order
    held_last: tuple[int, float] = (0, 0.0)  # (timestamp, clock) of the last key held
    run: int = 2  # keys in a row at machine speed (the first key and the one that started it)
    last_slow: bool = False  # the last key held came after a stall

    @property
    def device(self) -> bool:
        return self.run >= DEVICE_RUN


class ScannerRouter(QObject):
    """The application's key router for keyboard-wedge scans (see the module docstring)."""

    cccd_scanned = Signal(object)  # CccdData
    cccd_failed = Signal(object)  # DeskError
    slip_scanned = Signal(str)  # dossier code

    def __init__(self, parent: QObject | None = None, *, clock: Callable[[], float] = time.monotonic,
                 max_gap: float = MAX_GAP_S, idle_flush_ms: int = IDLE_FLUSH_MS, stall_ms: int = STALL_MS):
        super().__init__(parent)
        self.clock = clock
        self.max_gap = max_gap
        self._last: _Key | None = None
        self._burst: _Burst | None = None
        self._stalled: _Burst | None = None  # the burst a stall just typed out: a scan may go on
        self._replaying: list = []
        self._swallow_release: set[int] = set()
        self.idle_flush_ms, self.stall_ms = idle_flush_ms, stall_ms
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_flush_ms)
        self._idle.timeout.connect(self._idle_flush)
        self._gated: list | None = None  # keys held while a save is in flight, in arrival order
        self._gate_timer = QTimer(self)
        self._gate_timer.setSingleShot(True)
        self._gate_timer.setInterval(GATE_MAX_MS)
        self._gate_timer.timeout.connect(self.ungate)

    def install(self, app: QApplication) -> None:
        app.installEventFilter(self)

    def uninstall(self, app: QApplication) -> None:
        self.ungate()
        app.removeEventFilter(self)
        self.flush()

    def gate(self) -> None:
        """Hold every key from now on, until ``ungate`` (the form is being saved)."""
        self.flush()
        if self._gated is None:
            self._gated = []
        self._gate_timer.start()

    def ungate(self) -> None:
        """Deliver the keys held since ``gate``, in order, to the widget that has focus now."""
        held, self._gated = self._gated, None
        self._gate_timer.stop()
        for event in held or ():
            target = QApplication.focusWidget() or QApplication.activeWindow() or self.parent()
            if isinstance(target, QWidget):
                QApplication.sendEvent(target, event)  # through this filter: typing, or a scan

    @property
    def holding(self) -> bool:
        return self._burst is not None or bool(self._gated)

    # --- the filter ---------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind != KEY_PRESS and kind != KEY_RELEASE:
            if self._burst is None and self._stalled is None and kind != SHORTCUT:
                return False  # most events: paint, timers, mouse moves...
            if self._burst is not None and (
                kind in ACTIONS or (kind in WIDGET_ACTIONS and obj is self._burst.widget)
            ):
                self.flush()  # what was typed reaches its widget before anything acts on it
            if kind in ACTIONS:
                self._stalled = None
            if kind == SHORTCUT:
                focus = QApplication.focusWidget()
                if focus is not None:
                    self._take_card_from(focus)  # a save never stores a card's QR as text
            return False
        if any(event is replayed for replayed in self._replaying) or not isinstance(obj, QWidget):
            return False  # our own replay; or the window's copy, forwarded to the focus widget next
        focus = QApplication.focusWidget()
        # A key a widget ignores is offered again to each parent: count it once.
        if (focus is not None and obj is not focus) or (focus is None and not obj.isWindow()):
            return False
        if self._gated is not None:
            self._gated.append(event.clone())
            return True
        if kind == KEY_RELEASE:
            return self._release(obj, event)
        return self._press(obj, event)

    def _release(self, obj: QWidget, event) -> bool:
        if event.key() in self._swallow_release and not event.isAutoRepeat():
            self._swallow_release.discard(event.key())
            return True
        if self._burst is not None and obj is self._burst.widget:
            self._burst.held.append(event.clone())
            return True
        return False

    def _press(self, obj: QWidget, event) -> bool:
        key, text = event.key(), event.text()
        burst = self._burst
        if key in MODIFIER_KEYS:  # the scanner's Shift for capitals and '|'
            if burst is not None and obj is burst.widget:
                burst.held.append(event.clone())
                return True
            return False
        is_enter = key in (KEY_RETURN, KEY_ENTER)
        typed = bool(text) and text.isprintable() and not is_enter and not event.isAutoRepeat() and not (
            event.modifiers() & SHORTCUT_MODIFIERS
        )
        stamp, now = event.timestamp(), self.clock()
        if burst is not None:
            fast = obj is burst.widget and self._fast(burst.held_last, stamp, now)
            # A device's burst goes on after one pause (the scanner stalled mid-payload).
            resumed = (not fast and obj is burst.widget and burst.device and not burst.last_slow
                       and self._fast(burst.held_last, stamp, now, self.stall_ms / 1000))
            if is_enter and (fast or resumed):
                return self._finish(event)
            if typed and (fast or resumed):
                burst.held.append(event.clone())
                burst.text += text
                burst.held_last = (stamp, now)
                burst.run += fast  # a device's burst stays a device's after a stall
                burst.last_slow = resumed
                self._idle.start(self.stall_ms if burst.device else self.idle_flush_ms)
                return True
            self.flush()  # anything else ends the burst: what was held reaches the widget first
            if typed and obj is burst.widget:
                self._stalled = burst
        stalled, self._stalled = self._stalled, None
        last = self._last
        if typed and last is not None and last.widget is obj and self._fast((last.stamp, last.clock), stamp, now):
            self._burst = _Burst(obj, last, last.text + text, [event.clone()], (stamp, now))
            self._last = None
            self._idle.start(self.idle_flush_ms)
            return True
        self._last = None
        if typed and stalled is not None and stalled.widget is obj and self._fast(
                stalled.held_last, stamp, now, self.stall_ms / 1000):
            # A scan going on after a stall typed out its start: the same restore point, so
            # if it turns out to be a card, what the stall typed is taken back too.
            self._last = _Key(stalled.text + text, obj, stamp, now, stalled.first.restore,
                              [*stalled.first.events, *stalled.held, event.clone()])
        elif typed and last is not None and last.widget is obj and len(last.text) < DEVICE_RUN and self._fast(
                (last.stamp, last.clock), stamp, now, self.stall_ms / 1000):
            # A scanner may stall after its first key or two, before its keys look like a
            # device's: they stay with this one (one restore point), so a scan that goes on is
            # read from its first key and what the pause typed is taken back (a person's slow
            # keys before a scan are typed again: _retype_before_payload).
            self._last = _Key(last.text + text, obj, stamp, now, last.restore, [*last.events, event.clone()])
        elif typed:
            self._last = _Key(text, obj, stamp, now, snapshot(obj), [event.clone()])
        if is_enter and self._take_card_from(obj):
            self._swallow_release.add(key)
            return True  # the Enter of a card's QR that reached the field anyway
        return False

    def _fast(self, previous: tuple[int, float], stamp: int, now: float, limit: float | None = None) -> bool:
        before_stamp, before_clock = previous
        limit = self.max_gap if limit is None else limit
        if stamp and before_stamp:
            return 0 <= stamp - before_stamp <= limit * 1000
        if stamp or before_stamp:
            return False  # one from the window system, one synthetic: not one device's burst
        return now - before_clock <= limit

    # --- end of a burst ---------------------------------------------------------------------------
    def _finish(self, enter) -> bool:
        burst, self._burst = self._burst, None
        assert burst is not None  # only called while a burst is held
        self._idle.stop()
        found = recognise_scan(burst.text)
        if found is None:
            self._replay(burst)  # the held keys, then their Enter: unless they completed a card's QR
            if shiboken6.isValid(burst.widget) and not self._take_card_from(burst.widget):
                self._replay_event(burst.widget, enter.clone())
                return True
            self._swallow_release.add(enter.key())
            return True
        self._swallow_release.add(enter.key())
        if burst.first.restore is not None and shiboken6.isValid(burst.widget):
            burst.first.restore()  # the first key was typed before we could tell
            self._retype_before_payload(burst)
        kind, value = found
        if kind == "slip":
            self.slip_scanned.emit(value)
            return True
        try:
            card = parse_cccd_qr(value)
        except DeskError as exc:
            self.cccd_failed.emit(exc)
        else:
            self.cccd_scanned.emit(card)
        return True

    def _retype_before_payload(self, burst: _Burst) -> None:
        """A person's key that came right before the scan (under ``max_gap``) joined its
        burst: the widget was put back as it was before that key, so type it (and any other
        such key) again."""
        span = qr_shaped_span(burst.text, min_fields=6)
        prefix = span[0] if span else 0
        if prefix <= 0:
            return
        events, typed = [], 0
        for event in [*burst.first.events, *burst.held]:
            if typed >= prefix and event.type() == KEY_PRESS and event.text():
                break
            events.append(event)
            if event.type() == KEY_PRESS:
                typed += len(event.text())
        for event in events:
            if not shiboken6.isValid(burst.widget):
                return
            self._replay_event(burst.widget, event)

    def flush(self) -> None:
        """Deliver the held keys (not a scan after all), now."""
        burst, self._burst = self._burst, None
        self._stalled = None
        self._idle.stop()
        if burst is not None:
            self._replay(burst)

    def _idle_flush(self) -> None:
        """Nothing came for a while: deliver what was held; a scanner without an Enter suffix,
        or one that stalled too long, may have typed a whole card's QR."""
        burst = self._burst
        self.flush()
        if burst is not None and shiboken6.isValid(burst.widget) and not self._take_card_from(burst.widget):
            self._stalled = burst

    def _replay(self, burst: _Burst) -> None:
        self._last = None
        if not shiboken6.isValid(burst.widget):
            return
        for event in burst.held:
            self._replay_event(burst.widget, event)
            if not shiboken6.isValid(burst.widget):
                return

    def _replay_event(self, widget: QWidget, event) -> None:
        self._replaying.append(event)
        try:
            QApplication.sendEvent(widget, event)
        finally:
            self._replaying.remove(event)

    # --- a card's QR that reached a field anyway ------------------------------------------------
    def _take_card_from(self, widget: QWidget) -> bool:
        """When ``widget`` is a line edit holding text shaped like a card's QR: take that text
        out (what was typed before it stays) and read it as a scan. Whether it did."""
        if not isinstance(widget, QLineEdit):
            return False
        text = widget.text()
        if text.count("|") < 6:  # the cheap test, on every Enter and shortcut
            return False
        span = qr_shaped_span(text)
        if span is None:
            return False
        start, end = span
        rest = text[:start] + text[end:]
        widget.setText(rest)
        widget.setCursorPosition(start)
        widget.textEdited.emit(rest)  # as typing would: a search field re-runs its query
        try:
            card = parse_cccd_qr(text[start:end])
        except DeskError as exc:
            self.cccd_failed.emit(exc)
        else:
            self.cccd_scanned.emit(card)
        return True


def install_scanner_router(window, app: QApplication, *, on_slip: Callable[[str], None] | None = None) -> ScannerRouter:
    """Route scans anywhere in the app: an ID card fills the intake form (switching to it),
    a receipt slip calls ``on_slip(code)`` (the printing controller opens the dossier and
    offers 'returned'). UI thread, once the start-up settled."""
    router = ScannerRouter(window)

    def card_scanned(card) -> None:
        taker = QApplication.activeModalWidget()
        if taker is not None and hasattr(taker, "take_card"):
            # A dialog that asks for a person's card (who collects a result) takes it; the
            # intake form of the next citizen is left alone.
            taker.take_card(card)
            return
        if window.current_page_key() != "intake":
            window.show_page("intake")
        window.intake.fill_from_card(card)

    def card_failed(error: DeskError) -> None:
        if window.current_page_key() != "intake":
            window.show_page("intake")
        window.intake.scan_failed(error)

    router.cccd_scanned.connect(card_scanned)
    window.intake.saving_changed.connect(lambda saving: router.gate() if saving else router.ungate())
    router.cccd_failed.connect(card_failed)
    if on_slip is not None:
        router.slip_scanned.connect(on_slip)
    router.install(app)
    return router
