"""The status bar says how long the oldest unsent record has waited, read through the sync
service (no store access from the UI), and "Đồng bộ ngay" offline says why and when the next
try is (tests/sync/test_sync_widget.py drives that against a real server that goes away)."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = pytest.mark.ui


def test_oldest_unsent_age_in_the_status_bar(qtbot, tmp_path, clock, intake_json):
    from desk_app.i18n import Translator
    from desk_app.services.context import build_services
    from tests.sync.conftest import ui_sync_loop

    data = tmp_path / "desk"
    ctx = build_services(data, clock=clock, actor="tester")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.intake.intake(intake_json)
    clock.moment += timedelta(minutes=20)
    ctx.intake.intake(intake_json)
    clock.moment += timedelta(hours=3)
    status = ctx.sync.status(ping=False)
    assert status["oldest_unsent_seconds"] == 3 * 3600 + 20 * 60  # the first one, not the newest
    ctx.close()

    runner, window, loop = ui_sync_loop(data, clock, Translator("vi"))
    widget = loop.widget
    with qtbot.waitSignal(runner.busy_changed, timeout=5000, check_params_cb=lambda busy: not busy):
        loop.refresh()
    qtbot.waitUntil(lambda: "chờ lâu nhất" in widget.outbox_label.text(), timeout=5000)
    assert widget.outbox_label.text().startswith("Chờ gửi: 2")
    assert "chờ lâu nhất 3 giờ" in widget.outbox_label.text()
    clock.moment += timedelta(days=2)
    loop.refresh()
    qtbot.waitUntil(lambda: "chờ lâu nhất 2 ngày" in widget.outbox_label.text(), timeout=5000)
    window.set_language("en")
    assert "oldest waiting 2 day(s)" in widget.outbox_label.text()
    loop.shutdown()
    runner.shutdown()
