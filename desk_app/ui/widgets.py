"""Small widget helpers shared by the pages. UI thread only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desk_app.ui.field_errors import error_label


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    """Tab goes through ``widgets`` in the given order (rows built later included)."""
    for first, second in zip(widgets, widgets[1:], strict=False):
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


# Room left around a top-level window for its frame and title bar (not known before it shows).
FRAME_ALLOWANCE = (16, 40)


def available_area(widget: QWidget) -> QRect:
    """The screen area ``widget`` may use (without the taskbar), for the screen it is on or
    its parent's, else the primary one."""
    screen = (widget.parentWidget() or widget).screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(window: QWidget, width: int, height: int) -> bool:
    """Size a top-level window ``width`` × ``height``, or as much of it as the available
    screen area holds with its frame (a 1366×768 commune PC with a taskbar has ~1366×728).
    Returns True when it had to shrink. Call before the window first shows."""
    area = available_area(window)
    room_w, room_h = area.width() - FRAME_ALLOWANCE[0], area.height() - FRAME_ALLOWANCE[1]
    fitted_w, fitted_h = min(width, room_w), min(height, room_h)
    window.resize(fitted_w, fitted_h)
    return (fitted_w, fitted_h) != (width, height)
