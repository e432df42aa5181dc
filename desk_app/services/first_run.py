"""What the first-run wizard does besides ``SetupService.configure``: the test print, the
scanner check, the choices it remembers. No Qt: the wizard (ui/first_run) runs these on the
DB thread (``*_db`` functions take the services) or the I/O pool (the others).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.dossier import RECEIVED
from desk_app.forms.layouts import get_layout
from desk_app.forms.model import DocumentLine, FormData

if TYPE_CHECKING:
    from desk_app.services.context import DeskServices
    from desk_app.services.printing import PreparedForm

SCANNER_KEY = "scanner.device"  # "" = no scanner: pages are imported from files
TEST_SCAN_DPI = 75  # a check that the scanner answers, not a page to keep
TEST_APPLICANT = "BẢN IN THỬ - KHÔNG CÓ GIÁ TRỊ"


def test_print_form(services: DeskServices, layout: str) -> PreparedForm:
    """DB thread: a receipt (form 01) with this desk's header on the chosen paper, marked as a
    test. Its code uses sequence ``{desk}000``, which numbering never issues (counters start
    at 1), so a test slip scanned later can never open a real dossier. Nothing is written."""
    from desk_app.services.printing import PreparedForm, place_name

    config = services.setup.config()
    settings = services.printing.settings()
    chosen = get_layout(layout)
    now = services.clock().astimezone(VN_TZ).replace(microsecond=0)
    data = FormData(
        form="01",
        code=f"{config.unit_code}-{now:%y%m%d}-{config.desk}000",
        unit_name=config.unit_name or config.commune_name or config.unit_code,
        office_name=settings.office_name,
        place=place_name(config.commune_name),
        printed_on=now.date(),
        applicant_name=TEST_APPLICANT,
        id_number="000000000000",
        address=config.commune_name,
        phone="",
        email="",
        procedure_code="-",
        procedure_name="In thử: kiểm tra máy in và khổ giấy",
        documents=[DocumentLine("Trang in thử", "Bản chính", 1)],
        sets=1,
        processing_text="Trong ngày",
        received_at=now,
        appointment_at=now + timedelta(hours=1),
        return_channel_label="Tại Bộ phận Một cửa",
        officer=config.officer_name or services.actor,
        fee=0,
        synced=True,
        status=RECEIVED,
        qr_ec=settings.thermal_qr_ec if chosen.continuous else "M",
    )
    return PreparedForm(data=data, layout=chosen, dossier_id=0)


def save_printing_db(services: DeskServices, printer_name: str, layout: str) -> dict[str, Any]:
    """DB thread: the printer and default paper, as the printing settings dialog saves them."""
    return services.printing.configure(printer_name=printer_name, default_layout=layout).as_dict()


def save_scanner_db(services: DeskServices, device_id: str) -> str:
    """DB thread: the scanner chosen ("" = none, pages come from files)."""
    services.store.set_settings({SCANNER_KEY: device_id})
    return device_id


def finish_db(services: DeskServices) -> dict[str, Any]:
    """DB thread: the wizard reached its end; the desk's configuration as the window shows it."""
    services.setup.set_setup_pending(False)
    services.catalogue.ensure_sample()
    return services.setup.config().as_dict()


def list_scanners() -> list[dict[str, Any]]:
    """I/O pool: the scanners the drivers report (can take seconds). A missing driver is not
    an error here: the page offers file import instead."""
    from desk_app.domain.errors import DeskError
    from desk_app.scanning.sources import available_backends

    devices: list[dict[str, Any]] = []
    for backend in available_backends():
        try:
            devices += [d.as_dict() for d in backend.devices()]
        except DeskError:
            continue
    return devices


def test_scan(device_id: str) -> dict[str, Any]:
    """I/O pool: one page from ``device_id`` at low resolution; its size and a small PNG to
    show. Raises ScannerError with the driver's reason when the scanner does not answer."""
    import io

    from desk_app.scanning.sources import ScanSettings, available_backends, backend_for

    backend, device = backend_for(device_id, available_backends())
    started = datetime.now()
    page = next(iter(backend.scan(device, ScanSettings(source="flatbed", dpi=TEST_SCAN_DPI, max_pages=1))), None)
    if page is None:
        from desk_app.scanning.sources import ScannerError

        raise ScannerError(ScannerError.FEEDER_EMPTY, field="device")
    image = page.image
    preview = image.convert("RGB")
    preview.thumbnail((240, 320))
    buffer = io.BytesIO()
    preview.save(buffer, format="PNG")
    return {
        "device": device_id,
        "width": image.width,
        "height": image.height,
        "dpi": page.dpi,
        "seconds": round((datetime.now() - started).total_seconds(), 2),
        "png": buffer.getvalue(),
    }


DEFAULT_PROVINCE = 4  # Cao Bằng (GSO 04), where the sample catalogue comes from


def first_run_state(services: DeskServices) -> dict[str, Any]:
    """DB thread: what the wizard starts from: the official lists, the configuration saved so
    far (an interrupted wizard, or 0.1's example unit code), the data folder."""
    from desk_app.paths import PORTABLE_DATA, program_dir
    from desk_app.services.setup import communes_of_province, province_of_commune, provinces

    values = services.store.all_settings()
    config = services.setup.config().as_dict() if "unit_code" in values else None
    province = province_of_commune((config or {}).get("commune_code", "")) or DEFAULT_PROVINCE
    return {
        "provinces": provinces(),
        "province_code": province,
        "communes": communes_of_province(province),
        "config": config,
        "default_layout": services.printing.settings().default_layout,
        "data_dir": str(services.data_dir),
        "portable": services.data_dir.resolve() == (program_dir() / PORTABLE_DATA).resolve(),
    }


def remembered_scanner_db(services: DeskServices) -> str:
    """DB thread: the scanner chosen in the wizard ("" = none), for the scan dialog to preselect."""
    return str(services.store.get_setting(SCANNER_KEY) or "")
