"""Chi tiết hồ sơ: everything about one dossier, its history, how far its documents are
digitised (scanned pages per document), and recording a status change.
UI thread; reads and writes run on the DB thread. Later features (print the receipt, scan
pages) add their buttons with ``add_action`` and read ``current_code``. After any write to the
dossier shown (a status, a correction, scanned pages, a printed form 02/03, a bulk change), and
after a sync round that changed dossiers (sent, or changed at the province), the runner's change
signal (desk_app/ui/changes.py) reloads it here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desk_app.domain.dossier import (
    REFUSED,
    RETURNED,
    STATUS_LABELS,
    STATUSES,
    TRANSITIONS,
    WITHDRAWN,
)
from desk_app.domain.errors import ValidationError
from desk_app.i18n import Translator
from desk_app.ui.changes import ChangeFollower, dossier_code
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.formatting import (
    kind_label,
    late_text,
    pages_text,
    status_label,
)
from desk_app.ui.ops import Op
from desk_app.ui.pages.dossier_details import FIELDS, detail_texts
from desk_app.ui.pages.dossier_history import history_rows
from desk_app.ui.pages.dossier_pages import DossierPagesBox
from desk_app.ui.tables import fill_table
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import chain_tab_order, heading, with_error

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices
    from desk_app.services.dossier_view import DossierView
    from desk_app.ui.pages.collector_dialog import CollectorDialog
    from desk_app.ui.pages.dossier_edit_dialog import DossierEditDialog

# Statuses that end the dossier's processing (events are append-only: no undo): they need a
# reason and a confirmation whose default answer is "no", so Enter alone never records them.
NEEDS_CONFIRMATION = (REFUSED, WITHDRAWN)


def load_dossier(services: DeskServices, code: str) -> DossierView:
    """DB thread."""
    return services.queue.show(code)


def load_digitise_status(services: DeskServices, code: str) -> dict:
    """DB thread: pages per document and whether the dossier counts as digitised."""
    return services.digitise.status(code)


def record_status(services: DeskServices, code: str, status: str, note: str, collector: dict | None = None) -> DossierView:
    """DB thread: append the status event (and its outbox entry) in one transaction;
    ``collector``: who took the result of a "returned" dossier."""
    return services.queue.set_status(code, status, note=note, collector=collector)


class DossierPage(QWidget):
    dossier_loaded = Signal(object)  # the DossierView shown: after opening, a status recorded here, any change

    def __init__(self, runner: TaskRunner, tr: Translator, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner = runner
        self._tr = tr
        self.dossier: DossierView | None = None
        self.digitise: dict | None = None  # services.digitise.status() of the dossier shown
        self._requested: str | None = None
        ChangeFollower(self, runner.changes, self.reload, wants=lambda code: code == self.current_code, only_visible=False,
                       after_sync=True)

        self._build_head()
        self._build_boxes(runner, tr)
        self._build_change()
        self._build_layout()
        self.toolbar.hide()
        chain_tab_order([self.new_status, self.note, self.apply_button, self.history, self.documents])
        self.retranslate(tr)

    def _build_head(self) -> None:
        """The toolbar (add-ons' actions), the title, status and overdue lines."""
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.title = heading(6)
        self.status_text = heading(2)
        # Overdue, in words (not by colour alone): "Trễ hạn 3 ngày làm việc".
        self.late_text = heading(2)
        self.late_text.setObjectName("lateText")
        self.late_text.setStyleSheet("color: #b00020;")
        self.late_text.hide()
        self.digitise_text = QLabel()
        self.digitise_text.setObjectName("digitiseStatus")
        self.load_error = error_label()

    def _build_boxes(self, runner: TaskRunner, tr: Translator) -> None:
        """The details, documents, pages and history boxes."""
        self.details_box = QGroupBox()
        self.details = QFormLayout(self.details_box)
        self._values: dict[str, tuple[QLabel, QLabel, str]] = {}
        for key, caption in FIELDS:
            name, value = QLabel(), QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.details.addRow(name, value)
            self._values[key] = (name, value, caption)

        self.documents_box = QGroupBox()
        self.documents = self._table(4, stretch=0)
        QVBoxLayout(self.documents_box).addWidget(self.documents)
        self.pages_box = DossierPagesBox(runner, tr)
        self.edit_button = QPushButton()
        self.edit_button.setObjectName("editDossier")
        self.edit_button.clicked.connect(self.edit_dossier)
        self.edit_dialog: DossierEditDialog | None = None  # open while a correction is being made
        self.collector_dialog: CollectorDialog | None = None  # open while "who collects the result" is asked
        self.history_box = QGroupBox()
        self.history = self._table(4, stretch=3)
        QVBoxLayout(self.history_box).addWidget(self.history)

    def _build_change(self) -> None:
        """Recording a status: the new status, the note, Ghi nhận, their error lines."""
        self.change_box = QGroupBox()
        self.new_status = QComboBox()
        self.new_status.setMinimumContentsLength(26)  # "Transferred for processing" fits
        self.new_status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.new_status.currentIndexChanged.connect(lambda _i: self._note_hint())
        self.note = QLineEdit()
        self.apply_button = QPushButton()
        self.apply_button.clicked.connect(self.apply_status)
        self.note.returnPressed.connect(self.apply_status)
        self.confirm_box: QMessageBox | None = None  # open while a final status awaits "yes"
        self.change_error = error_label()
        self.errors = FieldErrors(self.change_error)
        status_box, status_error = with_error(self.new_status)
        self.errors.add("status", self.new_status, status_error)
        note_box, note_error = with_error(self.note)
        self.errors.add("note", self.note, note_error)
        change = QHBoxLayout(self.change_box)
        change.setAlignment(Qt.AlignmentFlag.AlignTop)
        change.addWidget(status_box, 1, Qt.AlignmentFlag.AlignTop)
        change.addWidget(note_box, 2, Qt.AlignmentFlag.AlignTop)
        change.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignTop)

    def _build_layout(self) -> None:
        """Details and pages on the left; documents, history and the status change on the right."""
        right = QVBoxLayout()
        right.addWidget(self.documents_box, 1)
        right.addWidget(self.history_box, 2)
        right.addWidget(self.change_box)
        right.addWidget(self.change_error)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.details_box, 1)
        left.addWidget(self.pages_box)  # the details leave room under them at 1366 x 768
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.edit_button)
        head.addWidget(self.digitise_text)
        head.addWidget(self.status_text)
        head.addWidget(self.late_text)
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(head)
        layout.addWidget(self.load_error)
        layout.addLayout(columns, 1)

    @staticmethod
    def _table(columns: int, stretch: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)  # long text wraps here
        table.setWordWrap(True)
        return table

    # --- extension points ----------------------------------------------------------------------
    def add_action(self, action: QAction) -> None:
        """A later feature's action (print receipt, scan pages) on this page's toolbar; it
        reads ``current_code`` when triggered."""
        self.toolbar.addAction(action)
        self.toolbar.show()

    @property
    def current_code(self) -> str | None:
        return self.dossier.code if self.dossier else None

    def field_text(self, key: str) -> str:
        """What the details show for ``key`` (a FIELDS key, e.g. "applicant.full_name")."""
        return self._values[key][1].text()

    # --- language ------------------------------------------------------------------------------
    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.details_box.setTitle(tr("Thông tin hồ sơ"))
        self.documents_box.setTitle(tr("Giấy tờ đã nhận"))
        self.history_box.setTitle(tr("Lịch sử xử lý"))
        self.change_box.setTitle(tr("Cập nhật trạng thái"))
        self._note_hint()
        self.apply_button.setText(tr("Ghi nhận"))
        self.edit_button.setText(tr("Sửa hồ sơ…"))
        self.edit_button.setToolTip(tr("Sửa thông tin khi hồ sơ còn ở Bộ phận Một cửa (trạng thái Đã tiếp nhận)"))
        self.pages_box.retranslate(tr)
        self.documents.setHorizontalHeaderLabels([tr("Giấy tờ"), tr("Loại"), tr("Số lượng"), tr("Trang đã số hóa")])
        self.history.setHorizontalHeaderLabels([tr("Trạng thái"), tr("Thời điểm"), tr("Người thực hiện"), tr("Ghi chú")])
        for name, _value, caption in self._values.values():
            name.setText(tr(caption))
        self._render()

    # --- loading --------------------------------------------------------------------------------
    def show_dossier(self, code: str, *, highlight: str = "") -> None:
        """``highlight``: the search that found the dossier; its words are shaded on the pages."""
        self.load_error.hide()
        self.errors.clear()
        self._requested = code
        self.runner.db(load_dossier, code, on_done=self._loaded, on_error=self._load_failed)
        self.pages_box.show_pages(code, highlight)
        # Queued after the dossier on the same DB thread, so it arrives just after it.
        self.runner.db(load_digitise_status, code, on_done=self._digitise_loaded, on_error=self._digitise_failed)

    def reload(self) -> None:
        """The dossier shown changed: read it, its page counts and its pages again."""
        if self.current_code:
            self.show_dossier(self.current_code, highlight=self.pages_box.highlight)

    def activate(self) -> None:
        self.new_status.setFocus()

    def _loaded(self, dossier: DossierView) -> None:
        if self.digitise is not None and self.digitise["code"] != dossier.code:
            self.digitise = None  # another dossier's counts
        if self.dossier is None or self.dossier.code != dossier.code or self.dossier.status != dossier.status:
            self.new_status.clear()  # another dossier or status: no earlier choice to keep
        self.dossier = dossier
        self._render()
        self.dossier_loaded.emit(dossier)

    def _digitise_loaded(self, status: dict) -> None:
        if status["code"] != self._requested:
            return  # an older request; the dossier shown changed since
        self.digitise = status
        self._render()

    def _digitise_failed(self, _error: BaseException) -> None:
        # The dossier itself shows (or its own error does); only the page counts are unknown.
        self.digitise = None
        self._render()

    def _load_failed(self, error: BaseException) -> None:
        FieldErrors(self.load_error).show(error, self._tr)

    def _render(self) -> None:
        tr = self._tr
        dossier = self.dossier
        if dossier is None:
            self.title.setText(tr("Chưa chọn hồ sơ"))
            self.status_text.clear()
            self.edit_button.hide()
            self.late_text.hide()
            self.digitise_text.clear()
            return
        self.title.setText(tr("Hồ sơ {code}", code=dossier.code))
        self.status_text.setText(status_label(tr, dossier.status))
        self.edit_button.setVisible(bool(dossier.editable))
        late = late_text(tr, dossier.days_late)
        self.late_text.setText(late)
        self.late_text.setVisible(bool(late))
        for key, text in detail_texts(tr, dossier).items():
            self._values[key][1].setText(text)
        pages = self._page_counts()
        fill_table(
            self.documents,
            [(d.name, kind_label(tr, d.kind), str(d.count), pages.get(d.name, "")) for d in dossier.documents],
        )
        self.digitise_text.setText(self._digitise_summary())
        fill_table(self.history, history_rows(tr, dossier))
        self.history.resizeRowsToContents()
        # Re-rendered when the page counts arrive or the language changes: keep the status the
        # receptionist picked (the first one silently taking its place would record the wrong one).
        chosen = self.new_status.currentData()
        self.new_status.blockSignals(True)
        self.new_status.clear()
        allowed = TRANSITIONS.get(dossier.status, frozenset())
        # Nothing chosen until the receptionist picks a status: Enter in the note must never
        # record "the next status" by default.
        self.new_status.addItem(tr("— Chọn trạng thái mới —"), None)
        for status in (s for s in STATUSES if s in allowed):  # the usual order of a dossier's life
            self.new_status.addItem(status_label(tr, status), status)
        self.new_status.setCurrentIndex(max(0, self.new_status.findData(chosen)) if chosen else 0)
        self.new_status.blockSignals(False)
        self._note_hint()
        can_change = self.new_status.count() > 1
        for widget in (self.new_status, self.note, self.apply_button):
            widget.setEnabled(can_change)

    def _page_counts(self) -> dict[str, str]:
        """Document name -> its scanned pages, as shown ("" while unknown)."""
        status = self.digitise
        if not status or not self.dossier or status["code"] != self.dossier.code:
            return {}
        return {d["name"]: pages_text(self._tr, d["pages"]) for d in status["documents"]}

    def _digitise_summary(self) -> str:
        status, tr = self.digitise, self._tr
        if not status or not self.dossier or status["code"] != self.dossier.code:
            return ""
        if status["digitised"]:
            return tr("Đã số hóa")
        required = [d for d in status["documents"] if d["required"]]
        return tr("Chưa số hóa đủ ({done}/{total} giấy tờ)", done=sum(1 for d in required if d["digitised"]), total=len(required))

    # --- status change ----------------------------------------------------------------------------
    def _note_hint(self) -> None:
        tr = self._tr
        if self.new_status.currentData() in NEEDS_CONFIRMATION:
            self.note.setPlaceholderText(tr("Lý do (bắt buộc)"))
        else:
            self.note.setPlaceholderText(tr("Ghi chú (không bắt buộc)"))

    def apply_status(self) -> None:
        """Ghi nhận (or Enter in the note): record the status; a final one (refused,
        withdrawn) first needs a reason and a "yes" in the confirmation."""
        status = self.new_status.currentData()
        if not self.dossier or self.confirm_box is not None:
            return
        self.errors.clear()
        if status is None:
            self.errors.show(ValidationError("Hãy chọn trạng thái mới trước khi ghi nhận.", field="status"), self._tr)
            return
        if status in NEEDS_CONFIRMATION:
            if not self.note.text().strip():
                self.errors.show(
                    # The label's source text: DeskError.translated() shows it in the current
                    # language.
                    ValidationError("Hãy ghi lý do trước khi ghi nhận: {status}.", field="note", status=STATUS_LABELS[status]),
                    self._tr,
                )
                return
            self._confirm(status)
            return
        if status == RETURNED:
            self.ask_collector()
            return
        self._record(status)

    def _confirm(self, status: str) -> None:
        assert self.dossier is not None  # a status is applied only to the dossier shown
        tr = self._tr
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("Xác nhận trạng thái"))
        box.setText(tr("Ghi nhận hồ sơ {code}: {status}?", code=self.dossier.code, status=status_label(tr, status)))
        box.setInformativeText(
            tr("Lý do: {note}\nTrạng thái này kết thúc việc giải quyết hồ sơ và không thể hủy.", note=self.note.text().strip())
        )
        yes = box.addButton(tr("Ghi nhận"), QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton(tr("Không"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no)  # Enter (e.g. pressed twice in the note) answers "no"
        box.setEscapeButton(no)
        self.confirm_box = box

        def answered(_result: int) -> None:
            self.confirm_box = None
            if box.clickedButton() is yes:
                self._record(status)
            else:
                self.note.setFocus()

        box.finished.connect(answered)
        box.open()

    def _record(self, status: str, collector: dict | None = None) -> None:
        assert self.dossier is not None  # a status is recorded only for the dossier shown
        self.apply_button.setEnabled(False)
        Op(self, self.runner, lambda: self._tr, record_status, self.dossier.code, status, self.note.text(), collector,
           on_success=self._status_recorded, on_failure=self._status_failed, changes=dossier_code).run()

    # --- returned: who collects the result --------------------------------------------------------
    def ask_collector(self) -> None:
        from desk_app.ui.pages.collector_dialog import CollectorDialog

        assert self.dossier is not None  # asked only for the dossier shown
        dialog = CollectorDialog(self._tr, self.dossier, parent=self)
        self.collector_dialog = dialog

        def answered(result: int) -> None:
            self.collector_dialog = None
            if result == CollectorDialog.DialogCode.Accepted:
                self._record(RETURNED, dialog.collector())
            else:
                self.note.setFocus()
            dialog.deleteLater()

        dialog.finished.connect(answered)
        dialog.open()

    # --- correcting a dossier still at the desk ---------------------------------------------------
    def edit_dossier(self) -> None:
        from desk_app.ui.pages.dossier_edit_dialog import load_editable

        if self.dossier and self.dossier.editable and self.edit_dialog is None:
            self.runner.db(load_editable, self.dossier.code, on_done=self._open_editor, on_error=self._status_failed)

    def _open_editor(self, current: dict) -> None:
        from desk_app.ui.pages.dossier_edit_dialog import DossierEditDialog

        dialog = DossierEditDialog(self.runner, self._tr, current, parent=self)
        self.edit_dialog = dialog

        def closed(_result: int) -> None:
            self.edit_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(closed)
        dialog.open()

    def _status_recorded(self, dossier: DossierView) -> None:
        self.note.clear()
        self._loaded(dossier)  # set_status's fresh view, shown at once; other pages hear of it

    def _status_failed(self, error: BaseException) -> None:
        self.apply_button.setEnabled(True)
        self.errors.show(error, self._tr)

