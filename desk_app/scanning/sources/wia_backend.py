"""WIA 2.0 (Windows Image Acquisition) through its COM automation layer. EXPERIMENTAL: written
against Microsoft's WIA Automation documentation and tested with a fake COM layer only; check on
the commune's real scanners before relying on it.

The OS boundary is one callable, ``device_manager``, returning a ``WIA.DeviceManager`` COM object
(``win32com.client.Dispatch`` by default); tests pass a fake with the same shape.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

from PIL import Image

from desk_app.scanning.page import RawPage
from desk_app.scanning.sources.base import DeviceInfo, ScannerError, ScanSettings

# WIA property ids and constants (wiadef.h).
WIA_DIP_DEV_ID = 2
WIA_DIP_DEV_NAME = 7
WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES = 3086
WIA_DPS_DOCUMENT_HANDLING_SELECT = 3088
WIA_DPS_PAGES = 3096
WIA_IPS_CUR_INTENT = 6146
WIA_IPS_XRES = 6147
WIA_IPS_YRES = 6148
FEEDER, FLATBED, DUPLEX = 0x001, 0x002, 0x004
INTENT_COLOR, INTENT_GRAY = 0x1, 0x2
WIA_FORMAT_PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"
WIA_ERROR_PAPER_EMPTY = -2145320957  # 0x80210003
SCANNER_DEVICE_TYPE = 1


def _default_device_manager() -> Any:
    try:
        # types-pywin32 is not a dev dependency (Windows only): the module is used as Any.
        import win32com.client  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ScannerError(ScannerError.NOT_AVAILABLE, backend="WIA", detail=str(exc)) from exc
    return win32com.client.Dispatch("WIA.DeviceManager")


def _prop(props: Any, prop_id: int) -> Any | None:
    for i in range(1, props.Count + 1):
        p = props.Item(i)
        if p.PropertyID == prop_id:
            return p
    return None


def _required_prop(props: Any, prop_id: int) -> Any:
    """A property every WIA device has (its id and name)."""
    p = _prop(props, prop_id)
    if p is None:
        raise AttributeError(f"WIA device without property {prop_id}")
    return p


def _hresult(exc: BaseException) -> int | None:
    for value in getattr(exc, "args", ())[:1]:
        if isinstance(value, int):
            return value
    return getattr(exc, "hresult", None)


class WiaBackend:
    name = "wia"
    experimental = True

    def __init__(self, device_manager: Callable[[], Any] = _default_device_manager):
        self._device_manager = device_manager

    def devices(self) -> list[DeviceInfo]:
        manager = self._device_manager()
        found = []
        for i in range(1, manager.DeviceInfos.Count + 1):
            info = manager.DeviceInfos.Item(i)
            if info.Type != SCANNER_DEVICE_TYPE:
                continue
            dev_id = _required_prop(info.Properties, WIA_DIP_DEV_ID).Value
            name = _required_prop(info.Properties, WIA_DIP_DEV_NAME).Value
            sources = ["flatbed"]
            try:
                device = info.Connect()
                caps = _prop(device.Properties, WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES)
                if caps is not None and caps.Value & FEEDER:
                    sources.append("feeder")
                if caps is not None and caps.Value & DUPLEX:
                    sources.append("duplex")
            except Exception:  # busy: still list it
                pass
            found.append(DeviceInfo(f"wia:{dev_id}", f"{name} (WIA)", self.name, tuple(sources), experimental=True))
        return found

    def _connect(self, device_id: str) -> Any:
        manager = self._device_manager()
        for i in range(1, manager.DeviceInfos.Count + 1):
            info = manager.DeviceInfos.Item(i)
            if _required_prop(info.Properties, WIA_DIP_DEV_ID).Value == device_id:
                try:
                    return info.Connect()
                except Exception as exc:
                    raise ScannerError(ScannerError.FAILED, device=device_id, detail=str(exc)) from exc
        raise ScannerError(ScannerError.NOT_FOUND, field="device", device=device_id)

    def scan(
        self, device_id: str, settings: ScanSettings, *, cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[RawPage]:
        device = self._connect(device_id)
        handling = {"flatbed": FLATBED, "feeder": FEEDER, "duplex": FEEDER | DUPLEX}[settings.source]
        select = _prop(device.Properties, WIA_DPS_DOCUMENT_HANDLING_SELECT)
        if settings.source != "flatbed":
            caps = _prop(device.Properties, WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES)
            needed = DUPLEX if settings.source == "duplex" else FEEDER
            if caps is None or not caps.Value & needed:
                message = ScannerError.NO_DUPLEX if settings.source == "duplex" else ScannerError.NO_FEEDER
                raise ScannerError(message, field="source", device=device_id)
        if select is not None:
            select.Value = handling
        pages = _prop(device.Properties, WIA_DPS_PAGES)
        if pages is not None:
            pages.Value = 1
        item = device.Items.Item(1)
        for prop_id, value in (
            (WIA_IPS_CUR_INTENT, INTENT_COLOR if settings.colour else INTENT_GRAY),
            (WIA_IPS_XRES, settings.dpi),
            (WIA_IPS_YRES, settings.dpi),
        ):
            prop = _prop(item.Properties, prop_id)
            if prop is not None:
                prop.Value = value
        count = 0
        while settings.max_pages is None or count < settings.max_pages:
            if cancelled():
                break
            try:
                image_file = item.Transfer(WIA_FORMAT_PNG)
            except Exception as exc:
                if _hresult(exc) == WIA_ERROR_PAPER_EMPTY:
                    break
                raise ScannerError(ScannerError.FAILED, device=device_id, detail=str(exc)) from exc
            image = Image.open(io.BytesIO(bytes(image_file.FileData.BinaryData)))
            image.load()
            count += 1
            side = "back" if settings.source == "duplex" and count % 2 == 0 else "front"
            yield RawPage(image, settings.dpi, f"wia:{device_id} #{count}", side)
            if settings.source == "flatbed":
                break
        if count == 0 and settings.source != "flatbed":
            raise ScannerError(ScannerError.FEEDER_EMPTY)
