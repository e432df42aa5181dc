"""The scan dialog (ui/scan/dialog.py) and its hook into the dossier page (``install_scanning``,
which builds the dialog on first use)."""

from desk_app.ui.scan.install import install_scanning

__all__ = ["install_scanning"]
