"""Qt side of printing: preview, printer output, slip scanning. Entry point:
``install_printing``."""

from desk_app.ui.printing.controller import PrintingController, install_printing

__all__ = ["PrintingController", "install_printing"]
