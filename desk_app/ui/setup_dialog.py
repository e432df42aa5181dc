"""First-run set-up: unit identifier, desk number and commune, prefilled so Enter is enough
to reach a working intake page (the values can be changed later by IT staff with
``desk init``). UI thread; saving runs on the DB thread."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
)

from desk_app.i18n import Translator
from desk_app.ui.field_errors import FieldErrors, error_label
from desk_app.ui.tasks import TaskRunner
from desk_app.ui.widgets import with_error

# Embedded defaults: Cao Bằng (GSO 04, letter code H14). The unit identifier is a placeholder
# in the QCVN 102 style; each commune replaces it with its own.
DEFAULT_PROVINCE = 4
DEFAULT_UNIT_CODE = "000.00.00.H14"
DEFAULT_DESK = 1


def configure_desk(services, *, unit_code: str, desk: int, commune_code: str, unit_name: str, officer: str = "") -> dict:
    """DB thread: save the desk's identity and the receiving officer, and load the sample
    catalogue if it has none."""
    config = services.setup.configure(
        unit_code=unit_code, desk=desk, commune_code=commune_code, unit_name=unit_name, officer=officer
    )
    services.catalogue.ensure_sample()
    return config.as_dict()


def list_communes(province_code: int) -> list[tuple[str, str]]:
    """I/O pool: the official commune list of one province."""
    from desk_app.services.setup import communes_of_province

    return communes_of_province(province_code)


class SetupDialog(QDialog):
    def __init__(
        self,
        runner: TaskRunner,
        tr: Translator,
        *,
        provinces: list[tuple[int, str]],
        communes: list[tuple[str, str]],
        parent=None,
    ):
        super().__init__(parent)
        self.runner = runner
        self._tr = tr
        self.config: dict | None = None
        self.setModal(True)
        self.setMinimumWidth(520)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.unit_code = QLineEdit(DEFAULT_UNIT_CODE)
        self.desk = QSpinBox()
        self.desk.setRange(1, 9)
        self.desk.setValue(DEFAULT_DESK)
        self.province = QComboBox()
        for code, name in provinces:
            self.province.addItem(name, code)
        self.province.setCurrentIndex(max(0, self.province.findData(DEFAULT_PROVINCE)))
        self.commune = QComboBox()
        self._fill_communes(communes)
        self.unit_name = QLineEdit()
        self.officer = QLineEdit()
        self.officer.setMaxLength(100)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.save)
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error)

        form = QFormLayout()
        self.labels = [QLabel() for _ in range(6)]
        for label, field, widget in zip(
            self.labels,
            ("unit_code", "desk", "province", "commune_code", "unit_name", "officer_name"),
            (self.unit_code, self.desk, self.province, self.commune, self.unit_name, self.officer),
        ):
            box, error = with_error(widget)
            self.errors.add(field, widget, error)
            label.setBuddy(widget)
            form.addRow(label, box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.province.currentIndexChanged.connect(self._province_changed)
        self.retranslate(tr)
        self.unit_code.setFocus()

    def retranslate(self, tr: Translator) -> None:
        self._tr = tr
        self.setWindowTitle(tr("Cài đặt bàn tiếp nhận"))
        self.intro.setText(
            tr("Lần đầu sử dụng: kiểm tra mã định danh đơn vị, số bàn và xã/phường, rồi nhấn Enter. "
               "Mã đơn vị điền sẵn chỉ là mẫu, hãy thay bằng mã của đơn vị mình.")
        )
        for label, text in zip(
            self.labels,
            (tr("Mã định danh đơn vị"), tr("Số bàn (1-9)"), tr("Tỉnh/thành phố"), tr("Xã/phường"), tr("Tên đơn vị (in trên phiếu)"),
             tr("Họ tên cán bộ tiếp nhận")),
        ):
            label.setText(text)
        self.unit_name.setPlaceholderText(tr("Để trống: UBND + tên xã/phường"))
        self.officer.setPlaceholderText(tr("Ghi vào lịch sử và in trên phiếu (để trống: tên đăng nhập)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Bắt đầu làm việc"))

    def _fill_communes(self, communes: list[tuple[str, str]]) -> None:
        self.commune.clear()
        for code, name in communes:
            self.commune.addItem(f"{name} ({code})", code)

    def _province_changed(self) -> None:
        self.commune.clear()
        self.runner.io(list_communes, self.province.currentData(), on_done=self._fill_communes)

    def save(self) -> None:
        self.errors.clear()
        self.buttons.setEnabled(False)
        self.runner.db(
            configure_desk,
            unit_code=self.unit_code.text(),
            desk=self.desk.value(),
            commune_code=self.commune.currentData() or "",
            unit_name=self.unit_name.text(),
            officer=self.officer.text(),
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, config: dict) -> None:
        self.config = config
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.errors.show(error, self._tr)

