"""Scanner sources behind one interface (``base.ScannerBackend``).

``available_backends()`` lists the backends this platform can offer: SANE on Linux,
WIA and TWAIN on Windows (both experimental until checked on real hardware).
"""

from __future__ import annotations

import sys

from desk_app.scanning.sources.base import DeviceInfo, ScannerBackend, ScannerError, ScanSettings

__all__ = ["DeviceInfo", "ScannerBackend", "ScannerError", "ScanSettings", "available_backends", "backend_for"]


def available_backends() -> list[ScannerBackend]:
    """Backends for this OS, built fresh (the caller owns them; nothing global)."""
    backends: list[ScannerBackend] = []
    if sys.platform.startswith("win"):
        from desk_app.scanning.sources.twain_backend import TwainBackend
        from desk_app.scanning.sources.wia_backend import WiaBackend

        backends += [WiaBackend(), TwainBackend()]
    else:
        from desk_app.scanning.sources.sane_backend import SaneBackend

        backends.append(SaneBackend())
    return backends


def backend_for(device_id: str, backends: list[ScannerBackend]) -> tuple[ScannerBackend, str]:
    """``wia:<id>`` / ``twain:<name>`` pick that backend; anything else (``test:0``,
    ``epson2:libusb:001:004``) is a SANE device name."""
    prefix, _, rest = device_id.partition(":")
    for backend in backends:
        if backend.name == prefix and backend.name in ("wia", "twain"):
            return backend, rest
    for backend in backends:
        if backend.name == "sane":
            return backend, device_id
    raise ScannerError(ScannerError.NO_BACKEND, field="device", device=device_id)
