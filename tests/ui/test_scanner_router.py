"""The application's scanner router (desk_app/ui/wedge.py) in the real window (offscreen): a
keyboard-wedge scan typed into any widget fills the intake form or opens the dossier, and no
widget sees any of it; a person's typing goes through unchanged. Real data folder, real DB
thread; key events carry timestamps a scanner's few ms or a person's 150 ms apart."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from tests.conftest import SAMPLE_QR
from tests.ui.conftest import open_window, seed_dossiers, settled

pytestmark = pytest.mark.ui
VIETNAMESE_QR = SAMPLE_QR  # "Nguyễn Văn An", "Tổ 1, Phường Thục Phán..." : typed one key event per character


def dossier_count(data_dir) -> int:
    conn = sqlite3.connect(data_dir / "desk.sqlite3")
    try:
        return conn.execute("SELECT COUNT(*) FROM dossiers").fetchone()[0]
    finally:
        conn.close()


def focus_on(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)


def choose_birth_procedure(qtbot, keyboard, page) -> None:
    focus_on(qtbot, page.finder.search)
    keyboard.type("khai sinh\n")
    qtbot.waitUntil(lambda: page.finder.procedure is not None, timeout=5000)


def assert_card_filled(page) -> None:
    assert page.full_name.text() == "Nguyễn Văn An"
    assert page.id_number.text() == "004099001234"
    assert page.gender.currentData() == "Nam"
    assert page.address.text() == "Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng"


@pytest.mark.parametrize("where", ["line_edit", "gender", "procedure_list", "checkbox", "sets", "save_button"])
def test_id_card_scan_into_any_widget_fills_the_form_and_changes_nothing_else(qtbot, keyboard, desk_window, data_dir, where):
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    first_box = page.checklist.row_widgets()[0].received
    page.notes.setText("ghi chú")
    target = {
        "line_edit": page.notes, "gender": page.gender, "procedure_list": page.finder.matches,
        "checkbox": first_box, "sets": page.sets, "save_button": page.save_button,
    }[where]
    procedure, list_row = page.finder.procedure, page.finder.matches.currentRow()
    focus_on(qtbot, target)
    keyboard.scan(VIETNAMESE_QR)

    assert_card_filled(page)
    assert page.finder.procedure is procedure and page.finder.matches.currentRow() == list_row  # Enter chose nothing
    assert first_box.isChecked() is False  # the payload's spaces ticked nothing
    assert page.sets.value() == 1  # no digits typed into "Số bộ"
    assert page.notes.text() == "ghi chú"
    settled(qtbot, desk_window.runner)  # a save the scan's Enter started would have answered by now
    assert dossier_count(data_dir) == 0 and page.last_saved is None
    assert desk_window.router.holding is False


@pytest.mark.parametrize("where", ["line_edit", "checkbox"])
@pytest.mark.parametrize("stalled_after", [1, 2])
def test_a_scanner_stalling_after_its_first_keys_still_fills_the_form(qtbot, keyboard, desk_window, where, stalled_after):
    """The scanner pauses 80 ms (over a person's key gap, under STALL_MS) after its first key or
    two, before its keys look like a device's: the scan is still read from its first key, and
    what the pause typed is taken back (a property example found a check box losing the ID's
    first digit: "Không đọc được căn cước")."""
    page = desk_window.intake
    choose_birth_procedure(qtbot, keyboard, page)
    first_box = page.checklist.row_widgets()[0].received
    page.notes.setText("ghi chú")
    target = {"line_edit": page.notes, "checkbox": first_box}[where]
    focus_on(qtbot, target)
    for index, ch in enumerate(VIETNAMESE_QR):
        keyboard.send(target, 0, ch, 80 if index == stalled_after else 3)
    keyboard.send(target, Qt.Key.Key_Return, "\r", 3)

    assert_card_filled(page)
    assert first_box.isChecked() is False
    assert page.notes.text() == "ghi chú"
    assert desk_window.router.holding is False


def test_slow_keys_before_a_scan_are_typed_again_after_it(qtbot, keyboard, desk_window):
    """A person's keys typed slowly (150 ms apart) right before a scan in the same field stay
    typed: the field is put back to before them for the card, then they are typed again."""
    page = desk_window.intake
    focus_on(qtbot, page.notes)
    for ch in "ab":
        keyboard.send(page.notes, 0, ch, 150)
    for index, ch in enumerate(VIETNAMESE_QR):
        keyboard.send(page.notes, 0, ch, 150 if index == 0 else 3)
    keyboard.send(page.notes, Qt.Key.Key_Return, "\r", 3)
    assert_card_filled(page)
    assert page.notes.text() == "ab"


def test_id_card_scan_on_the_queue_page_switches_to_the_intake_form(qtbot, keyboard, desk_window):
    desk_window.show_page("queue")
    queue = desk_window.queue
    focus_on(qtbot, queue.search)
    keyboard.scan(VIETNAMESE_QR)
    assert desk_window.current_page_key() == "intake"
    assert_card_filled(desk_window.intake)
    assert queue.search.text() == ""
    qtbot.waitUntil(lambda: not queue.search_pending(), timeout=3000)  # its re-run search, before teardown
    settled(qtbot, desk_window.runner, "read")


@pytest.fixture
def counter(qtbot, data_dir, clock, intake_json):
    """The window with printing and the router installed as main() does, and one dossier."""
    from desk_app.ui.printing import install_printing
    from desk_app.ui.wedge import install_scanner_router

    (dossier,) = seed_dossiers(data_dir, clock, [intake_json])
    window, runner, _startup, ready = open_window(qtbot, data_dir, clock)
    qtbot.waitUntil(lambda: bool(ready) and window.intake.finder.matches.count() > 0, timeout=10000)
    controller = install_printing(window, runner)
    router = install_scanner_router(window, QApplication.instance(), on_slip=controller.slip_scanned)
    yield window, controller, dossier
    router.uninstall(QApplication.instance())
    window.close()
    runner.shutdown()


@pytest.mark.parametrize("form", ["code", "tracking_url"])
def test_slip_scan_on_the_queue_page_opens_the_dossier_and_offers_returned(qtbot, keyboard, counter, form):
    window, controller, dossier = counter
    code = dossier.code
    text = code if form == "code" else f"https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}&t=k9"
    window.show_page("queue")
    focus_on(qtbot, window.queue.search)
    keyboard.scan(text)
    qtbot.waitUntil(lambda: window.current_page_key() == "dossier" and window.dossier.current_code == code, timeout=5000)
    qtbot.waitUntil(lambda: getattr(controller, "return_dialog", None) is not None, timeout=5000)
    assert code in controller.return_dialog.findChild(type(window.desk_label)).text()
    assert window.queue.search.text() == ""  # nothing landed in the search field
    controller.return_dialog.reject()
    qtbot.waitUntil(lambda: not window.queue.search_pending(), timeout=3000)  # its re-run search, before teardown
    settled(qtbot, window.runner, "read")


def test_slow_typing_is_delivered_as_typed(qtbot, keyboard, desk_window):
    page = desk_window.intake
    focus_on(qtbot, page.notes)
    keyboard.type("0004.31.14.H14-261118-3001 Đào")  # a code, typed by a person: not a scan
    keyboard.press(Qt.Key.Key_Return)
    assert page.notes.text() == "0004.31.14.H14-261118-3001 Đào"
    assert desk_window.router.holding is False


def test_gaps_without_timestamps_are_measured_by_the_routers_clock(qtbot, desk_window):
    """Events without a timestamp: the router's clock (injected here) measures the gaps."""
    page = desk_window.intake
    now = [500.0]
    desk_window.router.clock = lambda: now[0]
    focus_on(qtbot, page.notes)
    for ch in "Hà ":
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(page.notes, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))
        now[0] += 0.080  # a person: slower than MAX_GAP_S
        assert desk_window.router.holding is False
    assert page.notes.text() == "Hà "
    # A fast burst with no Enter (a rolled-over pair, or auto-typed text): held, then
    # replayed in order once the idle timeout passes.
    for ch in "Nội":
        QApplication.sendEvent(page.notes, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, ch))
    assert desk_window.router.holding is True
    qtbot.waitUntil(lambda: not desk_window.router.holding, timeout=2000)
    assert page.notes.text() == "Hà Nội"


