"""The one interface every scanner source implements, and its settings and errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from desk_app.domain.errors import DeskError, ErrorCode
from desk_app.i18n import N_

if TYPE_CHECKING:  # page.py loads Pillow; the CLI imports this module for every command
    from desk_app.scanning.page import RawPage

SOURCES = ("flatbed", "feeder", "duplex")


class ScannerError(DeskError):
    """The scanner refused, jammed, or is not there. Shown to the receptionist as is."""

    code = ErrorCode.SCANNER_ERROR
    NO_BACKEND = N_("Không có trình điều khiển máy quét cho thiết bị {device}.")
    NOT_FOUND = N_("Không tìm thấy máy quét {device}. Hãy kiểm tra cáp và nguồn điện.")
    FAILED = N_("Máy quét {device} báo lỗi: {detail}.")
    NO_FEEDER = N_("Máy quét {device} không có khay nạp giấy tự động.")
    NO_DUPLEX = N_("Máy quét {device} không quét được hai mặt.")
    FEEDER_EMPTY = N_("Khay nạp giấy trống: hãy đặt giấy vào rồi quét lại.")
    NOT_AVAILABLE = N_("Không dùng được {backend} trên máy này: {detail}.")
    # python-sane is the optional extra `desk-app[sane]` (it needs a compiler): say how to add it.
    SANE_MISSING = N_(
        "Chưa cài phần hỗ trợ máy quét SANE, nên chưa quét được; vẫn nhập được tệp ảnh/PDF. "
        "Để dùng máy quét, quản trị viên chạy: sudo apt install python3-sane (bản cài .deb), "
        "hoặc DESK_EXTRAS=sane bash scripts/run.sh (cần gcc, python3-dev, libsane-dev)."
    )


@dataclass(frozen=True)
class DeviceInfo:
    id: str  # what ``scan`` takes (and ``desk scan --device``)
    name: str
    backend: str
    sources: tuple[str, ...] = ("flatbed",)
    experimental: bool = False

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "backend": self.backend, "sources": list(self.sources),
                "experimental": self.experimental}


@dataclass(frozen=True)
class ScanSettings:
    source: str = "flatbed"  # one of SOURCES
    dpi: int = 200
    colour: bool = True  # capture colour so the automatic mode can see red seals
    max_pages: int | None = None  # feeder: stop after this many sheets sides
    options: dict[str, object] = field(default_factory=dict)  # backend-specific extras


class ScannerBackend(Protocol):
    """Runs on a worker thread (the UI's I/O pool or the CLI's main thread): scanning blocks."""

    name: str
    experimental: bool

    def devices(self) -> list[DeviceInfo]: ...

    def scan(
        self, device_id: str, settings: ScanSettings, *, cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[RawPage]:
        """Yield pages as the scanner delivers them (so a dialog can show each at once)."""
        ...
