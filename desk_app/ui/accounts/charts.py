"""A small grouped bar chart drawn with QPainter (PySide6-Essentials has no QtCharts; a chart
library would add megabytes to the offline bundle for two charts). UI thread."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

PALETTE = ("#2f6fb0", "#e08a1e", "#3a9a5b", "#b03a3a", "#7a5cae")


class BarChart(QWidget):
    """Categories along the bottom, one bar per series in each, a legend on top."""

    def __init__(self, title: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.categories: list[str] = []
        self.series: list[tuple[str, list[float]]] = []
        self.setMinimumHeight(180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(480, 220)

    def set_data(self, categories: list[str], series: list[tuple[str, list[float]]], title: str | None = None) -> None:
        self.categories = categories
        self.series = series
        if title is not None:
            self.title = title
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(8, 4, -8, -4)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = painter.fontMetrics()
        line = metrics.height()
        painter.setPen(QColor("#222"))
        painter.drawText(rect.left(), rect.top() + line, self.title)
        # legend
        x = rect.left()
        y = rect.top() + line + 4
        for i, (name, _values) in enumerate(self.series):
            painter.fillRect(QRectF(x, y + 2, 10, 10), QColor(PALETTE[i % len(PALETTE)]))
            painter.drawText(x + 14, y + line - 3, name)
            x += 24 + metrics.horizontalAdvance(name)
        top = y + line + 6
        bottom = rect.bottom() - line - 4
        left = rect.left() + metrics.horizontalAdvance("00000") + 6
        highest = max((v for _n, values in self.series for v in values), default=0) or 1
        painter.setPen(QPen(QColor("#999")))
        painter.drawLine(left, bottom, rect.right(), bottom)
        painter.drawText(rect.left(), top + line, f"{highest:g}")
        painter.drawText(rect.left(), bottom, "0")
        if not self.categories or bottom <= top:
            return
        slot = (rect.right() - left) / len(self.categories)
        bar = max(1.0, slot * 0.8 / max(1, len(self.series)))
        label_every = max(1, int(metrics.horizontalAdvance("00/00 ") / slot) + 1)
        for c, category in enumerate(self.categories):
            base = left + c * slot + slot * 0.1
            for s, (_name, values) in enumerate(self.series):
                value = values[c] if c < len(values) else 0
                height = (bottom - top) * value / highest
                painter.fillRect(QRectF(base + s * bar, bottom - height, bar - 1, height), QColor(PALETTE[s % len(PALETTE)]))
            if c % label_every == 0:
                painter.setPen(QColor("#444"))
                room = slot * label_every
                text = metrics.elidedText(category, Qt.TextElideMode.ElideRight, int(room) - 4)
                painter.drawText(QRectF(left + c * slot + slot / 2 - room / 2, bottom + 2, room, line),
                                 Qt.AlignmentFlag.AlignHCenter, text)
        painter.end()
