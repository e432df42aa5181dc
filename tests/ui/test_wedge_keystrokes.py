"""Keystrokes are sacred: whatever the scanner router (desk_app/ui/wedge.py) holds
to tell a scanner from a person reaches the widget it was typed into before anything else
acts: a shortcut (Ctrl+S, F2), a mouse press, a focus change, the window losing focus.
Real window (offscreen), real DB thread, real QKeyEvents carrying window-system timestamps."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.conftest import SAMPLE_QR
from tests.ui.conftest import Keyboard

pytestmark = pytest.mark.ui


def saved_rows(data_dir) -> list[tuple]:
    conn = sqlite3.connect(data_dir / "desk.sqlite3")
    try:
        return conn.execute("SELECT applicant_name, notes FROM dossiers ORDER BY code").fetchall()
    finally:
        conn.close()


def focus_on(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)


def type_with_gaps(keyboard: Keyboard, text: str, gaps: list[int]) -> None:
    """One key per character into the focused widget, each ``gaps[i]`` ms after the last."""
    for ch, gap in zip(text, gaps, strict=True):
        keyboard.send(keyboard.focus(), 0, ch, gap)


def choose_birth_procedure(qtbot, keyboard, page) -> None:
    focus_on(qtbot, page.finder.search)
    keyboard.type("khai sinh\n")
    qtbot.waitUntil(lambda: page.finder.procedure is not None, timeout=5000)
    for row in page.checklist.row_widgets():  # every document received: nothing to ask about
        row.received.setChecked(True)


def test_ctrl_s_right_after_two_fast_keys_saves_them_and_the_next_form_is_empty(qtbot, keyboard, desk_window, data_dir):
    """The acceptance pass: a note typed "...chong" saved as "...chon", the "g" then appeared
    in the next citizen's form."""
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    focus_on(qtbot, page.full_name)
    keyboard.type("Lò Thị Mai")
    focus_on(qtbot, page.notes)
    type_with_gaps(keyboard, "nha chong", [150] * 7 + [150, 30])  # the last two keys 30 ms apart
    assert desk_window.router.holding  # the "g" is held: it may be a scanner's second key
    with qtbot.waitSignal(page.saved, timeout=5000):
        keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # within the idle flush
    assert saved_rows(data_dir) == [("Lò Thị Mai", "nha chong")]
    assert desk_window.router.holding is False  # nothing held: nothing can land in the next form later
    assert not page.has_input() and page.notes.text() == "" and page.full_name.text() == ""


