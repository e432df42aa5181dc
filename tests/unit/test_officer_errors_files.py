"""Acceptance fixes: the receiving officer as the actor, translated error parameters, form
availability by status, plural pages, and user-file permissions."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta

import pytest

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.dossier import RECEIVED, RETURNED, check_transition
from desk_app.domain.errors import DeskError, ValidationError
from desk_app.i18n import Translator
from desk_app.services.context import build_services
from desk_app.ui.formatting import pages_text
from desk_common.fsutil import user_file_mode, write_atomic

EN = Translator("en")


def test_status_change_error_shows_labels_in_each_language():
    with pytest.raises(ValidationError) as caught:
        check_transition(RETURNED, RECEIVED)
    assert caught.value.translated(EN) == "A dossier cannot move from status Result returned to Received."
    vietnamese = caught.value.translated(Translator("vi"))
    assert vietnamese == "Không thể chuyển hồ sơ từ trạng thái Đã trả kết quả sang Đã tiếp nhận."


def test_string_params_are_translated_and_unknown_values_stay():
    from desk_app.ui.printing.printer import DEFAULT_PRINTER, PrintError

    assert PrintError("Không tìm thấy máy in {name}.", name=DEFAULT_PRINTER).translated(EN) == "Printer (default) not found."
    assert PrintError("Không tìm thấy máy in {name}.", name="HP LaserJet").translated(EN) == "Printer HP LaserJet not found."
    assert DeskError("Không tìm thấy hồ sơ {code}.", code=12).translated(EN) == "Dossier 12 not found."


def test_officer_name_is_the_actor_from_the_next_write(tmp_path, clock, intake_json):
    ctx = build_services(tmp_path / "d", clock=clock, actor="root")
    try:
        ctx.setup.configure(unit_code="000.31.14.H14", desk=1)
        ctx.catalogue.ensure_sample()
        first = ctx.intake.intake(intake_json)
        assert first.received_by == "root"  # no officer yet: the login name
        printing = ctx.printing
        assert printing.actor == "root"

        assert ctx.setup.set_officer("  Nguyễn   Văn Tiếp ") == "Nguyễn Văn Tiếp"
        # The same service objects, not rebuilt: the change applies at once.
        second = ctx.intake.intake(intake_json)
        assert second.received_by == "Nguyễn Văn Tiếp"
        shown = ctx.queue.set_status(first.code, "transferred", note="x")
        assert shown.history[-1].actor == "Nguyễn Văn Tiếp"
        assert ctx.printing is printing and printing.actor == "Nguyễn Văn Tiếp"
        assert ctx.setup.config().officer_name == "Nguyễn Văn Tiếp"

        # Re-running the set-up without an officer keeps it; an empty one clears it.
        ctx.setup.configure(unit_code="000.31.14.H14", desk=1)
        assert ctx.setup.officer() == "Nguyễn Văn Tiếp"
        ctx.setup.configure(unit_code="000.31.14.H14", desk=1, officer="")
        assert ctx.intake.intake(intake_json).received_by == "root"
        with pytest.raises(ValidationError) as caught:
            ctx.setup.set_officer("x" * 101)
        assert caught.value.field == "officer_name"
    finally:
        ctx.close()


def test_forms_offered_by_status():
    from desk_app.ui.printing.controller import forms_allowed

    now = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
    later = (now + timedelta(days=5)).isoformat()
    soon = (now + timedelta(hours=20)).isoformat()
    past = (now - timedelta(days=1)).isoformat()
    assert forms_allowed("received", later, now) == {"02", "03", "05"}
    assert forms_allowed("processing", soon, now) == {"02", "03", "04", "05"}
    assert forms_allowed("supplement_requested", past, now) == {"02", "03", "04", "05"}
    for closed in ("result_ready", "returned", "refused", "withdrawn"):
        assert forms_allowed(closed, past, now) == {"05"}


def test_pages_singular_and_plural():
    assert pages_text(EN, 1) == "1 page" and pages_text(EN, 3) == "3 pages" and pages_text(EN, 0) == "0 pages"
    vi = Translator("vi")
    assert pages_text(vi, 1) == "1 trang" and pages_text(vi, 3) == "3 trang"


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def test_user_files_follow_the_umask_and_secrets_stay_private(tmp_path, umask_027):
    from desk_app.services.printing import write_atomically

    assert user_file_mode() == 0o640
    pdf = tmp_path / "receipt.pdf"
    write_atomically(pdf, b"%PDF-1.4 test")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o640
    os.umask(0o022)
    write_atomically(pdf, b"%PDF-1.4 again")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o644
    secret = tmp_path / "credential.json"
    write_atomic(secret, b"{}", mode=0o600)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    write_atomic(tmp_path / "blob", b"x")  # the default stays mkstemp's private 0600
    assert stat.S_IMODE((tmp_path / "blob").stat().st_mode) == 0o600
