"""The supervisor's pages on a desk without accounts (everything allowed): the review queue's
bulk change asks first and changes the selected dossiers; the dashboard shows the figures."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QInputDialog, QMessageBox

from tests.ui.conftest import open_review, seed_dossiers, settled


def test_review_bulk_change_confirms_then_changes_the_selection(qtbot, data_dir, clock, monkeypatch):
    intake = {"procedure_code": "1.001193.000.00.00.H14", "allow_missing": True,
              "documents": [{"name": "Tờ khai đăng ký khai sinh", "kind": "original", "count": 1}],
              "applicant": {"full_name": "Nguyễn Thị Đào"}}
    codes = [d.code for d in seed_dossiers(data_dir, clock, [intake] * 3)]
    clock.moment += timedelta(days=7)  # all three overdue now
    window, runner, review = open_review(qtbot, data_dir, clock, "overdue", 3)
    try:
        review.table.selectRow(1)
        from PySide6.QtCore import QItemSelectionModel

        review.table.selectionModel().select(review.table.model().index(0, 0),
                                             QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        # rows 1 and 0 selected: a multi-selection
        chosen = review.selected_codes()
        assert len(chosen) == 2 and not review.change.isEnabled()  # no new status chosen yet
        offered = [review.status.itemData(i) for i in range(review.status.count())]
        assert offered[0] is None and "received" not in offered and "returned" in offered
        review.status.setCurrentIndex(review.status.findData("processing"))
        assert review.change.isEnabled()
        asked = []
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("đã chuyển xử lý", True))
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
        review.bulk()
        assert asked and "2" in asked[0]  # asked, answered no: nothing changes
        settled(qtbot, runner)
        assert runner.db(lambda s: [s.queue.show(c).status for c in codes]).result(5) == ["received"] * 3
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        review.bulk()
        qtbot.waitUntil(lambda: "Đã đổi 2 hồ sơ" in review.message.text(), timeout=20000)
        statuses = runner.db(lambda s: {c: s.queue.show(c).status for c in codes}).result(5)
        assert sorted(statuses[c] for c in chosen) == ["processing", "processing"]
        assert [statuses[c] for c in codes if c not in chosen] == ["received"]

        window.show_page("dashboard")
        dashboard = window.page("dashboard")
        day = clock.moment.date() - timedelta(days=7)
        from PySide6.QtCore import QDate

        dashboard.preset.setCurrentIndex(dashboard.preset.findData("custom"))
        dashboard.date_from.setDate(QDate(day.year, day.month, day.day))
        dashboard.date_to.setDate(QDate(day.year, day.month, day.day))
        dashboard.report = None
        dashboard.refresh()
        qtbot.waitUntil(lambda: dashboard.report is not None, timeout=10000)
        assert dashboard.report["received"] == 3
        assert "3" in dashboard.tiles["received"].text()
        assert dashboard.by_day.categories and dashboard.by_day.series[0][1] == [3]
    finally:
        window.close()
        runner.shutdown()
