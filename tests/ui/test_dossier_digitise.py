"""The dossier page shows each document's scanned pages and whether the dossier counts as
digitised, read through the real digitise service on the DB thread (offscreen Qt)."""

from __future__ import annotations

from PIL import Image, ImageDraw

from desk_app.domain.text import fold
from tests.ui.conftest import seed_dossiers


def text_page(path, label: str):
    """A real A5-ish page with some text, as a scanner would deliver it (150 dpi)."""
    img = Image.new("L", (874, 1240), 255)
    draw = ImageDraw.Draw(img)
    for row in range(20):
        draw.text((80, 80 + row * 50), f"{label} - dong {row + 1}", fill=0)
    img.save(path)
    return path


def attach(data_dir, clock, code: str, document: str, paths) -> list[dict]:
    """Through the real service on its own connection (as the scan dialog's save or the CLI)."""
    from desk_app.services.context import build_services

    ctx = build_services(data_dir, clock=clock, actor="tester")
    try:
        return ctx.digitise.attach_files(code, document, list(paths))
    finally:
        ctx.close()


def pages_column(page) -> dict[str, str]:
    table = page.documents
    return {table.item(r, 0).text(): table.item(r, 3).text() for r in range(table.rowCount())}


def test_dossier_page_shows_scanned_pages_and_refreshes_after_a_scan(qtbot, desk_window, data_dir, clock, intake_json, tmp_path):
    (dossier,) = seed_dossiers(data_dir, clock, [intake_json])
    code = dossier.code
    names = [d["name"] for d in intake_json["documents"]]
    assert len(names) == 2
    first, second = names
    attach(data_dir, clock, code, first, [text_page(tmp_path / "a.png", "to khai"), text_page(tmp_path / "b.png", "trang 2")])

    page = desk_window.dossier
    desk_window.open_dossier(code)
    qtbot.waitUntil(lambda: page.current_code == code and page.digitise is not None, timeout=5000)
    assert page.documents.horizontalHeaderItem(3).text() == "Trang đã số hóa"
    assert pages_column(page) == {first: "2 trang", second: "0 trang"}
    status = page.digitise
    required = [d for d in status["documents"] if d["required"]]
    if all(fold(d["name"]) != fold(second) for d in required):
        # Only the first document is required by the procedure: already digitised.
        assert page.digitise_text.text() == "Đã số hóa"
    else:
        assert page.digitise_text.text() == f"Chưa số hóa đủ (1/{len(required)} giấy tờ)"

    # A scan saved for the second document: the page reloads (as after the scan dialog's save).
    attach(data_dir, clock, code, second, [text_page(tmp_path / "c.png", "giay chung sinh")])
    page.show_dossier(code)
    qtbot.waitUntil(lambda: pages_column(page).get(second) == "1 trang", timeout=5000)
    assert pages_column(page)[first] == "2 trang"
    assert page.digitise_text.text() == "Đã số hóa"
    assert page.digitise["digitised"] is True

    # English follows the language switch.
    desk_window.set_language("en")
    assert page.documents.horizontalHeaderItem(3).text() == "Digitised pages"
    assert pages_column(page)[first] == "2 pages"
    assert page.digitise_text.text() == "Digitised"


def test_dossier_without_pages_is_not_digitised(qtbot, desk_window, data_dir, clock, intake_json):
    (dossier,) = seed_dossiers(data_dir, clock, [intake_json])
    page = desk_window.dossier
    desk_window.open_dossier(dossier.code)
    qtbot.waitUntil(lambda: page.digitise is not None, timeout=5000)
    assert set(pages_column(page).values()) == {"0 trang"}
    assert page.digitise_text.text().startswith("Chưa số hóa đủ (0/")
