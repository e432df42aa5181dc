"""One way to run background work from a widget: an ``Op`` bound to its parent.

    Op(page, runner, tr, prepare_job, code, form, on_success=self._show) \\
        .then(render_step, executor=IO) \\
        .run()

says what runs (``run(services, *args)`` on the DB or reader thread, ``run(*args)`` on the other
executors), where (``executor``: a ``TaskRunner`` method name), what to do with the answer
(``on_success``, UI thread) and when it fails (``on_failure``; by default a visible message
in the desk's language — the runner has logged the failure already). ``.then(step)`` runs the
next step with the previous step's answer, on its own executor, instead of callbacks nested
inside callbacks. ``progress(True)`` / ``progress(False)`` frame the whole chain. An answer for
a parent widget that was closed and deleted meanwhile goes nowhere. A write names the dossiers
it changed (``changes=``): ``runner.changes`` then tells every page (desk_app.ui.changes).
UI thread; built on ``desk_app.ui.tasks.TaskRunner``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desk_app.domain.errors import DeskError
from desk_app.i18n import Translator
from desk_app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

DB = "db"  # the one writer thread: run(services, *args)
READ = "read"  # the reader thread and connection (slow read-only queries): run(services, *args)
IO = "io"  # printer, scanner, network, files: run(*args)
FAILURE_BOX = "op-failure"  # object name of the default failure message (tests find it by it)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]
TranslatorSource = Translator | Callable[[], Translator]


@dataclass(frozen=True)
class _Step:
    run: Callable[..., Any]
    args: tuple[Any, ...]
    executor: str


def error_text(tr: Translator, error: BaseException) -> str:
    """What a person reads about ``error``: a refusal's own message, else a general one (the
    details of a bug are in the log, not in front of the citizen)."""
    if isinstance(error, DeskError):
        return error.translated(tr)
    return tr("Lỗi không mong đợi: {detail}", detail=str(error) or type(error).__name__)


def show_failure(parent: QWidget | None, tr: Translator, error: BaseException) -> QMessageBox:
    """The default failure: a warning box in front of ``parent``, not blocking the UI thread
    (``open``, not ``exec``: the answers of other work keep arriving meanwhile)."""
    box = QMessageBox(QMessageBox.Icon.Warning, tr("Không thực hiện được"), error_text(tr, error),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName(FAILURE_BOX)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class Op:
    """Background work bound to ``parent``; nothing runs until ``run()``."""

    def __init__(
        self,
        parent: QObject,
        runner: TaskRunner,
        tr: TranslatorSource,
        run: Callable[..., Any],
        *args: Any,
        executor: str = DB,
        on_success: Success | None = None,
        on_failure: Failure | None = None,
        progress: Callable[[bool], None] | None = None,
        changes: Callable[[Any], Iterable[str]] | None = None,
    ) -> None:
        self.parent = parent
        self.runner = runner
        self._tr = tr
        self._steps = [_Step(run, args, executor)]
        self._on_success = on_success
        self._on_failure = on_failure
        self._progress = progress
        self._changes = changes
        self._started = False

    @property
    def tr(self) -> Translator:
        return self._tr if isinstance(self._tr, Translator) else self._tr()

    def then(self, run: Callable[..., Any], *, executor: str = IO) -> Op:
        """Run ``run(previous answer)`` (``run(services, previous)`` on DB/READ) after the
        steps before it; the last step's answer goes to ``on_success``."""
        if self._started:
            raise RuntimeError("an operation's steps are set before it runs")
        self._steps.append(_Step(run, (), executor))
        return self

    def run(self) -> Op:
        """Start the first step (UI thread). Returns the op."""
        if self._started:
            raise RuntimeError("an operation runs once")
        self._started = True
        if self._progress is not None:
            self._progress(True)
        self._submit(0, self._steps[0].args)
        return self

    def alive(self) -> bool:
        """Whether the parent still exists (a dialog closed with delete-on-close does not)."""
        return shiboken6.isValid(self.parent)

    def _submit(self, index: int, args: tuple[Any, ...]) -> None:
        step = self._steps[index]
        submit = getattr(self.runner, step.executor)
        submit(step.run, *args, on_done=lambda result: self._step_done(index, result), on_error=self._failed)

    def _step_done(self, index: int, result: Any) -> None:
        if not self.alive():
            log.debug("dropped the answer of %s: its widget is gone", self._steps[index].run)
            if self._changes is not None and index + 1 == len(self._steps):
                self.runner.changes.announce(self._changes(result))  # the write happened all the same
            return
        if index + 1 < len(self._steps):
            self._submit(index + 1, (result,))
            return
        if self._progress is not None:
            self._progress(False)
        if self._changes is not None:
            self.runner.changes.announce(self._changes(result))
        if self._on_success is not None:
            self._on_success(result)

    def _failed(self, error: BaseException) -> None:
        if not self.alive():
            return
        if self._progress is not None:
            self._progress(False)
        if self._on_failure is not None:
            self._on_failure(error)
            return
        parent = self.parent if isinstance(self.parent, QWidget) else None
        show_failure(parent, self.tr, error)


class LatestAnswer:
    """For a page that asks again before the previous answer came back (opening it asks for
    its default view, a filter chosen at once asks again): only the answer to the latest
    question is shown, so a late answer never fills the page for a view no longer chosen."""

    def __init__(self) -> None:
        self._asked = 0

    def callback(self, show: Callable[[Any], None]) -> Callable[[Any], None]:
        """A new question: its answer goes to ``show`` unless another was asked meanwhile."""
        self._asked += 1
        asked = self._asked

        def answered(answer: Any) -> None:
            if asked == self._asked:
                show(answer)

        return answered
