"""TWAIN (Windows) through the ``pytwain`` package (module ``twain``). EXPERIMENTAL: tested with a
fake source manager only; check on the commune's real scanners before relying on it.

The OS boundary is one callable, ``source_manager``, returning an object shaped like
``twain.SourceManager`` (``source_list``, ``open_source(name)``); a source offers
``set_capability``, ``request_acquire``, ``xfer_image_natively`` and ``close``. ``dib_to_bmp``
turns a native transfer handle into BMP bytes (``twain.dib_to_bm_file`` by default).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

from PIL import Image

from desk_app.scanning.page import RawPage
from desk_app.scanning.sources.base import DeviceInfo, ScannerError, ScanSettings

# TWAIN capability ids and types (twain.h).
CAP_FEEDERENABLED = 0x1002
CAP_DUPLEXENABLED = 0x1013
CAP_XFERCOUNT = 0x0001
ICAP_PIXELTYPE = 0x0101
ICAP_XRESOLUTION = 0x1118
ICAP_YRESOLUTION = 0x1119
TWTY_BOOL, TWTY_INT16, TWTY_UINT16, TWTY_FIX32 = 0x0006, 0x0001, 0x0004, 0x0007
TWPT_GRAY, TWPT_RGB = 1, 2


def _default_source_manager() -> Any:
    try:
        import twain
    except ImportError as exc:
        raise ScannerError(ScannerError.NOT_AVAILABLE, backend="TWAIN", detail=str(exc)) from exc
    return twain.SourceManager(0)


def _default_dib_to_bmp(handle: Any) -> bytes:
    import twain

    return twain.dib_to_bm_file(handle)


class TwainBackend:
    name = "twain"
    experimental = True

    def __init__(
        self,
        source_manager: Callable[[], Any] = _default_source_manager,
        dib_to_bmp: Callable[[Any], bytes] = _default_dib_to_bmp,
    ):
        self._source_manager = source_manager
        self._dib_to_bmp = dib_to_bmp

    def devices(self) -> list[DeviceInfo]:
        manager = self._source_manager()
        # TWAIN reports feeders only once a source is open; offer all and let scan() refuse.
        return [
            DeviceInfo(f"twain:{name}", f"{name} (TWAIN)", self.name, ("flatbed", "feeder", "duplex"), experimental=True)
            for name in manager.source_list
        ]

    def scan(
        self, device_id: str, settings: ScanSettings, *, cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[RawPage]:
        manager = self._source_manager()
        if device_id not in manager.source_list:
            raise ScannerError(ScannerError.NOT_FOUND, field="device", device=device_id)
        try:
            source = manager.open_source(device_id)
        except Exception as exc:
            raise ScannerError(ScannerError.FAILED, device=device_id, detail=str(exc)) from exc
        try:
            self._configure(source, device_id, settings)
            source.request_acquire(0, 0)  # no driver UI, not modal: the desk's own dialog is the UI
            count, more = 0, 1
            while more and (settings.max_pages is None or count < settings.max_pages) and not cancelled():
                try:
                    handle, more = source.xfer_image_natively()
                except Exception as exc:
                    if count and "paper" in str(exc).lower():
                        break
                    raise ScannerError(ScannerError.FAILED, device=device_id, detail=str(exc)) from exc
                image = Image.open(io.BytesIO(self._dib_to_bmp(handle)))
                image.load()
                count += 1
                side = "back" if settings.source == "duplex" and count % 2 == 0 else "front"
                yield RawPage(image, settings.dpi, f"twain:{device_id} #{count}", side)
                if settings.source == "flatbed":
                    break
        finally:
            source.close()

    @staticmethod
    def _configure(source: Any, device_id: str, settings: ScanSettings) -> None:
        try:
            source.set_capability(ICAP_PIXELTYPE, TWTY_UINT16, TWPT_RGB if settings.colour else TWPT_GRAY)
            source.set_capability(ICAP_XRESOLUTION, TWTY_FIX32, float(settings.dpi))
            source.set_capability(ICAP_YRESOLUTION, TWTY_FIX32, float(settings.dpi))
        except Exception as exc:
            raise ScannerError(ScannerError.FAILED, device=device_id, detail=str(exc)) from exc
        if settings.source == "flatbed":
            return
        try:
            source.set_capability(CAP_FEEDERENABLED, TWTY_BOOL, True)
        except Exception as exc:
            raise ScannerError(ScannerError.NO_FEEDER, field="source", device=device_id) from exc
        if settings.source == "duplex":
            try:
                source.set_capability(CAP_DUPLEXENABLED, TWTY_BOOL, True)
            except Exception as exc:
                raise ScannerError(ScannerError.NO_DUPLEX, field="source", device=device_id) from exc
        source.set_capability(CAP_XFERCOUNT, TWTY_INT16, -1)