def test_machine_speed_typing_then_ctrl_s_saves_every_key(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    focus_on(qtbot, page.full_name)
    keyboard.type("Lò Thị Mai")
    focus_on(qtbot, page.notes)
    type_with_gaps(keyboard, "Ghi chu xyz", [150] + [5] * 10)  # an auto-typer, no Enter
    with qtbot.waitSignal(page.saved, timeout=5000):
        keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved_rows(data_dir) == [("Lò Thị Mai", "Ghi chu xyz")]


def test_held_date_digits_reach_the_field_before_the_save_checks_it(qtbot, keyboard, desk_window, data_dir):
    """A date field reported "Ngày không hợp lệ: 0" while it showed 01/01/2030."""
    page = desk_window.intake
    focus_on(qtbot, page.birth_date)
    type_with_gaps(keyboard, "01/01/1990", [150] + [20] * 9)
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.birth_date.text() == "01/01/1990"
    assert page.errors.message("birth_date") == ""  # the date was read whole
    assert page.errors.message("full_name") != ""  # the save stopped at the missing name, as it should


def test_f2_flushes_held_keys_into_the_form_it_asks_about(qtbot, keyboard, desk_window):
    page = desk_window.intake
    focus_on(qtbot, page.full_name)
    type_with_gaps(keyboard, "An", [150, 20])
    keyboard.press(Qt.Key.Key_F2)  # "discard what was typed?" is asked about "An", not "A"
    qtbot.waitUntil(lambda: page.confirm_new is not None, timeout=2000)
    assert page.full_name.text() == "An"
    page.confirm_new.reject()  # "Tiếp tục nhập": keep it
    qtbot.waitUntil(lambda: page.confirm_new is None, timeout=2000)
    assert page.full_name.text() == "An" and desk_window.router.holding is False


def test_a_mouse_press_elsewhere_flushes_first(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    focus_on(qtbot, page.full_name)
    type_with_gaps(keyboard, "Mai", [150, 150, 20])
    assert desk_window.router.holding
    with qtbot.waitSignal(page.saved, timeout=5000):
        QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert saved_rows(data_dir) == [("Mai", "")]


@pytest.mark.parametrize("how", ["focus", "deactivate"])
def test_focus_change_or_window_deactivation_flushes_into_the_widget_typed_in(qtbot, keyboard, desk_window, how):
    page = desk_window.intake
    focus_on(qtbot, page.notes)
    type_with_gaps(keyboard, "xyz", [150, 10, 10])
    assert desk_window.router.holding
    if how == "focus":
        page.phone.setFocus()  # the program moves the cursor (e.g. a lookup answered)
    else:
        QApplication.sendEvent(desk_window, QEvent(QEvent.Type.WindowDeactivate))
    assert desk_window.router.holding is False
    assert page.notes.text() == "xyz" and page.phone.text() == ""


def test_a_mouse_press_is_seen_even_without_a_focus_change(qtbot, keyboard, desk_window):
    page = desk_window.intake
    focus_on(qtbot, page.notes)
    type_with_gaps(keyboard, "ab", [150, 10])
    point = QPointF(QPoint(5, 5))
    press = QMouseEvent(QEvent.Type.MouseButtonPress, point, page.notes.mapToGlobal(point), Qt.MouseButton.LeftButton,
                        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page.notes, press)
    assert desk_window.router.holding is False and page.notes.text() == "ab"


def test_vietnamese_keys_held_and_flushed_in_order(qtbot, keyboard, desk_window):
    page = desk_window.intake
    focus_on(qtbot, page.full_name)
    type_with_gaps(keyboard, "Đặng Thị Ưng", [150, 20, 20, 20, 150, 25, 25, 25, 150, 10, 10, 10])
    keyboard.press(Qt.Key.Key_Tab)
    assert page.full_name.text() == "Đặng Thị Ưng" and QApplication.focusWidget() is page.id_number


# --- a card's QR never ends up as text ----------------------------------------------------------
def scan_with_stall(keyboard: Keyboard, text: str, *, at: int, stall_ms: int, enter: bool = True) -> None:
    """A scanner that pauses ``stall_ms`` after ``at`` characters (its buffer, a USB hiccup)."""
    gaps = [150] + [3] * (len(text) - 1)
    gaps[at] = stall_ms
    type_with_gaps(keyboard, text, gaps)
    if enter:
        keyboard.send(keyboard.focus(), Qt.Key.Key_Return, "\r", 3)


def assert_card_filled(page) -> None:
    assert (page.full_name.text(), page.id_number.text(), page.birth_date.text()) == (
        "Nguyễn Văn An", "004099001234", "15/08/1999")


def test_a_stall_mid_scan_types_nothing_into_the_field(qtbot, keyboard, desk_window):
    page = desk_window.intake
    focus_on(qtbot, page.notes)
    keyboard.type("ghi ")
    scan_with_stall(keyboard, SAMPLE_QR, at=40, stall_ms=300)  # the timer would type it out at 120 ms
    assert_card_filled(page)
    assert page.notes.text() == "ghi "
    assert desk_window.router.holding is False


def test_a_person_typing_after_a_machine_burst_waits_one_key_at_most(qtbot, keyboard, desk_window):
    """A device's burst is held through one pause; a person's next key then ends it."""
    page = desk_window.intake
    focus_on(qtbot, page.notes)
    type_with_gaps(keyboard, "0123456789", [150] + [5] * 9)  # an auto-typer, no Enter
    type_with_gaps(keyboard, "a", [200])
    assert desk_window.router.holding  # a scanner resuming, or a person?
    type_with_gaps(keyboard, "b", [200])  # a second slow key: a person; everything is delivered
    assert page.notes.text() == "0123456789ab" and desk_window.router.holding is False


@pytest.mark.parametrize("tail_enter", [True, False])
def test_a_qr_typed_out_after_a_long_stall_becomes_an_autofill(qtbot, keyboard, desk_window, tail_enter):
    """Past the stall limit the first part reaches the field; the rest completes a text shaped
    like a card's QR, which is then read as the scan it was (with or without its Enter)."""
    page = desk_window.intake
    desk_window.router.stall_ms = 60  # waited out below: the router's own timer
    focus_on(qtbot, page.notes)
    keyboard.type("ghi ")
    type_with_gaps(keyboard, SAMPLE_QR[:40], [150] + [3] * 39)
    qtbot.waitUntil(lambda: page.notes.text() == "ghi " + SAMPLE_QR[:40], timeout=2000)  # typed out
    type_with_gaps(keyboard, SAMPLE_QR[40:], [2000] + [3] * (len(SAMPLE_QR) - 41))
    if tail_enter:
        keyboard.send(keyboard.focus(), Qt.Key.Key_Return, "\r", 3)
    else:
        qtbot.waitUntil(lambda: not desk_window.router.holding, timeout=2000)
    assert_card_filled(page)
    assert page.notes.text() == "ghi "


def test_a_pasted_qr_is_read_as_a_card_before_ctrl_s_saves(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    focus_on(qtbot, page.full_name)
    QApplication.clipboard().setText(SAMPLE_QR)
    keyboard.press(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert page.full_name.text() == SAMPLE_QR  # pasted as text...
    with qtbot.waitSignal(page.saved, timeout=5000):
        keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved_rows(data_dir) == [("Nguyễn Văn An", "")]  # ...and saved as the card it is


def test_a_key_typed_just_before_a_scan_is_kept(qtbot, keyboard, desk_window):
    """The person's last key and the scanner's first, 30 ms apart: one burst; the card is read
    and the person's key stays in the field."""
    page = desk_window.intake
    focus_on(qtbot, page.notes)
    type_with_gaps(keyboard, "ghi x", [150, 150, 150, 150, 150])
    type_with_gaps(keyboard, SAMPLE_QR, [30] + [3] * (len(SAMPLE_QR) - 1))
    keyboard.send(keyboard.focus(), Qt.Key.Key_Return, "\r", 3)
    assert_card_filled(page)
    assert page.notes.text() == "ghi x"


@pytest.mark.parametrize("where", ["notes", "checkbox"])
def test_a_stall_in_the_first_keys_of_a_scan_is_taken_back_when_the_card_is_read(qtbot, keyboard, desk_window, where):
    """Too early to tell a device (two keys), the stall types those keys out; the scan goes
    on and is read whole, and what the stall typed is taken back (found by the property test:
    a scan into a document's check box, stalling after its 2nd key, ticked it on and off)."""
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    target = page.notes if where == "notes" else page.checklist.row_widgets()[1].received
    before = target.isChecked() if where == "checkbox" else None
    focus_on(qtbot, target)
    scan_with_stall(keyboard, SAMPLE_QR, at=2, stall_ms=250)
    assert_card_filled(page)
    if where == "checkbox":
        assert target.isChecked() is before
    else:
        assert page.notes.text() == ""


def test_keys_typed_while_the_save_is_in_flight_go_to_the_next_form(qtbot, keyboard, desk_window, data_dir):
    """Ctrl+S, then the next citizen's name right away, before the DB thread answered: the
    save clears the form when it answers, so those keys wait and go to the new form."""
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    focus_on(qtbot, page.full_name)
    keyboard.type("Lò Thị Mai")
    focus_on(qtbot, page.notes)
    keyboard.type("ghi")
    with qtbot.waitSignal(page.saved, timeout=5000):
        keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        type_with_gaps(keyboard, "Hà V", [60, 20, 150, 150])  # into the notes field, as far as the clerk can see
        assert page.notes.text() == "ghi"  # not yet: the save has not answered
    assert saved_rows(data_dir) == [("Lò Thị Mai", "ghi")]
    qtbot.waitUntil(lambda: not desk_window.router.holding, timeout=2000)
    assert page.full_name.text() == "Hà V" and page.notes.text() == ""
    assert QApplication.focusWidget() is page.full_name


def test_a_name_with_digits_is_refused_next_to_the_field(qtbot, keyboard, desk_window, data_dir):
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    focus_on(qtbot, page.full_name)
    keyboard.type("Nguyễn Văn 2")
    keyboard.press(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.errors.message("full_name").startswith("Họ tên không được chứa chữ số hoặc ký tự |")
    assert page.full_name.text() == "Nguyễn Văn 2" and QApplication.focusWidget() is page.full_name
    assert page.saving is False and saved_rows(data_dir) == []  # refused before any job was queued
