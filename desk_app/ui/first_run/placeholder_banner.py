"""A warning across the top of the intake page while the desk still has the example unit code
(000.00.00.H14, from 0.1's set-up dialog): saving is refused by the intake service anyway
(SetupService.check_ready_for_intake); this says so before anything is typed. UI thread."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from desk_app.services.setup import PLACEHOLDER_INTAKE_MESSAGE

BANNER_STYLE = "QLabel { background: #fff4e5; border: 2px solid #b00020; color: #7a0014; padding: 8px; font-weight: bold; }"


def show_placeholder_warning(window, unit_code: str) -> QLabel:
    """Put (or refresh) the warning at the top of ``window.intake``; follows language changes."""
    page = window.intake
    banner = getattr(page, "placeholder_banner", None)
    if banner is None:
        banner = QLabel()
        banner.setObjectName("placeholderBanner")
        banner.setWordWrap(True)
        banner.setStyleSheet(BANNER_STYLE)
        page.layout().insertWidget(0, banner)
        page.placeholder_banner = banner
        window.language_changed.connect(lambda _lang: _paint(banner, window, unit_code))
    _paint(banner, window, unit_code)
    banner.show()
    return banner


def _paint(banner: QLabel, window, unit_code: str) -> None:
    banner.setText(window.tr_(PLACEHOLDER_INTAKE_MESSAGE, value=unit_code))
