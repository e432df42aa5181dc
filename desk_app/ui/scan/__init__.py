"""The scan dialog and its hook into the dossier page (``install_scanning``).

``ScanDialog`` is loaded on first access, so installing the hook at start-up stays cheap.
"""

from desk_app.ui.scan.install import install_scanning

__all__ = ["ScanDialog", "install_scanning"]


def __getattr__(name: str):
    if name == "ScanDialog":
        from desk_app.ui.scan.dialog import ScanDialog

        return ScanDialog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
