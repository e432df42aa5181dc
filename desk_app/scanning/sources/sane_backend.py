"""SANE (Linux) through python-sane. The SANE library is process-wide state: it is
initialised once per process on first use (SANE_CONFIG_DIR must be set before that)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from desk_app.scanning.page import RawPage
from desk_app.scanning.sources.base import DeviceInfo, ScannerError, ScanSettings

A4_MM = (210.0, 297.0)
_init_lock = threading.Lock()
_initialised = False  # sane_init() may only run once per process; this mirrors the C library's own state


def _sane():
    global _initialised
    try:
        import sane
    except ImportError as exc:  # the optional extra desk-app[sane] is not installed: say how to add it
        raise ScannerError(ScannerError.SANE_MISSING, field="device") from exc
    with _init_lock:
        if not _initialised:
            sane.init()
            _initialised = True
    return sane


def _pick(constraint, words: tuple[str, ...]) -> str | None:
    for value in constraint or ():
        if isinstance(value, str) and any(w in value.lower() for w in words):
            return value
    return None


FEEDER_WORDS = ("adf", "feeder", "automatic")
DUPLEX_WORDS = ("duplex",)


class SaneBackend:
    name = "sane"
    experimental = False

    def devices(self) -> list[DeviceInfo]:
        sane = _sane()
        found = []
        for dev_name, vendor, model, _kind in sane.get_devices():
            sources: tuple[str, ...] = ("flatbed",)
            try:
                dev = sane.open(dev_name)
                try:
                    options = dev.opt.get("source")
                    constraint = options.constraint if options else None
                    sources = tuple(
                        s for s, words in (("flatbed", None), ("feeder", FEEDER_WORDS), ("duplex", DUPLEX_WORDS))
                        if words is None or _pick(constraint, words)
                    )
                finally:
                    dev.close()
            except Exception:  # a busy device is still listed; its sources show when it is free
                pass
            found.append(DeviceInfo(dev_name, f"{vendor} {model} ({dev_name})", self.name, sources))
        return found

    def scan(
        self, device_id: str, settings: ScanSettings, *, cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[RawPage]:
        sane = _sane()
        try:
            dev = sane.open(device_id)
        except Exception as exc:
            raise ScannerError(ScannerError.NOT_FOUND, field="device", device=device_id) from exc
        try:
            self._configure(dev, device_id, settings)
            if settings.source == "flatbed":
                yield RawPage(self._snap(dev.scan, device_id), settings.dpi, f"{device_id} #1")
                return
            count = 0
            iterator = dev.multi_scan()
            while settings.max_pages is None or count < settings.max_pages:
                if cancelled():
                    break
                try:
                    image = next(iterator)
                except StopIteration:
                    break
                except Exception as exc:
                    raise ScannerError(ScannerError.FAILED, device=device_id, detail=str(exc)) from exc
                count += 1
                side = "back" if settings.source == "duplex" and count % 2 == 0 else "front"
                yield RawPage(image, settings.dpi, f"{device_id} #{count}", side)
            if count == 0:
                raise ScannerError(ScannerError.FEEDER_EMPTY)
        finally:
            try:
                dev.cancel()
            except Exception:
                pass
            dev.close()

    @staticmethod
    def _snap(call, device_id):
        try:
            return call()
        except Exception as exc:
            raise ScannerError(ScannerError.FAILED, device=device_id, detail=str(exc)) from exc

    def _configure(self, dev, device_id: str, settings: ScanSettings) -> None:
        opts = dev.opt
        try:
            if "mode" in opts:
                wanted = "Color" if settings.colour else "Gray"
                mode = _pick(opts["mode"].constraint, (wanted.lower(), "colour" if settings.colour else "grey"))
                if mode:
                    dev.mode = mode
            if "resolution" in opts:
                dev.resolution = settings.dpi
            if settings.source != "flatbed":
                words = DUPLEX_WORDS if settings.source == "duplex" else FEEDER_WORDS
                value = _pick(opts["source"].constraint if "source" in opts else None, words)
                if value is None:
                    message = ScannerError.NO_DUPLEX if settings.source == "duplex" else ScannerError.NO_FEEDER
                    raise ScannerError(message, field="source", device=device_id)
                dev.source = value
            for key, size in (("br_x", A4_MM[0]), ("br_y", A4_MM[1])):
                if key in opts and opts[key].constraint:
                    setattr(dev, key, min(size, float(opts[key].constraint[1])))
            for key, option in settings.options.items():
                setattr(dev, key, option)
        except ScannerError:
            raise
        except Exception as exc:
            raise ScannerError(ScannerError.FAILED, device=device_id, detail=str(exc)) from exc
