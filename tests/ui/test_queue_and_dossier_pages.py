"""Queue page search and lazy paging, the dossier page and status changes (offscreen Qt)."""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desk_app.services.queue import VIEWS
from desk_app.ui.pages.queue import VIEW_LABELS
from tests.ui.conftest import seed_dossiers


def people(intake_json, names_and_ids):
    out = []
    for name, id_number, gender, birth in names_and_ids:
        item = copy.deepcopy(intake_json)
        item["applicant"].update(full_name=name, id_number=id_number, gender=gender, birth_date=birth, phone="", email="")
        out.append(item)
    return out


CITIZENS = [
    ("Nguyễn Thị Đào", "004199012345", "Nữ", "1999-05-20"),
    ("Nguyễn Văn Đạt", "004088001111", "Nam", "1988-01-02"),
    ("Nông Thị Đào", "004195002222", "Nữ", "1995-03-04"),
    ("Lương Văn Tùng", "004070003333", "Nam", "1970-06-07"),
]


def test_views_match_the_service(qtbot):
    assert tuple(VIEW_LABELS) == VIEWS


def test_search_without_diacritics_then_open_and_update_the_dossier(qtbot, keyboard, desk_window, data_dir, clock, intake_json):
    seeded = seed_dossiers(data_dir, clock, people(intake_json, CITIZENS))
    queue = desk_window.queue
    keyboard.press(Qt.Key.Key_F3)
    assert desk_window.stack.currentWidget() is queue
    assert QApplication.focusWidget() is queue.search
    qtbot.waitUntil(lambda: queue.model.rowCount() == 4 and queue.model.total == 4, timeout=5000)

    keyboard.type("nguyen thi dao")
    keyboard.press(Qt.Key.Key_Return)  # search now and move to the results
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1 and queue.model.total == 1, timeout=5000)
    assert queue.model.data(queue.model.index(0, 1)) == "Nguyễn Thị Đào"
    assert "1 hồ sơ" in queue.count_label.text()

    # "dao" alone finds both Đào, not Đạt (đ folded, tones ignored, whole terms as prefixes).
    queue.search.setText("dao")
    queue.apply()
    qtbot.waitUntil(lambda: queue.model.total == 2 and queue.model.rowCount() == 2, timeout=5000)
    names = {queue.model.data(queue.model.index(r, 1)) for r in range(2)}
    assert names == {"Nguyễn Thị Đào", "Nông Thị Đào"}

    # Keyboard: Down from the search box to the table, Enter opens the dossier page.
    queue.search.setText("nguyen thi dao")
    queue.apply()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1 and queue.model.total == 1, timeout=5000)
    queue.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is queue.search, timeout=2000)
    keyboard.press(Qt.Key.Key_Down)
    assert QApplication.focusWidget() is queue.table
    keyboard.press(Qt.Key.Key_Return)
    page = desk_window.dossier
    assert desk_window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.current_code == seeded[0].code, timeout=5000)
    assert seeded[0].code in page.title.text()
    assert page.status_text.text() == "Đã tiếp nhận"
    assert page.field_text("applicant.full_name") == "Nguyễn Thị Đào"
    assert page.field_text("applicant.birth_date") == "20/05/1999"
    assert page.documents.rowCount() == 2
    assert page.history.rowCount() == 1 and page.history.item(0, 2).text() == "tester"

    # Record a status change from the keyboard: status combo, note, Enter.
    page.new_status.setCurrentIndex(page.new_status.findData("transferred"))
    page.note.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.note, timeout=2000)
    keyboard.type("Chuyển công chức tư pháp – hộ tịch")
    with qtbot.waitSignal(page.dossier_loaded, timeout=5000):
        keyboard.press(Qt.Key.Key_Return)
    assert page.history.rowCount() == 2
    assert page.history.item(1, 0).text() == "Đã chuyển xử lý"
    assert page.history.item(1, 3).text() == "Chuyển công chức tư pháp – hộ tịch"
    assert page.status_text.text() == "Đã chuyển xử lý"

    # Esc goes back to the queue, which shows the new status.
    keyboard.press(Qt.Key.Key_Escape)
    assert desk_window.stack.currentWidget() is queue
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: queue.model.data(queue.model.index(0, 7)) == "Đã chuyển xử lý", timeout=5000)


def test_status_filter_and_unknown_dossier(qtbot, desk_window, data_dir, clock, intake_json):
    seed_dossiers(data_dir, clock, people(intake_json, CITIZENS))
    queue = desk_window.queue
    desk_window.show_page("queue")
    qtbot.waitUntil(lambda: queue.model.total == 4, timeout=5000)
    queue.status.setCurrentIndex(queue.status.findData("returned"))
    qtbot.waitUntil(lambda: queue.model.total == 0 and queue.model.rowCount() == 0, timeout=5000)
    queue.status.setCurrentIndex(queue.status.findData("received"))
    qtbot.waitUntil(lambda: queue.model.total == 4, timeout=5000)
    queue.by_date.setChecked(True)  # received within the last 30 days of the real clock
    qtbot.waitUntil(lambda: queue.model.total is not None, timeout=5000)

    desk_window.open_dossier("000.31.14.H14-261118-9999")
    qtbot.waitUntil(lambda: desk_window.dossier.load_error.isVisible(), timeout=5000)
    assert "Không tìm thấy hồ sơ" in desk_window.dossier.load_error.text()


def test_queue_model_fetches_lazily_in_keyset_pages(qtbot, desk_window, data_dir, clock, intake_json):
    letters = [f"{chr(65 + i // 26)}{chr(97 + i % 26)}" for i in range(450)]  # names hold no digits
    many = people(intake_json, [(f"Hà Thị Lan {x}", "", "Nữ", "1990-01-01") for x in letters])
    for item in many:
        item["applicant"]["id_number"] = ""
    seed_dossiers(data_dir, clock, many)
    model = desk_window.queue.model
    desk_window.show_page("queue")
    qtbot.waitUntil(lambda: model.rowCount() == 200 and model.total == 450, timeout=5000)
    assert model.canFetchMore()
    model.fetchMore()
    assert not model.canFetchMore()  # one page in flight at a time
    qtbot.waitUntil(lambda: model.rowCount() == 400, timeout=5000)
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 450, timeout=5000)
    assert not model.canFetchMore()
    codes = [model.code_at(r) for r in range(450)]
    assert len(set(codes)) == 450
    # Newest first: the day's sequence counts down.
    assert codes[0].endswith("-3450") and codes[-1].endswith("-3001")


def test_a_count_still_running_is_shown_as_a_lower_bound(qtbot, keyboard, desk_window, data_dir, clock, intake_json):
    """At a million dossiers a broad count can take seconds: the rows already loaded are a sure
    lower bound, shown as "≥ N" until the count arrives."""
    seed_dossiers(data_dir, clock, people(intake_json, CITIZENS))
    queue = desk_window.queue
    keyboard.press(Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: queue.model.rowCount() == 4 and queue.model.total == 4, timeout=5000)
    queue.model.count_changed.emit(-1)  # what the model says while its count query runs
    assert queue.count_label.text() == "≥ 4 hồ sơ (đang đếm…)"
    queue.model.count_changed.emit(4)
    assert queue.count_label.text().startswith("4 hồ sơ")
