"""The supervisor's review queue: views, filters, bulk status change with permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk_app.domain.errors import ForbiddenError
from tests.accounts.conftest import login


def test_views_and_overdue_excludes_result_ready(desk, clock, intake_json):
    start = clock.moment
    codes = [desk.intake.intake(intake_json).code for _ in range(4)]  # due later today (8 working hours)
    assert set(desk.review.counts()) == {"due_today", "due_soon", "overdue", "supplement", "refused", "unsynced"}
    assert desk.review.counts()["unsynced"] == 4
    desk.queue.set_status(codes[0], "result_ready")
    desk.queue.set_status(codes[1], "supplement_requested")
    desk.queue.set_status(codes[2], "refused", note="thiếu giấy tờ")
    clock.moment = start + timedelta(days=10)
    overdue = {r["code"] for r in desk.review.rows("overdue")}
    assert overdue == {codes[1], codes[3]}  # result-ready and refused ones are not "overdue"
    assert [r["code"] for r in desk.review.rows("supplement")] == [codes[1]]
    assert [r["code"] for r in desk.review.rows("refused")] == [codes[2]]
    assert desk.review.rows("overdue", received_by="khác") == []
    assert len(desk.review.rows("overdue", received_by="tester")) == 2
    assert desk.review.rows("overdue", procedure_code="2.000908.000.00.00.H14") == []
    assert desk.review.rows("overdue", date_from=start.date() + timedelta(days=1)) == []


def test_due_soon_counts_two_working_days(desk, clock, intake_json):
    # Wednesday 18 Nov: a 3-working-day procedure is due Monday, beyond Fri (2 working days).
    long = {**intake_json, "procedure_code": "1.004222.000.00.00.H14",
            "documents": [{"name": "Tờ khai thay đổi thông tin cư trú (mẫu CT01)", "kind": "original", "count": 1}]}
    today = desk.intake.intake(intake_json).code
    later = desk.intake.intake(long).code
    soon = {r["code"] for r in desk.review.rows("due_soon")}
    assert today in soon and later not in soon
    clock.moment += timedelta(days=2)  # Friday: Monday is within 2 working days
    assert later in {r["code"] for r in desk.review.rows("due_soon")}


def test_bulk_status_needs_a_supervisor_and_reports_each_dossier(staffed, intake_json):
    login(staffed, "tiepnhan")
    codes = [staffed.intake.intake(intake_json).code for _ in range(3)]
    with pytest.raises(ForbiddenError):
        staffed.review.bulk_status(codes, "processing")
    staffed.queue.set_status(codes[2], "result_ready")
    staffed.accounts.logout()
    login(staffed, "giamsat")
    result = staffed.review.bulk_status(codes, "withdrawn", note="công dân rút")
    assert result["done"] == codes[:2]
    assert [f["code"] for f in result["failed"]] == [codes[2]]  # result_ready cannot be withdrawn
    entries = staffed.audit.entries(user="giamsat", action="dossier.status")
    assert {e["code"] for e in entries} == set(codes[:2])
