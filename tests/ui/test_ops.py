"""The operation helper (desk_app/ui/ops.py) on the real TaskRunner and a real database: an
answer reaches its widget, a failure is shown by default, an answer for a deleted widget goes
nowhere, and chained steps run in order on their own threads, each with the previous answer."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desk_app.domain.errors import ValidationError
from desk_app.i18n import Translator
from desk_app.services.context import build_services
from desk_app.ui.ops import DB, FAILURE_BOX, IO, Op
from desk_app.ui.tasks import TaskRunner

pytestmark = pytest.mark.ui


@pytest.fixture
def runner(tmp_path, clock):
    runner = TaskRunner(lambda: build_services(tmp_path / "data", clock=clock, actor="t"))
    yield runner
    runner.shutdown()


def settle(qtbot, runner: TaskRunner) -> None:
    """Wait until a no-op queued behind everything on the DB thread has answered."""
    done: list[object] = []
    runner.db(lambda _s: None, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)


def test_success_reaches_the_widget_with_the_answer(qtbot, runner):
    parent = QWidget()
    qtbot.addWidget(parent)
    got: list[int] = []
    Op(parent, runner, Translator("vi"), lambda services, n: services.store.count_procedures() + n, 1000,
       on_success=got.append).run()
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    assert got[0] >= 1000


def test_a_failure_shows_a_visible_vietnamese_message_by_default(qtbot, runner, caplog):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()

    def refuse(_services):
        raise ValidationError("Mã hồ sơ {code} không đúng.", code="X-1")

    Op(parent, runner, Translator("vi"), refuse).run()
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, FAILURE_BOX) is not None, timeout=10000)
    box = parent.findChild(QMessageBox, FAILURE_BOX)
    assert box.isVisible()
    assert box.text() == "Mã hồ sơ X-1 không đúng."
    assert box.windowTitle() == "Không thực hiện được"
    assert any("refuse" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)  # and logged
    box.close()


def test_an_unexpected_failure_says_so_in_english_too(qtbot, runner):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    Op(parent, runner, Translator("en"), lambda: 1 / 0, executor=IO).run()
    qtbot.waitUntil(lambda: parent.findChild(QMessageBox, FAILURE_BOX) is not None, timeout=10000)
    box = parent.findChild(QMessageBox, FAILURE_BOX)
    assert box.isVisible() and "division by zero" in box.text()
    assert box.windowTitle() != "Không thực hiện được"  # translated
    box.close()


def test_an_answer_for_a_deleted_widget_goes_nowhere_but_its_write_is_announced(qtbot, runner):
    parent = QWidget()
    release = threading.Event()
    got: list[object] = []
    failed: list[BaseException] = []
    announced: list[str] = []
    runner.changes.dossier_changed.connect(announced.append)

    def slow(_services):
        assert release.wait(10)
        return {"code": "H14-1"}

    Op(parent, runner, Translator("vi"), slow, on_success=got.append, on_failure=failed.append,
       progress=lambda busy: got.append(busy), changes=lambda r: [r["code"]]).run()
    assert got == [True]  # progress started
    shiboken6.delete(parent)  # the dialog is closed and deleted while its work runs
    release.set()
    settle(qtbot, runner)
    assert got == [True] and not failed
    assert announced == ["H14-1"]  # the pages still learn of the write
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == FAILURE_BOX]


def test_chained_steps_run_in_order_on_their_executors_with_the_previous_answer(qtbot, runner):
    parent = QWidget()
    qtbot.addWidget(parent)
    trail: list[tuple[str, object]] = []
    busy: list[bool] = []

    def first(_services, code):
        trail.append((threading.current_thread().name, code))
        return code + "-a"

    def second(previous):
        trail.append((threading.current_thread().name, previous))
        return previous + "-b"

    def third(_services, previous):
        trail.append((threading.current_thread().name, previous))
        return previous + "-c"

    got: list[str] = []
    (Op(parent, runner, Translator("vi"), first, "x", on_success=got.append, progress=busy.append)
        .then(second, executor=IO)
        .then(third, executor=DB)
        .run())
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    assert got == ["x-a-b-c"]
    assert [value for _t, value in trail] == ["x", "x-a", "x-a-b"]
    threads = [name.split("_")[0] for name, _v in trail]
    assert threads == ["desk-db", "desk-io", "desk-db"]
    assert busy == [True, False]


def test_a_failing_step_stops_the_chain(qtbot, runner):
    parent = QWidget()
    qtbot.addWidget(parent)
    ran: list[str] = []
    failed: list[BaseException] = []

    def broken(_services):
        raise ValidationError("Không đọc được.")

    (Op(parent, runner, Translator("vi"), broken, on_failure=failed.append)
        .then(lambda previous: ran.append(previous), executor=IO)
        .run())
    qtbot.waitUntil(lambda: bool(failed), timeout=10000)
    settle(qtbot, runner)
    assert ran == [] and isinstance(failed[0], ValidationError)


def test_only_the_latest_answer_is_shown():
    from desk_app.ui.ops import LatestAnswer

    shown: list[str] = []
    latest = LatestAnswer()
    first, second = latest.callback(shown.append), latest.callback(shown.append)
    second("tuần này")  # the period chosen last answers first...
    first("30 ngày")  # ...and the page's opening question answers late: not shown
    assert shown == ["tuần này"]
    latest.callback(shown.append)("hôm nay")
    assert shown == ["tuần này", "hôm nay"]
