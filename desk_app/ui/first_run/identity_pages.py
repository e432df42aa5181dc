"""Wizard pages 1 and 2: where the desk is (province, commune from the official list) and who
it is (unit identifier, desk number, unit name, receiving officer). UI thread; the commune
list of another province comes from the I/O pool, saving runs on the DB thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from desk_app.domain.codes import MAX_DESKS, is_placeholder_unit_code
from desk_app.i18n import Translator
from desk_app.ui.first_run.place_finder import PlaceFinder
from desk_app.ui.first_run.step import StepPage
from desk_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the composition root (and the store under it) loads with the services
    from desk_app.services.context import DeskServices


def list_communes(province_code: int) -> list[tuple[str, str]]:
    """I/O pool: the official commune list of one province."""
    from desk_app.services.setup import communes_of_province

    return communes_of_province(province_code)


def configure_step(services: DeskServices, **values) -> dict:
    """DB thread: the desk's identity. The wizard is marked unfinished first, so a wizard left
    after this step comes back at the next start."""
    services.setup.set_setup_pending(True)
    return services.setup.configure(**values).as_dict()


def _titled(caption: QLabel, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(caption)
    layout.addWidget(widget, 1)
    caption.setBuddy(widget)
    return box


class PlacePage(StepPage):
    """Province and commune. Enter in the province list moves to the communes; Enter there
    goes on to the next page."""

    def __init__(self, runner: TaskRunner, tr: Translator, state: dict):
        super().__init__(runner, tr, state)
        self.setTitle(tr("Đơn vị hành chính"))
        self.setSubTitle(tr("Chọn tỉnh/thành phố và xã/phường của Bộ phận Một cửa theo danh mục chính thức. "
                            "Gõ vài chữ của tên, không cần dấu và không cần \"Xã/Phường\" (ví dụ: thuc phan)."))
        self.province = PlaceFinder(show_codes=False)
        self.commune = PlaceFinder()
        self.province.search.setPlaceholderText(tr("Tìm tỉnh/thành phố"))
        self.commune.search.setPlaceholderText(tr("Tìm xã/phường/đặc khu"))
        columns = QHBoxLayout()
        columns.addWidget(_titled(QLabel(tr("&Tỉnh/thành phố")), self.province), 2)
        columns.addWidget(_titled(QLabel(tr("&Xã/phường")), self.commune), 3)
        self.body.addLayout(columns, 1)
        self.finish_layout(stretch=False)  # the lists take the height
        config = state.get("config") or {}
        self.province.set_items(state["provinces"], keep=state.get("province_code"))
        self.commune.set_items(state["communes"], keep=config.get("commune_code"))
        self._province_shown = self.province.code
        self.province.chosen.connect(self._province_chosen)
        self.province.entered.connect(self.commune.search.setFocus)
        self.commune.chosen.connect(lambda *_: self.completeChanged.emit())
        self.commune.entered.connect(lambda: self.wizard().next())

    def initializePage(self) -> None:
        self.province.search.setFocus()

    def isComplete(self) -> bool:
        return self.commune.code is not None

    def _province_chosen(self, code, _name: str) -> None:
        if code is None or code == self._province_shown:
            return
        self._province_shown = code
        self.commune.set_items([])
        self.commune.choice.setText(self.tr_("Đang tải danh sách xã/phường…"))
        self.runner.io(list_communes, code, on_done=lambda items: self._communes_arrived(code, items),
                       on_error=self.failed)

    def _communes_arrived(self, code, items: list[tuple[object, str]]) -> None:
        if code == self.province.code:  # an older answer for a province no longer chosen is dropped
            self.commune.set_items(items)

    def save(self, done) -> bool:
        self.state.update(commune_code=self.commune.code, commune_name=self.commune.name,
                          province_name=self.province.name)
        return False


class UnitPage(StepPage):
    """Unit identifier (both official styles; the example code is refused), desk number,
    unit name and the receiving officer. Next saves them (SetupService.configure)."""

    def __init__(self, runner: TaskRunner, tr: Translator, state: dict):
        super().__init__(runner, tr, state)
        self.setTitle(tr("Mã đơn vị và số bàn"))
        self.setSubTitle(tr("Mã định danh đơn vị do tỉnh cấp, theo một trong hai kiểu: 000.31.14.H14 "
                            "(QCVN 102:2016) hoặc H14.52.01 (Quyết định 20/2020/QĐ-TTg). Mỗi bàn tiếp nhận "
                            "của xã có một số riêng từ 1 đến 9: số bàn là chữ số đầu của số thứ tự hồ sơ."))
        config = state.get("config") or {}
        code = str(config.get("unit_code") or "")
        self.unit_code = QLineEdit("" if is_placeholder_unit_code(code) else code)
        self.unit_code.setPlaceholderText(tr("ví dụ 000.31.14.H14 hoặc H14.52.01"))
        self.unit_code.setMaxLength(40)
        self.desk = QSpinBox()
        self.desk.setRange(1, MAX_DESKS)
        self.desk.setValue(int(config.get("desk") or 1))
        self.unit_name = QLineEdit(str(config.get("unit_name") or ""))
        self.unit_name.setMaxLength(200)
        self.officer = QLineEdit(str(config.get("officer_name") or ""))
        self.officer.setMaxLength(100)
        self.officer.setPlaceholderText(tr("Ghi vào lịch sử và in trên phiếu (để trống: tên đăng nhập)"))
        self.add_form([
            ("unit_code", tr("&Mã định danh đơn vị"), self.unit_code),
            ("desk", tr("&Số bàn (1-9)"), self.desk),
            ("unit_name", tr("&Tên đơn vị (in trên phiếu)"), self.unit_name),
            ("officer_name", tr("&Họ tên cán bộ tiếp nhận"), self.officer),
        ])
        self.finish_layout()

    def initializePage(self) -> None:
        commune = self.state.get("commune_name") or ""
        self.unit_name.setPlaceholderText(self.tr_("Để trống: UBND {commune}", commune=commune) if commune else "")
        self.unit_code.setFocus()

    def save(self, done) -> bool:
        def saved(config) -> None:
            self.state.update(config=config)
            done(config)

        self.runner.db(
            configure_step,
            unit_code=self.unit_code.text(),
            desk=self.desk.value(),
            commune_code=self.state.get("commune_code") or "",
            unit_name=self.unit_name.text(),
            officer=self.officer.text(),
            on_done=saved,
            on_error=self.failed,
        )
        return True
