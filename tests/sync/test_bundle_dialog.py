"""Quản trị → Xuất gói đồng bộ ra USB: an enrolled desk writes its pending records to a signed
bundle from the main window (the folder created if missing), on the DB thread."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.ui


def test_bundle_export_from_the_admin_menu(qtbot, tmp_path, server, province, clock, intake_json):
    from desk_app.i18n import Translator
    from desk_app.ui.admin import install_admin
    from tests.sync.conftest import enrolled_desk_at, ui_sync_loop

    data = tmp_path / "desk"
    ctx = enrolled_desk_at(data, clock, server, province)
    code = ctx.intake.intake(intake_json).code
    ctx.close()
    runner, window, loop = ui_sync_loop(data, clock, Translator("vi"))
    admin = install_admin(window, runner)
    assert [a.text() for a in admin.menu.actions()] == [
        "Nhập danh mục thủ tục…", "Lịch nghỉ, làm bù…", "Xuất gói đồng bộ ra USB…"]
    admin.actions["bundle"].trigger()
    dialog = admin.dialogs["bundle"]
    out = tmp_path / "usb" / "moi" / "goi.bundle"  # the folders do not exist yet
    dialog.path.setText(str(out))
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.export_result["out"] == str(out)
    from sync.bundle import read_manifest

    manifest, _raw, _signature = read_manifest(out, province.bundle_key)  # sealed to the province
    assert code in json.dumps(manifest, ensure_ascii=False)
    assert "goi.bundle" in window.statusBar().currentMessage()
    loop.shutdown()
    runner.shutdown()
