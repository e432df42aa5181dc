"""The receiving officer: named in the set-up wizard, shown in the status bar, changed from the
File menu, and recorded as who received the next dossier."""

from __future__ import annotations

from desk_app.i18n import Translator


def test_officer_from_setup_and_file_menu(qtbot, tmp_path, clock, intake_json):
    from desk_app.services.context import build_services
    from desk_app.ui.first_run.identity_pages import UnitPage
    from desk_app.ui.tasks import TaskRunner

    data = tmp_path / "d"
    runner = TaskRunner(lambda: build_services(data, clock=clock, actor="root"))
    try:
        # The wizard's identity step (the whole wizard: tests/ui/test_first_run_wizard.py).
        state = {"commune_code": "01273"}
        page = UnitPage(runner, Translator("vi"), state)
        qtbot.addWidget(page)
        page.unit_code.setText("000.31.14.H14")
        page.officer.setText("Nguyễn Văn Tiếp")
        saved = []
        page.save(saved.append)
        qtbot.waitUntil(lambda: bool(saved), timeout=10000)
        config = state["config"]
        assert config["officer_name"] == "Nguyễn Văn Tiếp"

        from desk_app.ui.main_window import MainWindow

        window = MainWindow(runner, Translator("vi"))
        qtbot.addWidget(window)
        window.set_config(config)
        assert "Cán bộ: Nguyễn Văn Tiếp" in window.desk_label.text()
        assert window.officer_action.text() == "Cán bộ tiếp nhận…"
        window.officer_action.trigger()
        officer = window.officer_dialog
        qtbot.waitUntil(lambda: officer.name.isEnabled() and officer.name.text() == "Nguyễn Văn Tiếp", timeout=5000)
        officer.name.setText("Trần Thị Hoa")
        with qtbot.waitSignal(officer.saved, timeout=5000):
            officer.save()
        assert "Cán bộ: Trần Thị Hoa" in window.desk_label.text()
        done = []
        runner.db(lambda services: (services.catalogue.ensure_sample(), services.intake.intake(intake_json))[1].received_by,
                  on_done=done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=5000)
        assert done == ["Trần Thị Hoa"]
    finally:
        runner.shutdown()
