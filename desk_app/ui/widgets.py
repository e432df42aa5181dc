"""Small widget helpers shared by the pages. UI thread only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desk_app.ui.field_errors import error_label


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab goes through ``widgets`` in the given order (rows built later included)."""
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)


def with_error(widget: QWidget) -> tuple[QWidget, QLabel]:
    """``widget`` with an (initially hidden) error label right under it."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    label = error_label()
    layout.addWidget(label)
    return box, label


def heading(point_size_delta: int = 4, *, bold: bool = True) -> QLabel:
    label = QLabel()
    font = label.font()
    font.setPointSize(font.pointSize() + point_size_delta)
    font.setBold(bold)
    label.setFont(font)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
