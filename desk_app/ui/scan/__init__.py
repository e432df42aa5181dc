"""The scan dialog and its hook into the dossier page (``install_scanning``)."""

from desk_app.ui.scan.dialog import ScanDialog, install_scanning

__all__ = ["ScanDialog", "install_scanning"]