def test_fast_burst_that_is_not_a_scan_is_replayed_with_its_enter(qtbot, keyboard, desk_window):
    page = desk_window.intake
    focus_on(qtbot, page.finder.search)
    keyboard.scan("khai sinh")  # e.g. a barcode that is neither a card nor a slip
    qtbot.waitUntil(lambda: page.finder.procedure is not None, timeout=5000)
    assert page.finder.procedure.name == "Đăng ký khai sinh"
    assert page.finder.search.text() == "khai sinh"


def test_auto_repeat_and_shortcuts_pass_through(qtbot, keyboard, desk_window):
    page = desk_window.intake
    focus_on(qtbot, page.notes)
    stamp = keyboard.next_stamp(150)
    for i in range(5):  # a held key repeats every ~30 ms: never a burst
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a", autorep=i > 0)
        event.setTimestamp(stamp + 30 * i)
        QApplication.sendEvent(page.notes, event)
        assert desk_window.router.holding is False
    assert page.notes.text() == "aaaaa"


def test_router_unit_behaviour_with_its_own_clock(qtbot):
    """The router alone on a line edit, its clock controlled by the test."""
    from desk_app.ui.wedge import ScannerRouter

    now = [100.0]
    router = ScannerRouter(clock=lambda: now[0])
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    focus_on(qtbot, edit)
    edit.setText("ghi ")
    edit.setCursorPosition(4)
    got = []
    router.slip_scanned.connect(got.append)
    router.install(QApplication.instance())
    try:
        code = "000.31.14.H14-261118-3001"
        now[0] += 5
        for ch in code + "\r":
            now[0] += 0.004
            key = Qt.Key.Key_Return if ch == "\r" else 0
            QApplication.sendEvent(edit, QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, ch))
        assert got == [code] and edit.text() == "ghi "
    finally:
        router.uninstall(QApplication.instance())
