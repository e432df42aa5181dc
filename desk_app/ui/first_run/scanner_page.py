"""Wizard page 4: the scanner, with a test scan, or "no scanner: import files".

Drivers are asked for devices on the I/O pool (it can take seconds), and the test scan runs
there too; the page shows the scanned page small, with its size. Next remembers the choice
(``scanner.device``; "" = pages come from files). UI thread.
"""

from __future__ import annotations

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
)

from desk_app.i18n import Translator
from desk_app.ui.first_run.step import StepPage
from desk_app.ui.tasks import TaskRunner


class ScannerPage(StepPage):
    def __init__(self, runner: TaskRunner, tr: Translator, state: dict):
        super().__init__(runner, tr, state)
        self.setTitle(tr("Máy quét"))
        self.setSubTitle(tr("Chọn máy quét để số hóa giấy tờ và quét thử một trang. Không có máy quét thì "
                            "vẫn số hóa được bằng cách nhập tệp ảnh hoặc PDF."))
        self.use_scanner = QRadioButton(tr("&Dùng máy quét:"))
        self.no_scanner = QRadioButton(tr("&Không có máy quét: nhập giấy tờ từ tệp ảnh/PDF"))
        self.group = QButtonGroup(self)
        self.group.addButton(self.use_scanner)
        self.group.addButton(self.no_scanner)
        self.device = QComboBox()
        self.device.setMinimumWidth(360)
        self.device.addItem(tr("Đang tìm máy quét…"), None)
        self.test_button = QPushButton(tr("&Quét thử"))
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_scan)
        self.preview = QLabel()
        self.preview.setMinimumSize(160, 200)
        row = QHBoxLayout()
        row.addWidget(self.use_scanner)
        row.addWidget(self.device, 1)
        row.addWidget(self.test_button)
        self.body.addLayout(row)
        self.body.addWidget(self.no_scanner)
        self.body.addWidget(self.preview)
        self.finish_layout()
        self.errors.add("device", self.device)
        self.use_scanner.toggled.connect(self._mode_changed)
        self.no_scanner.setChecked(True)
        self._mode_changed()
        self.scanned: dict | None = None
        self.scanning = False
        self._looked = False

    def initializePage(self) -> None:
        if not self._looked:
            self._looked = True
            from desk_app.services.first_run import list_scanners

            self.status.setText(self.tr_("Đang tìm máy quét…"))
            self.runner.devices(list_scanners, on_done=self.fill_devices, on_error=lambda _e: self.fill_devices([]))
        (self.device if self.use_scanner.isChecked() else self.no_scanner).setFocus()

    def fill_devices(self, devices: list[dict]) -> None:
        tr = self.tr_
        self.device.clear()
        for info in devices:
            self.device.addItem(info["name"], info["id"])
        if devices:
            self.status.setText(tr("Tìm thấy {count} máy quét.", count=len(devices)))
            self.use_scanner.setChecked(True)
            self.device.setFocus()
        else:
            self.status.setText(tr("Không tìm thấy máy quét nào. Hãy kiểm tra cáp và nguồn điện; trên Linux cần "
                                   "trình điều khiển SANE (gói sane-utils và bản cài desk-app[sane]). Có thể chọn "
                                   "máy quét sau, trong hộp thoại Quét giấy tờ."))
            self.no_scanner.setChecked(True)
        self._mode_changed()

    def _mode_changed(self, *_args) -> None:
        has_devices = self.device.count() > 0 and self.device.currentData() is not None
        self.use_scanner.setEnabled(has_devices)
        scanning = self.use_scanner.isChecked() and has_devices
        self.device.setEnabled(scanning)
        self.test_button.setEnabled(scanning)

    def chosen_device(self) -> str:
        return (self.device.currentData() or "") if self.use_scanner.isChecked() else ""

    def test_scan(self) -> None:
        from desk_app.services.first_run import test_scan

        device = self.chosen_device()
        if not device or self.scanning:
            return
        self.scanning = True  # the button stays enabled: disabling it would throw the focus out of the page
        self.errors.clear()
        self.status.setText(self.tr_("Đang quét thử trên {device}…", device=self.device.currentText()))
        self.runner.devices(test_scan, device, on_done=self._scanned, on_error=self._scan_failed)

    def _scanned(self, result: dict) -> None:
        self.scanned = result
        self.scanning = False
        pixmap = QPixmap()
        pixmap.loadFromData(result["png"], "PNG")
        self.preview.setPixmap(pixmap)
        self.status.setText(self.tr_("Quét thử được: trang {width} × {height} điểm ảnh ở {dpi} dpi, trong {seconds} giây.",
                                     width=result["width"], height=result["height"], dpi=result["dpi"],
                                     seconds=result["seconds"]))

    def _scan_failed(self, error: BaseException) -> None:
        self.scanning = False
        self.status.clear()
        self.errors.show(error, self.tr_)

    def save(self, done) -> bool:
        from desk_app.services.first_run import save_scanner_db

        device = self.chosen_device()
        self.state["scanner"] = self.device.currentText() if device else ""
        self.runner.db(save_scanner_db, device, on_done=done, on_error=self.failed)
        return True
