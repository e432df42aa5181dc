"""A desk with one account of each role."""

from __future__ import annotations

import pytest

PASSWORDS = {"admin": "quan-tri-123", "giamsat": "giam-sat-123", "tiepnhan": "tiep-nhan-123"}
ROLES = {"admin": "admin", "giamsat": "supervisor", "tiepnhan": "receptionist"}


@pytest.fixture
def staffed(desk):
    """``desk`` with an admin, a supervisor and a receptionist; nobody signed in."""
    desk.accounts.create_first_admin("admin", "Hoàng Văn Quản", PASSWORDS["admin"])
    assert desk.accounts.current.username == "admin"  # signed in by creating it
    desk.accounts.add("giamsat", "supervisor", "Lý Thị Giám", PASSWORDS["giamsat"])
    desk.accounts.add("tiepnhan", "receptionist", "Nông Văn Nhận", PASSWORDS["tiepnhan"])
    desk.accounts.logout()
    return desk


def login(ctx, username: str) -> None:
    ctx.accounts.login(username, PASSWORDS[username])
