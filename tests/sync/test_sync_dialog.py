"""The dialog of held-back records and flags, with the real TaskRunner (DB thread), a real
server and a real quarantine and conflict made by sync rounds."""

from __future__ import annotations

import os

import pytest

from tests.sync.conftest import (
    add_intake,
    add_pages,
    enrolled_desk_at,
    server_dossiers,
    ui_sync_loop,
)

pytestmark = pytest.mark.ui


def test_quarantine_and_flags_are_listed_and_retry_sends_again(qtbot, tmp_path, server, province, clock, intake_json):
    from desk_app.i18n import Translator

    data = tmp_path / "desk"
    ctx = enrolled_desk_at(data, clock, server, province)
    codes = add_intake(ctx, intake_json, 2)
    assert ctx.sync.sync_once().ok
    # A conflict: the province decides while the desk withdraws the dossier.
    province.set_status(codes[0], "processing")
    ctx.queue.set_status(codes[0], "withdrawn")
    # A record held back: its page file is gone from this PC.
    page = os.urandom(3000)
    (sha,) = add_pages(ctx, codes[1], [page])
    blob = ctx.sync.blobs.path_for(sha)
    blob.unlink()
    summary = ctx.sync.sync_once()
    assert summary.quarantined == 1 and summary.changes_flagged == 1, summary
    ctx.close()

    tr = Translator("en")
    runner, window, loop = ui_sync_loop(data, clock, tr)
    widget = loop.widget
    loop.refresh()
    qtbot.waitUntil(lambda: widget.status.get("quarantined") == 1, timeout=5000)
    assert not widget.issues_button.isHidden() and "2" in widget.issues_button.text()

    widget.issues_button.click()
    dialog = loop.issues_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.held_table.rowCount() == 1 and dialog.flag_table.rowCount() == 1, timeout=5000)
    held = [dialog.held_table.item(0, c).text() for c in range(4)]
    assert held[0] == codes[1] and held[1] == "Scanned pages" and "scanned page file" in held[2].lower() and held[3] == "1"
    flag = [dialog.flag_table.item(0, c).text() for c in range(3)]
    assert flag[0] == codes[0] and "Withdrawn" in flag[1] and "In processing" in flag[1] and "the desk" in flag[1]
    assert dialog.windowTitle() == "Sync records to review"

    # The file is found again (restored from a backup): "send again" re-queues the record,
    # and the retry starts a round that sends it.
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(page)
    assert not dialog.retry_button.isEnabled()
    dialog.held_table.selectRow(0)
    assert dialog.retry_button.isEnabled()
    with qtbot.waitSignal(loop.round_finished, timeout=20000) as blocker:
        dialog.retry_button.click()
    assert blocker.args[0]["summary"].ok, blocker.args[0]
    qtbot.waitUntil(lambda: dialog.held_table.rowCount() == 0, timeout=5000)
    assert dialog.held_title.text() == "No records are held back."
    assert dialog.flag_table.rowCount() == 1  # a flag stays for the supervisor
    on_server = {d["code"]: d for d in server_dossiers(server)}
    assert on_server[codes[1]]["files"] == [sha]
    dialog.close()
    loop.shutdown()
    runner.shutdown()
