"""Fixtures for scanning tests: a private SANE config enabling the virtual ``test`` device
(A4-capable), a desk with one dossier, generated page files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import require

SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")


def _sane_available() -> bool:
    try:
        import sane  # noqa: F401
    except ImportError:
        return False
    return SYSTEM_TEST_CONF.exists()


@pytest.fixture(scope="session")
def sane_config(tmp_path_factory) -> Path:
    """SANE_CONFIG_DIR with only the test backend; must be set before the first sane.init()
    in this process, which is why every SANE test goes through this fixture."""
    require(_sane_available(), "SANE test backend (sane-utils, libsane1, python-sane) is not installed")
    folder = tmp_path_factory.mktemp("sane") / "sane.d"
    folder.mkdir()
    (folder / "dll.conf").write_text("test\n")
    text = SYSTEM_TEST_CONF.read_text().replace("geometry_max 200.0", "geometry_max 300.0")
    (folder / "test.conf").write_text(text)
    os.environ["SANE_CONFIG_DIR"] = str(folder)
    return folder


@pytest.fixture
def dossier(desk, intake_json):
    return desk.intake.intake(intake_json)


DOC = "Tờ khai đăng ký khai sinh"
DOC2 = "Giấy chứng sinh"


def save_pages(path: Path, images, **kw) -> Path:
    first, *rest = images
    first.save(path, save_all=bool(rest), append_images=rest, **kw)
    return path


def sane_env(sane_config: Path) -> dict:
    return {"SANE_CONFIG_DIR": str(sane_config)}


def set_test_picture(picture: str) -> None:
    """Choose what the SANE test device delivers ("Solid black", "Solid white", "Grid", "Color
    pattern") for scans that set no ``test_picture`` option (the scan dialog). The test backend
    keeps option values across opens for the whole process, so a test that relies on one sets it."""
    import sane

    from desk_app.scanning.sources.sane_backend import SaneBackend

    SaneBackend().devices()  # sane.init() once per process, after SANE_CONFIG_DIR is set
    device = sane.open("test:0")
    try:
        device.test_picture = picture
    finally:
        device.close()


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst)
