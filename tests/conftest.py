"""Shared fixtures. A test that needs a component (display, SANE device, PostgreSQL) may skip
only outside CI: with CI=true a missing component is an error, never a silent skip."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, why: str) -> None:
    """Skip locally, fail in CI, when a component is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required component missing in CI: {why}")
    pytest.skip(why)


class FixedClock:
    """A settable clock for services (Vietnam local time)."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock():
    from desk_app.domain.calendar import VN_TZ

    return FixedClock(datetime(2026, 11, 18, 9, 30, tzinfo=VN_TZ))  # a Wednesday


@pytest.fixture
def desk(tmp_path, clock):
    """A configured desk (desk 3 of Phường Thục Phán) with the sample catalogue."""
    from desk_app.services.context import build_services

    ctx = build_services(tmp_path / "data", clock=clock, actor="tester")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    yield ctx
    ctx.close()


SAMPLE_QR = "004099001234|123456789|Nguyễn Văn An|15081999|Nam|Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng|10072024"


@pytest.fixture
def intake_json():
    return {
        "procedure_code": "1.001193.000.00.00.H14",
        "applicant": {
            "full_name": "Nguyễn Thị Đào",
            "id_number": "004199012345",
            "birth_date": "1999-05-20",
            "gender": "Nữ",
            "address": "Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng",
            "phone": "0912345678",
            "email": "dao@example.vn",
        },
        "documents": [
            {"name": "Tờ khai đăng ký khai sinh", "kind": "original", "count": 1},
            {"name": "Giấy chứng sinh", "kind": "original", "count": 1},
        ],
        "sets": 1,
        "return_channel": "desk",
    }


def desk_cli(*args: str, input: str | None = None, env: dict | None = None):
    """Run the real ``desk`` command in a subprocess."""
    import subprocess

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "desk_app", *args],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def _qt_garbage_collected_here(request):
    """After a test with Qt widgets, collect the cyclic garbage on this (the GUI) thread. A
    window the test left (signals connected to lambdas hold it in cycles) would otherwise be
    freed by whichever thread next runs the collector: in a later test of the same worker, a
    sync or proxy thread, and Qt objects must be destroyed on their own thread (a CI worker
    crashed in tests/sync/test_faults.py after the sync widget tests)."""
    yield
    if "qtbot" in request.fixturenames:
        import gc

        gc.collect()


@pytest.fixture(scope="session", autouse=True)
def _jbig2_coder_compiled(request):
    """Text pages are stored as JBIG2, whose coder numba compiles on its first use (10-35 s on a
    fresh checkout, cached beside the module after). Sessions with scanning or UI tests compile it
    here, before any test that waits for a scanned page with a timeout."""
    if not any(item.path.parent.name in ("scanning", "ui") for item in request.session.items):
        return
    from desk_app.scanning import jbig2

    if jbig2.compiled():
        assert jbig2.warm_up()
