"""Background work started once the intake page is usable (the JBIG2 coder's warm-up)."""

from __future__ import annotations

import threading

from tests.ui.conftest import open_window


def test_warm_up_starts_once_the_intake_page_is_up_and_off_the_ui_thread(qtbot, data_dir, clock):
    calls: list[tuple[str, int]] = []
    window, runner, _startup, ready = open_window(
        qtbot, data_dir, clock,
        warm_up=lambda: calls.append((threading.current_thread().name, window.stack.currentWidget() is window.intake)),
    )
    qtbot.waitUntil(lambda: bool(ready) and bool(calls), timeout=10000)
    thread, intake_shown = calls[0]
    assert thread.startswith("desk-devices") and intake_shown and len(calls) == 1
    window.close()
    runner.shutdown()
