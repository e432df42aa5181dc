"""The settings on the left of the scan dialog: the scanner (device, paper source, resolution,
page limit) and the target (the dossier document pages go to, with a mode per document).
UI thread only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QSpinBox

from desk_app.i18n import N_, Translator
from desk_app.scanning.sources import ScanSettings
from desk_app.ui.scan.page_list import MODE_LABELS

SOURCE_LABELS = {"flatbed": N_("Mặt kính"), "feeder": N_("Khay nạp giấy"), "duplex": N_("Khay nạp, hai mặt")}
DPI_CHOICES = (150, 200, 300)

# Registers a fixed text of a widget, shown again on a language change: (widget, text, setter) ->
# widget.
TextSetter = Callable[..., object]


def _wide_combo() -> QComboBox:
    combo = QComboBox()
    combo.setMinimumContentsLength(24)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    return combo


class DevicePanel(QGroupBox):
    """"Máy quét": the devices found (filled by ``set_devices``) and the scan settings."""

    def __init__(self, tr: Translator, text: TextSetter):
        super().__init__()
        self._tr = tr
        self.device = _wide_combo()
        self.source = QComboBox()
        self.dpi = QComboBox()
        for dpi in DPI_CHOICES:
            self.dpi.addItem(f"{dpi} dpi", dpi)
        self.dpi.setCurrentIndex(DPI_CHOICES.index(200))
        self.max_pages = QSpinBox()
        self.max_pages.setRange(0, 300)
        self.device.currentIndexChanged.connect(self._device_changed)
        text(self, N_("Máy quét"), "setTitle")
        form = QFormLayout(self)
        for label, field in ((N_("Thiết bị"), self.device), (N_("Nguồn giấy"), self.source),
                             (N_("Độ phân giải"), self.dpi), (N_("Số trang tối đa"), self.max_pages)):
            caption = QLabel()
            text(caption, label)
            form.addRow(caption, field)
        text(self.max_pages, N_("Tất cả"), "setSpecialValueText")

    def retranslate(self, tr: Translator) -> None:
        """Device and source names in ``tr``'s language (fixed texts: the dialog's registry)."""
        self._tr = tr
        for i in range(self.source.count()):
            self.source.setItemText(i, tr(SOURCE_LABELS[self.source.itemData(i)]))
        for i in range(self.device.count()):
            self.device.setItemText(i, self._device_label(self.device.itemData(i)))

    def _device_label(self, info) -> str:
        return info.name + (f" — {self._tr('thử nghiệm')}" if info.experimental else "")

    def set_devices(self, devices: list) -> None:
        self.device.clear()
        for info in devices:
            self.device.addItem(self._device_label(info), info)

    def prefer(self, device_id: str) -> None:
        """Choose ``device_id`` (the scanner picked in the first-run wizard) when it is listed."""
        for index in range(self.device.count()):
            if self.device.itemData(index).id == device_id:
                self.device.setCurrentIndex(index)
                return

    def current_device(self):
        """The chosen device's info, or None when there is none."""
        return self.device.currentData()

    def _device_changed(self) -> None:
        info = self.device.currentData()
        self.source.clear()
        for key in info.sources if info else ():
            self.source.addItem(self._tr(SOURCE_LABELS[key]), key)

    def settings(self, *, single: bool = False) -> ScanSettings:
        """The settings chosen; ``single``: one sheet, on the flatbed when the device has one."""
        source = "flatbed" if single and "flatbed" in self.device.currentData().sources else self.source.currentData()
        limit = 1 if single else (self.max_pages.value() or None)
        return ScanSettings(source=source or "flatbed", dpi=self.dpi.currentData(), max_pages=limit)

    def set_editable(self, editable: bool) -> None:
        for w in (self.device, self.source, self.dpi, self.max_pages):
            w.setEnabled(editable)


class DocumentPanel(QGroupBox):
    """"Giấy tờ": the document new pages go to, and the mode of each document's next scans
    and imports ("auto" until one is chosen)."""

    def __init__(self, documents: list[str], text: TextSetter):
        super().__init__()
        self._modes: dict[str, str] = {}  # document -> mode forced for it
        self.document = _wide_combo()
        self.document.addItems(documents)
        self.mode = QComboBox()
        for key in MODE_LABELS:
            self.mode.addItem("", key)
        self.document.currentIndexChanged.connect(self._document_changed)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        text(self, N_("Giấy tờ"), "setTitle")
        form = QFormLayout(self)
        for caption_text, field in ((N_("Gán cho giấy tờ"), self.document), (N_("Chế độ"), self.mode)):
            caption = QLabel()
            text(caption, caption_text)
            form.addRow(caption, field)

    def retranslate(self, tr: Translator) -> None:
        for i in range(self.mode.count()):
            self.mode.setItemText(i, tr(MODE_LABELS[self.mode.itemData(i)]))

    def current(self) -> str:
        return self.document.currentText()

    def mode_for(self, document: str) -> str:
        return self._modes.get(document, "auto")

    def _document_changed(self) -> None:
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(self.mode.findData(self.mode_for(self.document.currentText())))
        self.mode.blockSignals(False)

    def _mode_changed(self) -> None:
        """The mode chosen applies to the document shown: its next scans and imports."""
        self._modes[self.document.currentText()] = self.mode.currentData()
